"""Checks the catalogue on the full shared corpus through HTTP, as issue 11 measures it: browse
pages answer and list what the archive holds, each guest is listed once, a guest's name, a talk's
title or a chapter title puts that talk first, paging repeats nothing with one total, and the
speaker filter keeps only that person's moments.

usage: python tests/bench/catalogue_check.py [--db URL]   (default: a new SQLite file)
"""

import argparse
import json
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.servers import TALKS, talks_server  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "datatalksclub"
COMMON_QUERIES = ["machine learning engineer", "data", "career transition"]


def get(base: str, path: str, **params: object) -> object:
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=60) as response:
        body = response.read().decode()
        return json.loads(body) if path.startswith("/api/") else (response.status, body)


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    try:
        return yaml.safe_load(text.split("\n---", 1)[0].lstrip("-\n")) or {}
    except yaml.YAMLError:
        return {}  # people/_template.md


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="")
    args = ap.parse_args()
    import subprocess

    work = Path(tempfile.mkdtemp(prefix="catalogue-check-"))
    db = args.db or f"sqlite:///{work / 'talks.db'}"
    episodes = sorted((CORPUS / "episodes").glob("*.md"))
    subprocess.run(
        [TALKS, "ingest", str(CORPUS / "episodes"), str(ROOT / "data"), "--db", db],
        check=True,
        capture_output=True,
    )
    people = {p.stem: front_matter(p).get("title") for p in (CORPUS / "people").glob("*.md")}
    failures: list[str] = []
    with talks_server(db, work / "serve.log") as base:
        for path in (
            "/",
            "/talks",
            "/speakers",
            "/topics",
            "/speakers/alexey-grigorev",
            "/topics/mlops",
        ):
            status, body = get(base, path)  # type: ignore[misc]
            print(f"{path:28} {status} {len(body):>8} bytes")
        talks = get(base, "/api/talks", limit=100)
        n_talks = len(episodes)  # the sample in data/ is the captions of one episode: one talk
        print(f"/api/talks total {talks['total']} ({len(episodes) + 1} files, {n_talks} talks)")
        if talks["total"] != n_talks:
            failures.append("talk total")
        speakers = get(base, "/api/speakers", limit=100)["speakers"]
        more = get(base, "/api/speakers", limit=100, offset=100)["speakers"]
        speakers += more
        slugs = [s["slug"] for s in speakers]
        names = {s["name"]: s["talk_count"] for s in speakers}
        guests = {people.get(g, g) for e in episodes for g in front_matter(e).get("guests") or []}
        missing = sorted(g for g in guests if g not in names)
        print(
            f"/api/speakers {len(speakers)} people, {len(set(slugs))} slugs; "
            f"guests {len(guests)}, missing {missing}; host talks {names.get('Alexey Grigorev')}"
        )
        if len(slugs) != len(set(slugs)) or missing:
            failures.append("speakers")

        firsts = {"guest": [0, 0], "title": [0, 0], "chapter": [0, 0]}
        for e in episodes:
            meta = front_matter(e)
            slug = e.stem
            asks = [("title", meta.get("title"))]
            asks += [("guest", people.get(g, g)) for g in meta.get("guests") or []]
            headers = [i["header"] for i in meta.get("transcript") or [] if "header" in i]
            if headers:
                asks.append(("chapter", headers[len(headers) // 2]))
            for kind, text in asks:
                if not text:
                    continue
                body = get(base, "/api/search", q=str(text)[:2000], limit=1, facets="false")
                named = body["talks"]
                ok = bool(named) and (
                    named[0]["talk"]["slug"] == slug
                    or (kind == "guest" and text in named[0]["talk"]["speakers"])
                )
                firsts[kind][0] += ok
                firsts[kind][1] += 1
        for kind, (ok, n) in firsts.items():
            print(f"{kind:8} named first {ok}/{n} = {ok / n:.3f}")

        for q in COMMON_QUERIES:
            seen: set[tuple[str, float]] = set()
            totals: set[int] = set()
            repeats = hits = 0
            for page in range(8):
                body = get(base, "/api/search", q=q, limit=20, offset=20 * page)
                totals.add(body["total"])
                for h in body["hits"]:
                    key = (h["talk"]["slug"], h["start"])
                    repeats += key in seen
                    seen.add(key)
                    hits += 1
            print(f"paged {q!r}: {hits} hits, {repeats} repeated, totals {sorted(totals)}")
            if repeats or len(totals) != 1:
                failures.append(f"paging {q}")

        for person, q in [
            ("alexey-grigorev", "machine learning"),
            ("santiago-valdarrama", "python"),
        ]:
            body = get(base, "/api/search", q=q, speaker=person, limit=50)
            said = {h["speaker"] for h in body["hits"]}
            print(f"speaker={person} q={q!r}: {len(body['hits'])} hits, speakers {said}")
            if len(said) != 1:
                failures.append(f"speaker {person}")
    print("failures:", failures or "none")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
