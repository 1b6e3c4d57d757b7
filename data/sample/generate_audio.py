#!/usr/bin/env python3
"""Renders the sample audio library of data/sample (no audio is committed): WAV files of
known tempo and key, tagged, mis-tagged and untagged, a side-long rip with its CUE sheet,
and one corrupt file. Python's standard library only (wave, struct, math, random).

    python3 data/sample/generate_audio.py [--formats] OUT_DIR

Every track is a kick on each beat at its BPM over an I-IV-V-I cadence in its key, 22 050 Hz
mono 16-bit. Tags are ID3v2.4 in the WAV's `id3 ` chunk (TPE1, TALB, TIT2, TRCK, and
TXXX:DISCOGS_RELEASE_ID as Discogs taggers write it). The output is the same on every run.

With `--formats` (the end-to-end test), the files marked flac, ogg or mp3 are encoded with
Debian's tools and tagged by them instead: `sox` (to 44.1 kHz stereo 24-bit) then `flac`
with Vorbis comments; `oggenc` (vorbis-tools) with Vorbis comments; `lame` with ID3v2 frames
(TXXX for the release id). A missing tool is an error naming its Debian package. Without it
(`make warehouse`, which needs only python3) they are WAV files like the others.

The tempo of most tracks and the gain of every track follow data/sample/exportify.csv's
Tempo and Loudness (gain = 10^((Loudness + 8) / 20), at most 1), so that with the others at
least ten tracks have both an analysis and a features row and `analysis_calibration` is
fitted on values that relate the way real ones do.
"""

import math
import os
import random
import shutil
import struct
import subprocess
import sys
import wave

RATE = 22050

# (folder, file name, tags or None, seconds, bpm, key 0=C, mode 1 major / 0 minor, gain,
# format under --formats). The releases and titles are data/sample's (collection_tracks.csv).
FILES = [
    # DISCOGS_RELEASE_ID + position: matched by release and position
    ("Nova/Horizon Sessions", "01 Silence brume.wav",
     {"artist": "Nova", "album": "Horizon Sessions", "title": "Silence brume", "track": "A1", "release": "1000001"}, 20, 120, 0, 1, 0.93, "wav"),
    # mis-tagged: position A3 but the title is A2's -> matched by title within the release
    ("Nova/Horizon Sessions", "02 Aurore orage.wav",
     {"artist": "Nova", "album": "Horizon Sessions", "title": "Aurore orage", "track": "A3", "release": "1000001"}, 20, 128, 7, 1, 0.91, "wav"),
    # tags without a release id: the matching scorer
    ("Les Ondes/Nuit EP", "Nuit maree.wav",
     {"artist": "Les Ondes", "album": "Nuit EP", "title": "Nuit marée", "track": "1"}, 20, 90, 9, 0, 0.57, "wav"),
    # untagged: the file name and folder stand in
    ("Silence EP", "A3 - Mira Kovač - Volcan signal.wav", None, 20, 174, 2, 0, 1.0, "wav"),
    # untagged, no track of the collection: unmatched
    ("Misc", "Unknown Artist - Nothing Like It.wav", None, 15, 100, 5, 1, 1.0, "wav"),
    # tagged with release id and position, at exportify.csv's tempo, key and loudness:
    # FLAC (Vorbis comments), Ogg Vorbis, MP3 (ID3v2) under --formats
    ("Nova/Horizon Sessions", "04 L'Velours echo.flac",
     {"artist": "Nova", "album": "Horizon Sessions", "title": "L'Velours echo", "track": "B1", "release": "1000001"}, 15, 135, 4, 0, 1.0, "flac"),
    ("Nova/Horizon Sessions", "05 Fièvre jardin.ogg",
     {"artist": "Nova", "album": "Horizon Sessions", "title": "Fièvre jardin", "track": "B2", "release": "1000001"}, 15, 118, 8, 1, 0.85, "ogg"),
    # an MP3 without a track number: matched by its title within the tagged release
    ("Nova/Horizon Sessions", "06 Volcan velours.mp3",
     {"artist": "Nova", "album": "Horizon Sessions", "title": "Volcan velours", "release": "1000001"}, 15, 126, 6, 1, 0.88, "mp3"),
    ("Nova/Horizon Sessions", "07 Soleil glace.wav",
     {"artist": "Nova", "album": "Horizon Sessions", "title": "Soleil glace", "track": "C1", "release": "1000001"}, 15, 124, 7, 1, 1.0, "wav"),
]

