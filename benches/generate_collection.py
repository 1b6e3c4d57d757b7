#!/usr/bin/env python3
"""Writes a synthetic collection of N tracks (default 200 000) in the raw formats of the
original run, for `make bench`'s scale test: a Discogs `collection.csv`, the flat
`my_tracks.csv`, the original `my_tracks_spotify_id.csv` and the original `tracks_features.csv`
(the four files `examples/original_run.toml` reads).

Usage: benches/generate_collection.py OUT_DIR [N_TRACKS]

Everything is invented (seeded, deterministic); nothing is read from ../shared/data. The
proportions follow the original run: about 9 tracks per release, one track in five without a
Spotify ID, a few IDs shared by two tracks, a few IDs without features. The audio features are
drawn around eight loose musical families with wide spreads (so KMeans has real work: the
families overlap, as genres do), in the units of the Spotify API.
"""
import csv
import os
import random
import string
import sys

out = sys.argv[1]
n_tracks = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
rng = random.Random(2026)
os.makedirs(out, exist_ok=True)

# danceability, energy, loudness, speechiness, acousticness, instrumentalness, liveness, valence, tempo
FAMILIES = [
    ("Electronic", "Techno", (0.75, 0.85, -7.5, 0.06, 0.02, 0.80, 0.12, 0.30, 127)),
    ("Electronic", "House", (0.82, 0.75, -7.0, 0.07, 0.05, 0.55, 0.10, 0.55, 122)),
    ("Folk, World, & Country", "Folk", (0.45, 0.30, -13.0, 0.04, 0.80, 0.15, 0.12, 0.35, 98)),
    ("Hip Hop", "Boom Bap", (0.80, 0.65, -6.5, 0.28, 0.12, 0.02, 0.18, 0.60, 92)),
    ("Jazz", "Soul-Jazz", (0.55, 0.45, -11.0, 0.05, 0.55, 0.45, 0.20, 0.55, 110)),
    ("Rock", "Indie Rock", (0.50, 0.80, -6.0, 0.05, 0.05, 0.10, 0.20, 0.45, 135)),
    ("Classical", "Modern", (0.30, 0.15, -20.0, 0.04, 0.90, 0.85, 0.10, 0.15, 85)),
    ("Funk / Soul", "Disco", (0.78, 0.70, -8.0, 0.05, 0.15, 0.20, 0.15, 0.80, 118)),
]
SPREAD = (0.15, 0.18, 3.5, 0.05, 0.25, 0.30, 0.10, 0.22, 18)
LIMITS = ((0, 1), (0, 1), (-40, 0), (0, 1), (0, 1), (0, 1), (0, 1), (0, 1), (50, 210))
ALPHABET = string.ascii_letters + string.digits


def word():
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9))).capitalize()


def spotify_id():
    return "".join(rng.choice(ALPHABET) for _ in range(22))


releases, tracks = [], []
release_id = 1_000_000
while len(tracks) < n_tracks:
    release_id += rng.randint(1, 50)
    family = rng.randrange(len(FAMILIES))
    genre, style, _ = FAMILIES[family]
    artist, title = f"{word()} {word()}", f"{word()} {word()}"
    releases.append([release_id, title, artist, rng.randint(1960, 2025), genre, style, rng.randint(1, 9_999_999), "Europe",
                     f"{word()} Records", "LP, Album", round(rng.uniform(3, 5), 2), rng.randint(1, 5000), rng.randint(1, 2000),
                     f"https://www.discogs.com/release/{release_id}", ""])
    for side in "ABCD"[: rng.randint(1, 4)]:
        for n in range(1, rng.randint(2, 4)):
            if len(tracks) < n_tracks:
                tracks.append((release_id, artist, title, f"{release_id}_{side}{n}", f"{word()} {word()}", family))

with open(os.path.join(out, "collection.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "title", "artist", "year", "genre", "style", "master_id", "release_country", "labels", "format",
                "rating", "have", "want", "url", "image_url"])
    w.writerows(releases)

ids, shared = [], None
for t in tracks:
    r = rng.random()
    if r < 0.2:
        ids.append("")
    elif r < 0.21 and shared:
        ids.append(shared)  # a second track with the same ID
    else:
        shared = spotify_id()
        ids.append(shared)

with open(os.path.join(out, "my_tracks.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["album_id", "artist", "album", "track_id", "title"])
    w.writerows(t[:5] for t in tracks)

with open(os.path.join(out, "my_tracks_spotify_id.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["album_id", "artist", "album", "track_id", "title", "spotify_id"])
    w.writerows(list(t[:5]) + [i] for t, i in zip(tracks, ids))

KEYS = ["C", "C#/D♭", "D", "D#/E♭", "E", "F", "F#/G♭", "G", "G#/A♭", "A", "A#/B♭", "B"]
seen = set()
with open(os.path.join(out, "tracks_features.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["Track_id", "Artist", "Title", "Album", "Genre", "Style", "Popularity", "Danceability", "Energy", "Loudness",
                "Speechiness", "Acousticness", "Instrumentalness", "Liveness", "Valence", "Tempo", "Time_Signature", "Time",
                "Key", "Camelot", "Spotify_key", "Spotify_mode", "spotify_id"])
    for t, sid in zip(tracks, ids):
        if not sid or sid in seen:
            continue
        seen.add(sid)
        genre, style, centre = FAMILIES[t[5]]
        if rng.random() < 0.002:  # an ID without features: the row is there, the features are not
            w.writerow([t[3], t[1], t[4], t[2], genre, style, "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", sid])
            continue
        f9 = [min(hi, max(lo, rng.gauss(c, s))) for c, s, (lo, hi) in zip(centre, SPREAD, LIMITS)]
        key, mode = rng.randrange(12), rng.randrange(2)
        secs = rng.randint(120, 480)
        w.writerow([t[3], t[1], t[4], t[2], genre, style, rng.randint(0, 80), round(f9[0], 3), round(f9[1], 3), round(f9[2], 3),
                    round(f9[3], 4), round(f9[4], 5), round(f9[5], 5), round(f9[6], 4), round(f9[7], 3), round(f9[8], 3), 4,
                    f"{secs // 60}:{secs % 60:02d}", f"{KEYS[key]} {'Major' if mode else 'Minor'}", "", key, mode, sid])
print(f"{len(releases)} releases, {len(tracks)} tracks, {len(seen)} Spotify IDs → {out}")
