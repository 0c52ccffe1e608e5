#!/usr/bin/env python3
"""Which phonetic algorithm meets the seed's misheard captions: for each (typed, captioned) pair,
whether the two keys are equal, or one sound apart, under Double Metaphone (the `Metaphone`
package, used) and jellyfish's Metaphone, NYSIIS, Soundex and Match Rating codex. Words of a
group are joined before encoding ("team sword" -> "teamsword"). Last column: whether the
archive's sound index (app/search/relax/sounds.py) offers the captioned words for the typed one.

With --db (an archive), also how many of its vocabulary words share a key with the typed word,
the candidates each algorithm would bring: the looser the key, the more noise to rank.

usage: pip install jellyfish && python tests/bench/phonetic_compare.py [--db sqlite:///a.db]
"""

import argparse
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import jellyfish
from metaphone import doublemetaphone
from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.search.relax.sounds import SoundIndex  # noqa: E402
from app.store import open_store  # noqa: E402
from app.text.phonetic import sound_keys  # noqa: E402

PAIRS = [  # from issue 16: what people type, what the seed's captions say
    ("kaggle", "cattle"),
    ("kaggle", "cargo"),
    ("scikit", "psychic"),
    ("scikit", "circuit"),
    ("timsort", "team sword"),
    ("timsort", "team sort"),
    ("francois", "franchoi"),
    ("chollet", "chalet"),
    ("gradient", "grading"),
    ("mlops", "mlaps"),
    ("twitter", "petra so"),
]

ALGORITHMS: dict[str, Callable[[str], list[str]]] = {
    "double metaphone": lambda w: [k for k in doublemetaphone(w) if k],
    "metaphone": lambda w: [jellyfish.metaphone(w)],
    "nysiis": lambda w: [jellyfish.nysiis(w)],
    "soundex": lambda w: [jellyfish.soundex(w)],
    "match rating": lambda w: [jellyfish.match_rating_codex(w)],
}


def distance(typed: str, heard: str, encode: Callable[[str], list[str]]) -> int:
    return min(
        Levenshtein.distance(a, b)
        for a in encode(typed.replace(" ", ""))
        for b in encode(heard.replace(" ", ""))
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", help="an archive whose vocabulary to count key collisions in")
    args = ap.parse_args()
    vocabulary = {w for _, heard in PAIRS for w in heard.split()}
    # counts as in a one-talk archive: everyday words said often, the misheard ones rarely
    index = SoundIndex.build([(w, 1, sound_keys(w)) for w in sorted(vocabulary)])
    print(f"{'typed':9} {'captioned':11} " + " ".join(f"{n:>16}" for n in ALGORITHMS) + "  archive")
    equal = dict.fromkeys(ALGORITHMS, 0)
    near = dict.fromkeys(ALGORITHMS, 0)
    offered = 0
    for typed, heard in PAIRS:
        cells = []
        for name, encode in ALGORITHMS.items():
            d = distance(typed, heard, encode)
            equal[name] += d == 0
            near[name] += d <= 1
            cells.append(f"{d:>16}")
        words = tuple(heard.split())
        found = words in index.alike_groups(typed) or (
            len(words) == 1 and words[0] in index.alike_words(typed, min_likeness=0.45)
        )
        offered += found
        print(f"{typed:9} {heard:11} " + " ".join(cells) + f"  {'yes' if found else 'no'}")
    print("keys equal:      " + ", ".join(f"{n} {equal[n]}/{len(PAIRS)}" for n in ALGORITHMS))
    print("one sound apart: " + ", ".join(f"{n} {near[n]}/{len(PAIRS)}" for n in ALGORITHMS))
    print(f"offered by the archive's sound index: {offered}/{len(PAIRS)}")
    if args.db:
        store = open_store(args.db)
        with store.snapshot() as snapshot:
            words = [w for w, _, _ in snapshot.vocabulary() if w.isalpha()]
        store.dispose()
        typed_words = sorted({typed for typed, _ in PAIRS})
        print(f"vocabulary words sharing a key with the typed word ({len(words)} words):")
        for name, encode in ALGORITHMS.items():
            buckets = Counter(k for w in words for k in set(encode(w)))
            shared = [max(buckets[k] for k in encode(t)) for t in typed_words]
            print(
                f"  {name:16} "
                + ", ".join(f"{t} {n}" for t, n in zip(typed_words, shared, strict=True))
            )


if __name__ == "__main__":
    main()