# A side-long rip of release 1023758 (DJ Sable, Poussière à Paris), side A, split by its CUE:
# (title, bpm, key, mode, gain), slow and quiet as exportify.csv has them.
SIDE = ("DJ Sable/Poussière à Paris", "Side A.wav", 1023758,
        [("L'Glace volcan", 69, 4, 0, 0.21), ("Brume signal", 78, 10, 1, 0.12), ("Brume ciel", 84, 1, 0, 0.13), ("Poussière marée", 72, 8, 1, 0.17)], 15)


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


def render(seconds, bpm, key, mode, seed, gain=1.0):
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
    return [v * gain for v in out] if gain != 1.0 else out


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


# the Debian package of each encoder
PACKAGES = {"sox": "sox", "flac": "flac", "oggenc": "vorbis-tools", "lame": "lame"}


def tool(name):
    path = shutil.which(name)
    if path is None:
        sys.exit("generate_audio.py --formats: `%s` not found (apt-get install %s)" % (name, PACKAGES[name]))
    return path


def encode(wav, target, fmt, tags):
    """Encodes the WAV `wav` into `target` as `fmt`, tagged, and removes the WAV."""
    if fmt == "flac":
        hi = wav + ".44k.wav"
        subprocess.run([tool("sox"), wav, "-r", "44100", "-c", "2", "-b", "24", "-t", "wavpcm", hi], check=True)
        comments = [("ARTIST", "artist"), ("ALBUM", "album"), ("TITLE", "title"), ("TRACKNUMBER", "track"), ("DISCOGS_RELEASE_ID", "release")]
        cmd = [tool("flac"), "--silent", "-f", "-o", target]
        for field, key in comments:
            if key in tags:
                cmd += ["-T", "%s=%s" % (field, tags[key])]
        subprocess.run(cmd + [hi], check=True)
        os.remove(hi)
    elif fmt == "ogg":
        opts = [("-a", "artist"), ("-l", "album"), ("-t", "title"), ("-N", "track")]
        cmd = [tool("oggenc"), "-Q", "-o", target]
        for opt, key in opts:
            if key in tags:
                cmd += [opt, tags[key]]
        if "release" in tags:
            cmd += ["-c", "DISCOGS_RELEASE_ID=%s" % tags["release"]]
        subprocess.run(cmd + [wav], check=True)
    elif fmt == "mp3":
        opts = [("--ta", "artist"), ("--tl", "album"), ("--tt", "title"), ("--tn", "track")]
        cmd = [tool("lame"), "--quiet", "--id3v2-only"]
        for opt, key in opts:
            if key in tags:
                cmd += [opt, tags[key]]
        if "release" in tags:
            cmd += ["--tv", "TXXX=DISCOGS_RELEASE_ID=%s" % tags["release"]]
        subprocess.run(cmd + [wav, target], check=True)
    else:
        raise ValueError(fmt)
    os.remove(wav)


def main():
    args = sys.argv[1:]
    formats = "--formats" in args
    args = [a for a in args if a != "--formats"]
    if len(args) != 1:
        sys.exit("usage: generate_audio.py [--formats] OUT_DIR")
    out = args[0]
    if formats:
        for name in PACKAGES:
            tool(name)
    for i, (folder, name, tags, secs, bpm, key, mode, gain, fmt) in enumerate(FILES):
        d = os.path.join(out, folder)
        os.makedirs(d, exist_ok=True)
        stem = os.path.splitext(name)[0]
        wav = os.path.join(d, stem + ".wav")
        samples = render(secs, bpm, key, mode, i, gain)
        if formats and fmt != "wav":
            write_wav(wav, samples, None)
            encode(wav, os.path.join(d, name), fmt, tags)
        else:
            write_wav(wav, samples, tags)
    folder, name, release, tracks, secs = SIDE
    d = os.path.join(out, folder)
    os.makedirs(d, exist_ok=True)
    side = []
    cue = ['PERFORMER "DJ Sable"', 'TITLE "Poussière à Paris"', 'FILE "%s" WAVE' % name]
    for n, (title, bpm, key, mode, gain) in enumerate(tracks):
        start = len(side) / RATE
        side += render(secs, bpm, key, mode, 100 + n, gain)
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
