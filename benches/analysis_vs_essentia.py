#!/usr/bin/env python3
"""make bench: selecta's audio analysis beside Essentia's extractors and librosa, same files,
same run. Runs inside the bench's own venv (essentia is AGPL: only here, never linked).

    benches/analysis_vs_essentia.py SELECTA_BIN [N_FILES]

Renders N (default 6) 3-minute files of known tempo and key (numpy), times
`selecta analyze --threads 1` over them (fresh state: nothing cached), then Essentia's
RhythmExtractor2013, KeyExtractor, LoudnessEBUR128 and Danceability, and librosa's
beat_track, per file on one core. Prints tracks/s/core for each, the time ratio (wall and
CPU time, with the load average beside them), the agreement with the known answers (tempo
within 2 %, key exact or relative), the LUFS difference between selecta and Essentia, and
where selecta's time goes (decode, resample, STFT, onset/tempo, chroma/key, loudness, the
rest), from the phases `selecta analyze` logs at debug level.
"""

import csv
import io
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import wave

import numpy as np

RATE = 44100
SECONDS = 180
NAMES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]


def render(bpm, key, mode, seed):
    rng = np.random.default_rng(seed)
    n = SECONDS * RATE
    out = np.zeros(n)
    k = int(0.15 * RATE)
    s = np.arange(k) / RATE
    kick = 0.35 * np.sin(2 * np.pi * (45 + 15 * np.exp(-s * 30)) * s) * np.exp(-s * 25)
    t = 0.05
    while t < SECONDS - 0.2:
        i = int(t * RATE)
        out[i:i + k] += kick + 0.25 * rng.uniform(-1, 1, k) * np.exp(-s * 300)
        t += 60.0 / bpm
    third = 4 if mode == 1 else 3
    chords = [(0, third), (5, third), (7, 4), (0, third)]
    x = np.arange(RATE) / RATE
    env = np.minimum(x / 0.02, 1) * np.clip((1 - x) / 0.05, 0, 1)
    for c in range(SECONDS):
        root, th = chords[c % 4]
        r = 60 + key + root
        seg = np.zeros(RATE)
        for midi, g in [(r - 12, 0.08), (r, 0.06), (r + th, 0.06), (r + 7, 0.06)]:
            w = 2 * np.pi * 440 * 2 ** ((midi - 69) / 12) * x
            seg += g * (np.sin(w) + 0.5 * np.sin(2 * w) + 0.25 * np.sin(3 * w))
        out[c * RATE:(c + 1) * RATE] += seg * env
    return out


