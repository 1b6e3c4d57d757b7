#!/usr/bin/env python3
"""Renders the audio of the tag tests (never committed): a music bed, and the same bed under
speech, 16 kHz mono 16-bit WAV, with Debian's fluidsynth (+ timgm6mb-soundfont), espeak-ng
and sox.

    python3 models/render_tag_fixtures.py OUT_DIR

- `bed.wav`: 15 s of a piano and strings I-vi-IV-V progression in C at 100 BPM over a
  bass line and a drum kit, written as a MIDI file here (standard library) and rendered by
  fluidsynth with TimGM6mb.sf2;
- `voice.wav`: espeak-ng reading a text over the same bed, 6 dB below the voice;
- `short.wav`: 2 s of the bed, shorter than one 3-second patch (no tags).

Every file peaks at -15 dBFS: quiet enough that musicnn's own `batch_data`, which computes
`10000 * mel` in float16, does not overflow to infinity (it does on louder audio, and its tags
are then NaN; selecta computes that step in float32).

The voice over the bed must read as more vocal than the bed alone.
"""
import os
import struct
import subprocess
import sys

SOUNDFONTS = ["/usr/share/sounds/sf2/TimGM6mb.sf2", "/usr/share/sounds/sf2/FluidR3_GM.sf2"]
TEXT = (
    "I walked along the river in the evening light, and the city sang to me. "
    "Hold on, hold on, the night is young and the music never ends. "
    "We were dancing, we were singing, all the way back home."
)


def vlq(n):
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def track(events):
    """events: (tick, bytes) -> an MTrk chunk."""
    data, last = b"", 0
    for tick, ev in sorted(events, key=lambda e: e[0]):
        data += vlq(tick - last) + ev
        last = tick
    data += vlq(0) + b"\xff\x2f\x00"
    return b"MTrk" + struct.pack(">I", len(data)) + data


def midi(path, seconds=15, bpm=100):
    tpq = 480
    beats = int(seconds * bpm / 60) + 1
    ev = [(0, b"\xff\x51\x03" + struct.pack(">I", int(60e6 / bpm))[1:])]
    # programs: ch0 piano, ch1 strings, ch2 bass
    ev += [(0, bytes([0xC0, 0])), (0, bytes([0xC1, 48])), (0, bytes([0xC2, 33]))]
    chords = [(60, 64, 67), (57, 60, 64), (53, 57, 60), (55, 59, 62)]  # C Am F G
    for bar in range(beats // 4 + 1):
        root = chords[bar % 4]
        t0 = bar * 4 * tpq
        for n in root:
            ev += [(t0, bytes([0x91, n, 70])), (t0 + 4 * tpq - 10, bytes([0x81, n, 0]))]
        for b in range(4):
            t = t0 + b * tpq
            for n in root:
                ev += [(t, bytes([0x90, n + 12, 80])), (t + tpq // 2, bytes([0x80, n + 12, 0]))]
            bass = root[0] - 24
            ev += [(t, bytes([0x92, bass, 100])), (t + tpq - 20, bytes([0x82, bass, 0]))]
            # drums on channel 10: kick on 1 and 3, snare on 2 and 4, closed hats on eighths
            ev += [(t, bytes([0x99, 36 if b % 2 == 0 else 38, 110])), (t + 60, bytes([0x89, 36 if b % 2 == 0 else 38, 0]))]
            for h in (0, tpq // 2):
                ev += [(t + h, bytes([0x99, 42, 70])), (t + h + 30, bytes([0x89, 42, 0]))]
    with open(path, "wb") as f:
        f.write(b"MThd" + struct.pack(">IHHH", 6, 0, 1, tpq) + track(ev))


def run(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    sf = next((s for s in SOUNDFONTS if os.path.exists(s)), None)
    if sf is None:
        sys.exit("no General MIDI soundfont: apt-get install timgm6mb-soundfont")
    mid = os.path.join(out, "bed.mid")
    midi(mid)
    raw = os.path.join(out, "bed-44k.wav")
    run("fluidsynth", "-ni", "-g", "0.8", "-r", "44100", "-F", raw, sf, mid)
    bed = os.path.join(out, "bed.wav")
    run("sox", raw, "-r", "16000", "-c", "1", "-b", "16", bed, "trim", "0", "15", "norm", "-15")
    speech = os.path.join(out, "speech-22k.wav")
    run("espeak-ng", "-v", "en", "-s", "150", "-w", speech, TEXT)
    speech16 = os.path.join(out, "speech.wav")
    run("sox", speech, "-r", "16000", "-c", "1", "-b", "16", speech16, "norm", "-3", "pad", "0.5", "0", "repeat", "2", "trim", "0", "15")
    run("sox", "-m", "-v", "2.0", bed, "-v", "1.0", speech16, "-b", "16", os.path.join(out, "voice.wav"), "norm", "-15")
    run("sox", bed, os.path.join(out, "short.wav"), "trim", "0", "2")
    for f in (mid, raw, speech, speech16):
        os.remove(f)
    print(f"{out}: bed.wav, voice.wav, short.wav")


if __name__ == "__main__":
    main()
