#!/usr/bin/env python3
"""Renders the sample audio library of data/sample (no audio is committed): WAV files of
known tempo and key, tagged, mis-tagged and untagged, a side-long rip with its CUE sheet,
and one corrupt file. Python's standard library only (wave, struct, math, random).

    python3 data/sample/generate_audio.py OUT_DIR

Every track is a kick on each beat at its BPM over an I-IV-V-I cadence in its key, 22 050 Hz
mono 16-bit. Tags are ID3v2.4 in the WAV's `id3 ` chunk (TPE1, TALB, TIT2, TRCK, and
TXXX:DISCOGS_RELEASE_ID as Discogs taggers write it). The output is the same on every run.
"""

import math
import os
import random
import struct
import sys
import wave

RATE = 22050

# (folder, file name, tags or None, seconds, bpm, key 0=C, mode 1 major / 0 minor)
# The releases and titles are data/sample's (collection_tracks.csv).
FILES = [
    # DISCOGS_RELEASE_ID + position: matched by release and position
    ("Nova/Horizon Sessions", "01 Silence brume.wav",
     {"artist": "Nova", "album": "Horizon Sessions", "title": "Silence brume", "track": "A1", "release": "1000001"}, 20, 120, 0, 1),
    # mis-tagged: position A3 but the title is A2's -> matched by title within the release
    ("Nova/Horizon Sessions", "02 Aurore orage.wav",
     {"artist": "Nova", "album": "Horizon Sessions", "title": "Aurore orage", "track": "A3", "release": "1000001"}, 20, 128, 7, 1),
    # tags without a release id: the matching scorer
    ("Les Ondes/Nuit EP", "Nuit maree.wav",
     {"artist": "Les Ondes", "album": "Nuit EP", "title": "Nuit marée", "track": "1"}, 20, 90, 9, 0),
    # untagged: the file name and folder stand in
    ("Silence EP", "A3 - Mira Kovač - Volcan signal.wav", None, 20, 174, 2, 0),
    # untagged, no track of the collection: unmatched
    ("Misc", "Unknown Artist - Nothing Like It.wav", None, 15, 100, 5, 1),
]

# A side-long rip of release 1023758 (DJ Sable, Poussière à Paris), side A, split by its CUE.
SIDE = ("DJ Sable/Poussière à Paris", "Side A.wav", 1023758,
        [("L'Glace volcan", 96, 4, 0), ("Brume signal", 124, 10, 1), ("Brume ciel", 140, 1, 0), ("Poussière marée", 110, 8, 1)], 15)


def syncsafe(n):
    return bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F])


def id3(tags):
    def frame(fid, payload):
        return fid.encode() + syncsafe(len(payload)) + b"\0\0" + payload

    frames = b""
    for fid, key in (("TPE1", "artist"), ("TALB", "album"), ("TIT2", "title"), ("TRCK", "track")):
        if key in tags:
            frames += frame(fid, b"\x03" + tags[key].encode("utf-8"))
    if "release" in tags:
        frames += frame("TXXX", b"\x03DISCOGS_RELEASE_ID\0" + tags["release"].encode())
    return b"ID3\x04\x00\x00" + syncsafe(len(frames)) + frames


def render(seconds, bpm, key, mode, seed):
    n = int(seconds * RATE)
    out = [0.0] * n
    rnd = random.Random(seed)
    # kicks
    period = 60.0 / bpm
    t = 0.05
    kick = int(0.12 * RATE)
    while t < seconds:
        s0 = int(t * RATE)
        for i in range(min(kick, n - s0)):
            s = i / RATE
            body = math.sin(2 * math.pi * (45 + 15 * math.exp(-s * 30)) * s) * math.exp(-s * 25)
            click = (rnd.random() * 2 - 1) * math.exp(-s * 300)
            out[s0 + i] += 0.35 * body + 0.25 * click
        t += period
    # cadence, one chord a second: I IV V I (minor: i iv V i)
    third = 4 if mode == 1 else 3
    chords = [(0, third), (5, third), (7, 4), (0, third)]
    tonic = 60 + key
    for c in range(int(seconds)):
        root, th = chords[c % 4]
        r = tonic + root
        notes = [(r - 12, 0.08), (r, 0.06), (r + th, 0.06), (r + 7, 0.06)]
        s0 = c * RATE
        for midi, g in notes:
            f = 440.0 * 2 ** ((midi - 69) / 12)
            w = 2 * math.pi * f / RATE
            for i in range(min(RATE, n - s0)):
                env = min(i / 441.0, 1.0) * min((RATE - i) / 1100.0, 1.0)
                x = w * i
                out[s0 + i] += g * env * (math.sin(x) + 0.5 * math.sin(2 * x) + 0.25 * math.sin(3 * x))
    return out


def write_wav(path, samples, tags):
    pcm = struct.pack("<%dh" % len(samples), *(max(-32767, min(32767, int(v * 32767))) for v in samples))
    fmt = struct.pack("<HHIIHH", 1, 1, RATE, RATE * 2, 2, 16)
    chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt
    if tags:
        tag = id3(tags)
        if len(tag) % 2:
            tag += b"\0"
        chunks += b"id3 " + struct.pack("<I", len(tag)) + tag
    chunks += b"data" + struct.pack("<I", len(pcm)) + pcm
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: generate_audio.py OUT_DIR")
    out = sys.argv[1]
    for i, (folder, name, tags, secs, bpm, key, mode) in enumerate(FILES):
        d = os.path.join(out, folder)
        os.makedirs(d, exist_ok=True)
        write_wav(os.path.join(d, name), render(secs, bpm, key, mode, i), tags)
    folder, name, release, tracks, secs = SIDE
    d = os.path.join(out, folder)
    os.makedirs(d, exist_ok=True)
    side = []
    cue = ['PERFORMER "DJ Sable"', 'TITLE "Poussière à Paris"', 'FILE "%s" WAVE' % name]
    for n, (title, bpm, key, mode) in enumerate(tracks):
        start = len(side) / RATE
        side += render(secs, bpm, key, mode, 100 + n)
        mm, ss = divmod(int(start), 60)
        cue += ["  TRACK %02d AUDIO" % (n + 1), '    TITLE "%s"' % title, "    INDEX 01 %02d:%02d:00" % (mm, ss)]
    write_wav(os.path.join(d, name), side, {"artist": "DJ Sable", "album": "Poussière à Paris", "release": str(release)})
    with open(os.path.join(d, "Side A.cue"), "w", encoding="utf-8") as f:
        f.write("\n".join(cue) + "\n")
    # a corrupt file: a FLAC name over bytes that are no FLAC
    with open(os.path.join(out, "Misc", "broken.flac"), "wb") as f:
        f.write(b"fLaC\0\0\0\x22" + bytes(range(256)) * 4)


if __name__ == "__main__":
    main()
