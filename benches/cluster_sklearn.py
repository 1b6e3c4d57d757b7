"""scikit-learn's KMeans on the matrices benches/cluster.rs wrote (.npy), for the same-run
comparison. Usage: cluster_sklearn.py K N_INIT REPEATS FILE.npy [FILE.npy ...]
Prints one JSON object per file: {"file", "rows", "seconds" (median fit time), "inertia"
(of the last fit), "n_iter", "threads"}."""
import json
import statistics
import sys
import time

import numpy as np
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_info

k, n_init, repeats = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
threads = max((p.get("num_threads", 1) for p in threadpool_info()), default=1)
for path in sys.argv[4:]:
    x = np.load(path)
    times, model = [], None
    reps = repeats if x.shape[0] < 500_000 else 1
    for _ in range(reps):
        model = KMeans(n_clusters=k, init="k-means++", n_init=n_init, max_iter=300, tol=1e-4, random_state=0)
        t = time.perf_counter()
        model.fit(x)
        times.append(time.perf_counter() - t)
    print(json.dumps({"file": path, "rows": int(x.shape[0]), "seconds": statistics.median(times),
                      "inertia": float(model.inertia_), "n_iter": int(model.n_iter_), "threads": threads}), flush=True)
