"""Which sequence alignment times the edited transcript best: rapidfuzz's Levenshtein opcodes
(what app/text/alignment.py uses) or the standard library's difflib, on the seed's captions
and its edited episode. For sentences found exactly once in the captions (the truth, as in
merge_check.py), the aligned time of the sentence's first word against the caption line's
second; and the time each alignment takes.

usage: python tests/bench/align_bench.py
"""

import difflib
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.ingest.episode_md import read_episode  # noqa: E402
from app.ingest.talk_build import line_times  # noqa: E402
from app.ingest.text_captions import read_text_captions  # noqa: E402
from app.text import alignment  # noqa: E402
from app.text.analysis import stem, words  # noqa: E402
from tests.bench.merge_check import EPISODES, SEED, TWIN, sentences  # noqa: E402


def difflib_align(worded: list[str], timed: list[str], times: list[float]) -> list[float]:
    """The same anchoring and interpolation, with difflib's opcodes."""
    pairs = [-1] * len(worded)
    matcher = difflib.SequenceMatcher(None, worded, timed, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for k in range(i2 - i1):
                pairs[i1 + k] = j1 + k
    alignment._drop_outliers(pairs, times)
    return alignment._interpolate(pairs, times, len(worded))


def main() -> None:
    twin = read_episode((EPISODES / f"{TWIN}.md").read_text(encoding="utf-8"), EPISODES)
    captions = read_text_captions(SEED.read_text(encoding="utf-8"))
    cap_terms, cap_times = line_times(captions.segments)
    edited_words = [w for s in twin.segments for w in s.text.split()]
    edited_terms = [stem(w) for s in twin.segments for w in words(s.text)]
    quotes = sentences(300, 11)
    # where each quote starts in the edited text, as index terms
    joined = [tuple(edited_terms[i : i + 8]) for i in range(len(edited_terms))]
    starts = {}
    for quote, truth in quotes:
        key = tuple(stem(w) for w in words(quote))
        if key in joined:
            starts[quote] = (joined.index(key), truth)
    print(f"{len(edited_words)} edited words, {len(cap_terms)} caption words, {len(starts)} quotes")
    for name, run in [
        (
            "rapidfuzz Levenshtein",
            lambda: alignment.align(edited_terms, cap_terms, cap_times).times,
        ),
        ("difflib SequenceMatcher", lambda: difflib_align(edited_terms, cap_terms, cap_times)),
    ]:
        took = []
        for _ in range(3):
            began = time.perf_counter()
            times = run()
            took.append(time.perf_counter() - began)
        errors = [abs(times[i] - truth) for i, truth in starts.values()]
        within = sum(e <= 2.0 for e in errors)
        print(
            f"{name:24} {1000 * statistics.median(took):7.1f} ms  "
            f"within 2 s: {within}/{len(errors)} = {within / len(errors):.3f}"
            f"  median {statistics.median(errors):.2f} s"
            f"  max {max(errors):.1f} s"
        )


if __name__ == "__main__":
    main()
