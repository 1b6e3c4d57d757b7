#!/usr/bin/env python3
"""Writes selecta's sample collection: a small, invented record collection in the raw formats
of the real data (Discogs exporter CSVs, the original ID file, an Exportify export).

Everything here is made up by us; nothing comes from ../shared/data. The traps of the real data
are reproduced in miniature:
- titles the Python repr writes in double quotes (they contain an apostrophe), `\\'` and `\\t`
  escapes, accents, `&`, `/`, non-Latin letters, an unusual position (`¥2`);
- headings (`Disque 1`, `Disque 2`) with the same positions repeated under each;
- a compilation credited to "Various";
- Discogs disambiguation suffixes on artists and labels (`Nova (2)`, `Tresor (5)`);
- tracks without a Spotify ID, two tracks sharing one ID, IDs without audio features.

Run `python3 data/sample/generate.py` from the repo root to rewrite the files; the output is
deterministic (seeded).
"""
import csv
import os
import random
import string

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(1999)

# Six musical families with feature centres: danceability, energy, loudness, speechiness,
# acousticness, instrumentalness, liveness, valence, tempo.
FAMILIES = {
    "Techno":  dict(genre="Electronic", style="Techno, Tech House", f=(0.78, 0.85, -7.5, 0.06, 0.01, 0.85, 0.10, 0.30, 127)),
    "Folk":    dict(genre="Folk, World, & Country", style="Folk", f=(0.45, 0.28, -13.0, 0.04, 0.85, 0.15, 0.12, 0.35, 96)),
    "HipHop":  dict(genre="Hip Hop", style="Boom Bap", f=(0.82, 0.65, -6.5, 0.30, 0.12, 0.02, 0.18, 0.60, 92)),
    "Ambient": dict(genre="Electronic", style="Ambient", f=(0.25, 0.18, -20.0, 0.04, 0.70, 0.92, 0.10, 0.08, 80)),
    "Disco":   dict(genre="Funk / Soul", style="Disco", f=(0.80, 0.75, -8.0, 0.05, 0.10, 0.20, 0.15, 0.88, 118)),
    "Rock":    dict(genre="Rock", style="Punk, Garage Rock", f=(0.42, 0.90, -5.0, 0.07, 0.02, 0.05, 0.30, 0.55, 150)),
}
SPREAD = (0.08, 0.08, 2.0, 0.03, 0.10, 0.10, 0.06, 0.12, 8)
BOUNDS = ((0, 1), (0, 1), (-40, 0), (0, 1), (0, 1), (0, 1), (0, 1), (0, 1), (50, 200))

WORDS = ("Lumière Nuit Vague Horizon Signal Echo Velours Marée Orage Poussière Ciel Rivière Néon Sable "
         "Minuit Aurore Cendre Miroir Brume Fièvre Soleil Métal Rêve Silence Tempête Jardin Volcan Glace").split()
ARTISTS = ["Nova (2)", "Les Ondes", "Mira Kovač", "DJ Sable", "The Lanterns", "Kaito 森", "Ana & The Tides",
           "Orage Mécanique", "Blue Ferrule", "Cassiopée", "Rue Sombre", "Monsieur Lune", "Delta Frères",
           "Ilse Varga", "Ruído Bom", "Paz Ortega"]
LABELS = ["Tresor (5)", "Label Blanc", "Disques Nuit", "Orbit Records (2)", "Sillon", "Marée Basse"]


def title(i):
    t = f"{rng.choice(WORDS)} {rng.choice(WORDS).lower()}"
    r = i % 37
    if r == 3:
        t = f"L'{t}"            # apostrophe: repr uses double quotes
    elif r == 7:
        t = f"{t} & Co"
    elif r == 11:
        t = f"{t} / {rng.choice(WORDS)}"
    elif r == 13:
        t = f"Don't {t.lower()}"
    elif r == 17:
        t = f'{t} "Live"'       # double quotes inside: repr keeps single quotes
    elif r == 19:
        t = f"It's \"{t}\""       # both: repr escapes the apostrophe as \'
    elif r == 23:
        t = f"\t{t}"            # a tab, written \t by repr
    return t


