"""Checks one talk with several transcripts on the shared corpus through HTTP, as issue 12
measures it: the seed's captions (with its sidecar from data/) and its edited episode are one
talk; sentences of the edited transcript land within 2 s of the caption line where they are
said; quotes that match only the misheard captions are found and shown in the edited words.

The truth for a sentence is found without the archive: its words, as index terms, occurring
exactly once in the captions; the caption line holding its first word is where it is said.
Compared with the edited episode alone (times interpolated inside its turns).

usage: python tests/bench/merge_check.py [--n 300]
"""

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.ingest.episode_md import read_episode  # noqa: E402
from app.ingest.talk_build import line_times  # noqa: E402
from app.ingest.text_captions import read_text_captions  # noqa: E402
from app.text.analysis import terms  # noqa: E402
from tests.servers import TALKS, talks_server  # noqa: E402

EPISODES = ROOT.parent / "shared" / "corpus" / "datatalksclub" / "episodes"
TWIN = "from-software-engineer-to-machine-learning"
SEED = ROOT / "data" / "000_1290f93bafb96edd.txt"
MISHEARD = [  # typed as people remember them; only the captions' misheard words match
    ("the sorting behind python is called team sword", "Timsort"),
    ("if you go to cattle they have tutorials", "Kaggle"),
]


def get(base: str, path: str, **params: object) -> dict:
    url = base + path + "?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.loads(response.read())


def sentences(n: int, seed: int) -> list[tuple[str, float]]:
    """(quote, caption second) for sentences of the edited text found once in the captions."""
    twin = read_episode((EPISODES / f"{TWIN}.md").read_text(encoding="utf-8"), EPISODES)
    captions = read_text_captions(SEED.read_text(encoding="utf-8"))
    cap_terms, cap_times = line_times(captions.segments)
    where: dict[tuple[str, ...], list[int]] = {}
    length = 8
    for i in range(len(cap_terms) - length + 1):
        where.setdefault(tuple(cap_terms[i : i + length]), []).append(i)
    rng = random.Random(seed)
    found = []
    turns = [s.text.split() for s in twin.segments]
    for _ in range(20 * n):
        words = rng.choice(turns)
        if len(words) < length:
            continue
        k = rng.randrange(len(words) - length + 1)
        quote = " ".join(words[k : k + length])
        key = tuple(terms(quote))
        if len(key) == length and len(where.get(key, [])) == 1:
            found.append((quote, cap_times[where[key][0]]))
        if len(found) == n:
            break
    return list(dict.fromkeys(found))


def run(base: str, slug: str, quotes: list[tuple[str, float]]) -> list[float | None]:
    """How far from the caption second the first hit of the talk lands (None: not found)."""
    errors = []
    for quote, truth in quotes:
        hits = get(base, "/api/search", q=quote, limit=10, facets="false")["hits"]
        ours = [h for h in hits if h["talk"]["slug"] == slug]
        errors.append(abs(ours[0]["start"] - truth) if ours and hits[0] is ours[0] else None)
    return errors


def summary(name: str, errors: list[float | None]) -> None:
    n = len(errors)
    within = sum(e is not None and e <= 2.0 for e in errors)
    over3 = sum(e is None or e > 3.0 for e in errors)
    found = [e for e in errors if e is not None]
    print(
        f"{name:26} n={n} first hit within 2 s: {within}/{n} = {within / n:.3f}; "
        f"more than 3 s off or not first: {over3}; median error "
        f"{statistics.median(found):.1f} s, max {max(found):.1f} s"
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    quotes = sentences(args.n, args.seed)
    work = Path(tempfile.mkdtemp(prefix="merge-check-"))
    ok = True
    for name, files in [
        ("edited alone", [EPISODES / f"{TWIN}.md"]),
        ("edited + captions, merged", [EPISODES, ROOT / "data"]),
    ]:
        db = f"sqlite:///{work / (name.split()[0] + str(len(files)) + '.db')}"
        subprocess.run(
            [TALKS, "ingest", *map(str, files), "--db", db], check=True, capture_output=True
        )
        with talks_server(db, work / "serve.log") as base:
            errors = run(base, TWIN, quotes)
            summary(name, errors)
            if len(files) == 1:
                continue
            total = get(base, "/api/talks", limit=1)["total"]
            files_in = len(list(EPISODES.glob("*.md"))) + 1
            print(f"/api/talks total {total} for {files_in} files (one talk of two transcripts)")
            ok &= total == files_in - 1
            twice = 0
            for quote, _ in quotes:
                hits = get(base, "/api/search", q=quote, limit=10, facets="false")["hits"]
                starts = sorted(h["start"] for h in hits if h["talk"]["slug"] == TWIN)
                twice += any(b - a < 5.0 for a, b in zip(starts, starts[1:], strict=False))
            print(f"quotes with the same moment twice: {twice}")
            ok &= twice == 0
            for quote, word in MISHEARD:
                hits = get(base, "/api/search", q=quote, limit=10)["hits"]
                ours = [h for h in hits if h["talk"]["slug"] == TWIN]
                shown = bool(ours) and word in ours[0]["text"]
                where = f"at {ours[0]['start']:.0f} s, {ours[0]['transcript']}" if ours else ""
                print(f"misheard {quote!r}: found {bool(ours)} {where}; shows {word!r}: {shown}")
                ok &= shown
            within = sum(e is not None and e <= 2.0 for e in errors) / len(errors)
            ok &= within >= 0.95
    print("result:", "pass" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
