"""scikit-learn's KMeans on the matrices benches/cluster.rs wrote (.npy), for the same-run
comparison. Usage: cluster_sklearn.py K N_INIT REPEATS FILE.npy [FILE.npy ...]
Each file is fitted with one BLAS/OpenMP thread and with all of them (on 2 cores one thread
is often faster for small data); the faster setting is reported. Prints one JSON object per
file: {"file", "rows", "seconds" (median fit time), "inertia", "n_iter", "threads",
"seconds_1", "seconds_all"}."""
import json
import statistics
import sys
import time

import numpy as np
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_info, threadpool_limits

k, n_init, repeats = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
threads = max((p.get("num_threads", 1) for p in threadpool_info()), default=1)


def bench(x, reps):
    times, model = [], None
    for _ in range(reps):
        model = KMeans(n_clusters=k, init="k-means++", n_init=n_init, max_iter=300, tol=1e-4, random_state=0)
        t = time.perf_counter()
        model.fit(x)
        times.append(time.perf_counter() - t)
    return statistics.median(times), model


for path in sys.argv[4:]:
    x = np.load(path)
    reps = repeats if x.shape[0] < 500_000 else 1
    with threadpool_limits(limits=1):
        t1, m1 = bench(x, reps)
    ta, ma = bench(x, reps)
    best_t, best_m, best_threads = (t1, m1, 1) if t1 <= ta else (ta, ma, threads)
    print(json.dumps({"file": path, "rows": int(x.shape[0]), "seconds": best_t, "inertia": float(best_m.inertia_),
                      "n_iter": int(best_m.n_iter_), "threads": best_threads, "seconds_1": t1, "seconds_all": ta}), flush=True)