def pyrepr_track(position, name):
    return f"<Track {position!r} {name!r}>"


def spotify_id():
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(22))


def features(family):
    centre = FAMILIES[family]["f"]
    vals = []
    for c, s, (lo, hi) in zip(centre, SPREAD, BOUNDS):
        v = min(hi, max(lo, rng.gauss(c, s)))
        vals.append(v)
    return vals


releases, tracks = [], []
release_id = 1000001
fam_names = list(FAMILIES)
for n in range(34):
    family = fam_names[n % len(fam_names)]
    rid = release_id + n * 7919
    artist = ARTISTS[n % len(ARTISTS)]
    album = f"{rng.choice(WORDS)} {rng.choice(['EP', 'LP', 'Sessions', 'Vol. 2', 'à Paris', 'Dub'])}"
    entries = []
    if n == 5:  # a double album whose two discs repeat positions under headings
        artist, album = "Delta Frères", "Deux Disques"
        for disc in (1, 2):
            entries.append(("", f"Disque {disc}"))
            for pos in ("A1", "A2", "AA1", "AA2"):
                entries.append((pos, title(len(tracks) + len(entries))))
    elif n == 9:  # a compilation
        artist, album = "Various", "Nuits Blanches Compilation"
        for side in "ABCD":
            for k in range(1, 4):
                entries.append((f"{side}{k}", title(len(tracks) + len(entries))))
    else:
        sides = "AB" if n % 3 else "ABCD"
        per = rng.randint(3, 6) if len(sides) == 2 else rng.randint(3, 4)
        if n == 12:
            entries.append(("", "Acte I"))
        for side in sides:
            for k in range(1, per + 1):
                entries.append((f"{side}{k}", title(len(tracks) + len(entries))))
        if n == 14:
            entries.append(("¥2", "Hidden Groove"))
    labels = ", ".join(rng.sample(LABELS, 2))
    fmt = "LP, Album" if len(entries) > 6 else '12", EP'
    releases.append(dict(id=rid, title=album, artist=artist, year=1975 + (n * 3) % 48, genre=FAMILIES[family]["genre"],
                         style=FAMILIES[family]["style"], master_id=rid + 17, release_country=rng.choice(["France", "Europe", "UK", "Japan", "US"]),
                         labels=labels, format=fmt, rating=round(rng.uniform(3.5, 4.9), 2), have=rng.randint(10, 5000),
                         want=rng.randint(5, 2000), url=f"https://www.discogs.com/release/{rid}", image_url=""))
    tracks.append((rid, artist, album, entries, family))

# Tracklists (repr) and the flat per-track rows with Spotify IDs.
id_rows, feat_rows = [], []
shared_id = None
for rid, artist, album, entries, family in tracks:
    seen = {}
    for pos, name in entries:
        if pos == "":
            continue
        seen[pos] = seen.get(pos, 0) + 1
        key = f"{rid}_{pos}" + (f"#{seen[pos]}" if seen[pos] > 1 else "")
        r = rng.random()
        if r < 0.08:
            sid = ""                           # not found on Spotify
        elif shared_id is None and r > 0.5:
            sid = shared_id = spotify_id()     # the same recording on two releases
        else:
            sid = spotify_id()
        id_rows.append(dict(album_id=rid, artist=artist, album=album, track_id=key, title=name.strip(), spotify_id=sid))
        if sid and sid != shared_id or (sid == shared_id and len([x for x in feat_rows if x[0] == sid]) == 0):
            if rng.random() < 0.03:
                continue                       # an ID with no audio features
            feat_rows.append((sid, name.strip(), artist, album, family))
