#!/usr/bin/env python3
"""Quotes the captions misheard: sentences of the seed's edited twin (the episode Markdown) with
a word the seed's automatic captions say as other words ("Timsort" captioned as "team sword",
"Kaggle" as "cattle"), searched against the captions with the twin left out.

The truth needs no archive: the twin's words are aligned to the caption words (the same
alignment ingest uses), which gives each twin word the second it is said. A sentence counts
when the word-level edit script from its terms to the captions' replaces one of its content
words (4+ letters, not a stop word) by caption words of which one is a content word and none
is that word (an omission or a filler such as "uh" does not count, nor "gonna" for "going").
The query is up to --words words of the sentence around that word, as written in the twin.
Found when the top hit is the seed talk within --slack seconds of the query's first word.

usage: python tests/bench/sound_eval.py [--n 200] [--words 8] [--verbose]
Prints success@1 / @10 and median latency through the search service.
"""

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from rapidfuzz.distance import Levenshtein  # noqa: E402

from app.ingest.episode_md import read_episode  # noqa: E402
from app.ingest.files import transcript_files  # noqa: E402
from app.ingest.loader import load_files  # noqa: E402
from app.ingest.talk_build import line_times  # noqa: E402
from app.ingest.text_captions import read_text_captions  # noqa: E402
from app.search.engines.engine import get_engine  # noqa: E402
from app.search.meaning.nearest import load_meaning  # noqa: E402
from app.search.meaning.vectors import sync_vectors  # noqa: E402
from app.search.service import SearchService  # noqa: E402
from app.store import open_store  # noqa: E402
from app.text.alignment import align  # noqa: E402
from app.text.analysis import STOP_WORDS, WORD_RE, normalize, stem  # noqa: E402

SHARED = ROOT.parent / "shared"
TWIN = "from-software-engineer-to-machine-learning"
SEED_SLUG = "000-1290f93bafb96edd"
RARE_PASSAGES = 60  # a word in fewer passages than this is a name or a term, not everyday speech
INFORMAL = frozenset("gonna wanna gotta kinda sorta yeah okay".split())  # spoken, not misheard
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def misheard_queries(
    twin_path: Path, seed_path: Path, n: int, length: int, rng: random.Random
) -> list[tuple[str, float, str]]:
    """(query, second of its first word, the twin's word and the captions' words), at most n."""
    twin = read_episode(twin_path.read_text(encoding="utf-8"), twin_path)
    captions = read_text_captions(seed_path.read_text(encoding="utf-8"))
    caption_terms, caption_times = line_times(captions.segments)
    sentences: list[list[str]] = []
    for turn in twin.segments:
        sentences += [WORD_RE.findall(s) for s in SENTENCE_END.split(turn.text)]
    twin_words = [w for s in sentences for w in s]
    twin_terms = [stem(normalize(w)) for w in twin_words]
    alignment = align(twin_terms, caption_terms, caption_times)
    said_otherwise: dict[int, str] = {}  # twin word position -> what the captions say instead
    for op in Levenshtein.opcodes(twin_terms, caption_terms):
        heard = caption_terms[op.dest_start : op.dest_end]
        if op.tag != "replace" or not any(_content(t) for t in heard):
            continue
        for i in range(op.src_start, op.src_end):
            if _content(normalize(twin_words[i])) and twin_terms[i] not in heard:
                said_otherwise[i] = f"{twin_words[i]} / {' '.join(heard)}"
    found: list[tuple[str, float, str]] = []
    at = 0
    for sentence in sentences:
        lo, hi = at, at + len(sentence)
        at = hi
        differing = [i for i in range(lo, hi) if i in said_otherwise]
        if len(sentence) < 4 or not differing:
            continue
        i = differing[0]
        start = max(lo, min(i - rng.randrange(length), hi - length))
        end = min(hi, start + length)
        found.append((" ".join(twin_words[start:end]), alignment.times[start], said_otherwise[i]))
    rng.shuffle(found)
    return found[:n]


def _content(word: str) -> bool:
    """A word that carries meaning: not a stop word, a filler or an informal spelling."""
    return len(word) >= 4 and word not in STOP_WORDS and word not in INFORMAL and word.isalpha()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--episodes", type=Path, default=SHARED / "corpus/datatalksclub/episodes")
    ap.add_argument("--seed", type=Path, default=SHARED / "seed/000_1290f93bafb96edd.txt")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--words", type=int, default=8)
    ap.add_argument("--slack", type=float, default=10.0)
    ap.add_argument("--rng", type=int, default=7)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument(
        "--meaning",
        type=Path,
        help="search as `talks serve` does with meaning on; the archive, with its vectors, is "
        "built in (or read from) this folder",
    )
    args = ap.parse_args()
    rng = random.Random(args.rng)
    queries = misheard_queries(args.episodes / f"{TWIN}.md", args.seed, args.n, args.words, rng)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.meaning or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{folder}/sound.db"
        built = args.meaning is not None and (folder / "sound.db").exists()
        files, _ = transcript_files([args.episodes, args.seed])
        files = [f for f in files if f.stem != TWIN]
        store = open_store(url)
        try:
            if not built:
                load_files(store, get_engine(None, url), files)
            engine = get_engine(None, url)
            meaning = None
            if args.meaning:
                meaning, why = load_meaning(True)
                if meaning is None:
                    sys.exit(why)
                sync_vectors(store, meaning.embedder)
            service = SearchService(engine, meaning=meaning)
            with store.snapshot() as snapshot:
                rare = [
                    engine.term_passages(snapshot, stem(normalize(word.split(" / ")[0])))
                    < RARE_PASSAGES
                    for _, _, word in queries
                ]
            ranks: list[int | None] = []
            latencies = []
            for (q, second, word), is_rare in zip(queries, rare, strict=True):
                began = time.perf_counter()
                hits = service.search(store, q, limit=10).hits
                latencies.append(time.perf_counter() - began)
                rank = next(
                    (
                        r
                        for r, h in enumerate(hits, 1)
                        if h.talk.slug == SEED_SLUG and abs(h.start - second) <= args.slack
                    ),
                    None,
                )
                ranks.append(rank)
                if rank != 1 and args.verbose:
                    top = hits[0] if hits else None
                    got = f"{top.talk.slug} {top.start:.0f} {top.text[:70]!r}" if top else "-"
                    kind = "name/term" if is_rare else "everyday"
                    print(f"MISS {kind} [{word}] {q!r} want {second:.0f} got {got}")
        finally:
            store.dispose()
    named = [r for r, is_rare in zip(ranks, rare, strict=True) if is_rare]
    print(f"names and jargon (the twin's word in < {RARE_PASSAGES} passages of the archive):")
    print(f"  n={len(named)} success@1 {_share(named, 1):.3f} success@10 {_share(named, 10):.3f}")
    print(f"median latency {1000 * statistics.median(latencies):.1f} ms")
    print(f"queries {len(ranks)} (each holds a twin word the captions say as other words)")
    print(f"success@10 {_share(ranks, 10):.3f}")
    print(f"success@1 {_share(ranks, 1):.3f}")


def _share(ranks: list[int | None], k: int) -> float:
    return sum(r is not None and r <= k for r in ranks) / max(len(ranks), 1)


if __name__ == "__main__":
    main()