def write(path, x):
    pcm = (np.clip(x, -1, 1) * 32767).astype("<i2")
    stereo = np.repeat(pcm[:, None], 2, axis=1)
    with wave.open(path, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(stereo.tobytes())


def key_ok(got_key, got_mode, key, mode):
    if (got_key, got_mode) == (key, mode):
        return True
    rel = (key + 9) % 12 if mode == 1 else (key + 3) % 12
    return (got_key, got_mode) == (rel, 1 - mode)


def main():
    selecta = os.path.abspath(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 6
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    tmp = tempfile.mkdtemp(prefix="selecta-bench-analysis-")
    audio = os.path.join(tmp, "audio")
    os.makedirs(audio)
    cases = []
    for i in range(n):
        bpm = [90, 120, 128, 174, 100, 140, 60, 110][i % 8] * (1.01 if i >= 8 else 1)
        key, mode = (i * 5) % 12, i % 2
        path = os.path.join(audio, "%02d.wav" % i)
        write(path, render(bpm, key, mode, i))
        cases.append((path, bpm, key, mode))
    sample = os.path.join(repo, "data", "sample")
    with open(os.path.join(tmp, "selecta.toml"), "w") as f:
        f.write('warehouse = "w.duckdb"\n[inputs]\nreleases = ["%s/collection.csv"]\ntracklists = ["%s/collection_tracks.csv"]\n[cluster]\nenabled = false\n'
                % (sample, sample))
    cfg = os.path.join(tmp, "selecta.toml")
    subprocess.run([selecta, "-q", "--config", cfg, "build"], check=True, stdout=subprocess.DEVNULL)
    env = dict(os.environ, RUST_LOG="selecta::analysis::phases=debug,warn", NO_COLOR="1")
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    run = subprocess.run([selecta, "-q", "--config", cfg, "analyze", audio, "--threads", "1"], check=True, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, env=env)
    ours_s = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    ours_cpu = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
    m = re.search(r"seconds by phase: ((?:\w+=[0-9.]+ ?)+)", re.sub(r"\x1b\[[0-9;]*m", "", run.stderr))
    phases = [(k, float(v)) for k, v in (kv.split("=") for kv in m.group(1).split()) if k != "files"] if m else []
    q = subprocess.run([selecta, "--config", cfg, "sql", "--format", "csv",
                        "SELECT path, tempo_bpm, key, mode, loudness_lufs FROM analysis_features JOIN track_files USING (file_key) ORDER BY path"],
                       check=True, capture_output=True, text=True).stdout
    ours = {r["path"]: r for r in csv.DictReader(io.StringIO(q))}

    import essentia.standard as es
    c0 = time.process_time()
    t0 = time.perf_counter()
    ess = {}
    for path, *_ in cases:
        mono = es.MonoLoader(filename=path, sampleRate=RATE)()
        stereo = es.AudioLoader(filename=path)()[0]
        bpm = es.RhythmExtractor2013(method="multifeature")(mono)[0]
        k, scale, _ = es.KeyExtractor()(mono)
        lufs = es.LoudnessEBUR128(sampleRate=RATE)(stereo)[2]
        dance = es.Danceability()(mono)[0]
        ess[path] = (bpm, NAMES.index(k.replace("Db", "C#").replace("Eb", "D#").replace("Gb", "F#").replace("Ab", "G#").replace("Bb", "A#")), 1 if scale == "major" else 0, lufs, dance)
    ess_s = time.perf_counter() - t0
    ess_cpu = time.process_time() - c0

    import librosa
    t0 = time.perf_counter()
    lib = {}
    for path, *_ in cases:
        y, sr = librosa.load(path, sr=22050, mono=True)
        tempo, _ = librosa.beat.beat_track(y=y, sr=sr)
        lib[path] = float(np.atleast_1d(tempo)[0])
    lib_s = time.perf_counter() - t0

    def tempo_ok(got, want):
        return abs(got / want - 1) <= 0.02

    print("analysis of %d files of 3 min (44.1 kHz stereo WAV), one core each" % n)
    print("%-10s %10s %14s %10s %10s" % ("", "s/file", "tracks/s/core", "tempo ok", "key ok"))
    o_t = sum(tempo_ok(float(ours[p]["tempo_bpm"] or 0), b) for p, b, k, m in cases)
    o_k = sum(key_ok(int(ours[p]["key"]), int(ours[p]["mode"]), k, m) for p, b, k, m in cases if ours[p]["key"])
    e_t = sum(tempo_ok(ess[p][0], b) for p, b, k, m in cases)
    e_k = sum(key_ok(ess[p][1], ess[p][2], k, m) for p, b, k, m in cases)
    l_t = sum(tempo_ok(lib[p], b) for p, b, k, m in cases)
    print("%-10s %10.2f %14.2f %7d/%d %7d/%d" % ("selecta", ours_s / n, n / ours_s, o_t, n, o_k, n))
    print("%-10s %10.2f %14.2f %7d/%d %7d/%d" % ("essentia", ess_s / n, n / ess_s, e_t, n, e_k, n))
    print("%-10s %10.2f %14.2f %7d/%d %10s" % ("librosa", lib_s / n, n / lib_s, l_t, n, "-"))
    print("selecta is %.1f× faster than Essentia's four extractors per file (target ≥ 5×); CPU time %.2f s vs %.2f s per file: %.1f×; load average %.2f"
          % (ess_s / ours_s, ours_cpu / n, ess_cpu / n, ess_cpu / ours_cpu, os.getloadavg()[0]))
    diffs = [abs(float(ours[p]["loudness_lufs"]) - ess[p][3]) for p, *_ in cases]
    print("LUFS |selecta − Essentia|: mean %.2f LU, max %.2f LU" % (sum(diffs) / n, max(diffs)))
    if not phases:
        sys.exit("no phase line in selecta's log:\n" + run.stderr)
    worked = sum(v for _, v in phases)
    names = {"decode": "decode", "resample": "resample", "stft": "STFT", "onset_tempo": "onset/tempo", "chroma_key": "chroma/key",
             "loudness": "loudness", "rest": "the rest (hash, tags, timbre, danceability)"}
    print("selecta's time per file by phase (of %.3f s/file on the worker; startup, matching and writing %.3f s/file more):"
          % (worked / n, max(ours_s - worked, 0) / n))
    print("  " + ", ".join("%s %.3f s (%.0f %%)" % (names.get(k, k), v / n, 100 * v / worked) for k, v in phases))


if __name__ == "__main__":
    main()