# the shared ID appears on a second release too
second = next(row for row in id_rows if row["spotify_id"] and row["spotify_id"] != shared_id and row["album_id"] != id_rows[0]["album_id"])
second["spotify_id"] = shared_id
feat_rows = [f for f in feat_rows if f[0] != second["spotify_id"] or f[0] == shared_id]

with open(os.path.join(HERE, "collection.csv"), "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(releases[0]))
    w.writeheader()
    w.writerows(releases)

with open(os.path.join(HERE, "collection_tracks.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "artist", "album", "tracklist"])
    for rid, artist, album, entries, _ in tracks:
        w.writerow([rid, artist, album, "[" + ", ".join(pyrepr_track(p, t) for p, t in entries) + "]"])

with open(os.path.join(HERE, "spotify_ids.csv"), "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=["album_id", "artist", "album", "track_id", "title", "spotify_id"])
    w.writeheader()
    w.writerows(id_rows)

HEADER = ("Track URI,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Explicit,Added By,"
          "Added At,Genres,Record Label,Danceability,Energy,Key,Loudness,Mode,Speechiness,Acousticness,"
          "Instrumentalness,Liveness,Valence,Tempo,Time Signature").split(",")
with open(os.path.join(HERE, "exportify.csv"), "w", newline="", encoding="utf-8-sig") as f:
    w = csv.writer(f)
    w.writerow(HEADER)
    seen_ids = set()
    for sid, name, artist, album, family in feat_rows:
        if sid in seen_ids:
            continue
        seen_ids.add(sid)
        d, e, l, s, a, i, lv, v, t = features(family)
        w.writerow([f"spotify:track:{sid}", name, album, artist.replace(" (2)", ""), f"{rng.randint(1975, 2022)}-01-01",
                    rng.randint(150_000, 420_000), rng.randint(0, 60), "false", "selecta-sample", "2026-01-01T00:00:00Z",
                    "", "", f"{d:.3f}", f"{e:.3f}", rng.randint(0, 11), f"{l:.3f}", rng.randint(0, 1), f"{s:.4f}",
                    f"{a:.4f}", f"{i:.4f}", f"{lv:.3f}", f"{v:.3f}", f"{t:.3f}", 4])

n_tracks = sum(1 for _, _, _, e, _ in tracks for p, _ in e if p)
print(f"{len(releases)} releases, {n_tracks} tracks, {sum(1 for r in id_rows if r['spotify_id'])} with an ID, {len(seen_ids)} with features")

# A local Spotify catalogue for `[match] source = "catalogue"` (examples/sample_review.toml): the
# tracks with an ID as Spotify lists them, and the traps a person must review. Its own seed, so
# the files above do not move when it changes.
crng = random.Random(2026)
cat_rows, made = [], set()
for i, row in enumerate(id_rows):
    sid = row["spotify_id"]
    if not sid or sid in made:
        continue
    made.add(sid)
    artist = row["artist"].replace(" (2)", "")
    name, album = row["title"], row["album"]
    dur = crng.randint(150_000, 420_000)
    if i % 29 == 4:
        # Listed on a best-of under a longer title: a `low` match, queued for review.
        name, album = f"{name} (Version Longue)", f"Best Of {artist}"
    elif i % 29 == 9:
        # Only on a best-of: a `medium` or `high` match.
        album = f"The Best Of {artist}"
    cat_rows.append((sid, name, artist, album, dur))
    if i % 11 == 2:
        # The same artist's sequel on the same album: the version penalty keeps it out.
        cat_rows.append((spotify_id(), f"{row['title']} Part Two", artist, row["album"], dur + 30_000))
    if row["artist"] == "Various" and i % 4 == 1:
        # Another performer's song of the same name on the same compilation: ambiguous.
        cat_rows.append((spotify_id(), row["title"], crng.choice(ARTISTS).replace(" (2)", ""), row["album"], dur))
with open(os.path.join(HERE, "catalogue.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["spotify_id", "name", "artists", "album", "duration_ms"])
    w.writerows(cat_rows)
print(f"catalogue.csv: {len(cat_rows)} rows")
