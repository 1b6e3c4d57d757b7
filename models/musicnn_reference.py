#!/usr/bin/env python3
"""musicnn's own tags of audio files, the reference selecta's tagger is tested against.

    TF_USE_LEGACY_KERAS=1 python models/musicnn_reference.py FILE... > reference.jsonl

Runs in a venv with tensorflow-cpu, tf_keras, librosa and `musicnn` 0.1.0 (`make
tag-reference` makes it): musicnn's `extractor` (librosa's mel spectrogram, its TF1 graph and
checkpoint) with the MTT_musicnn model, 3-second patches without overlap. One JSON line per
file: its name, the number of patches and the 50 MTT tag probabilities averaged over them.
"""
import contextlib
import json
import os
import sys

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from musicnn.extractor import extractor  # noqa: E402

for path in sys.argv[1:]:
    with contextlib.redirect_stdout(sys.stderr):  # musicnn prints its progress
        taggram, labels = extractor(path, model="MTT_musicnn", extract_features=False)
    tags = taggram.mean(axis=0)
    print(json.dumps({"file": os.path.basename(path), "patches": int(taggram.shape[0]), "tags": [float(x) for x in tags], "labels": list(labels)}), flush=True)
