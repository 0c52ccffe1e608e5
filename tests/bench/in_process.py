"""The service over a benchmark archive, in this process, and the queries to ask it: what the
in-process tools (ab_constants.py, placing_bench.py, page_digest.py, web_layer.py) share."""

import random
from pathlib import Path

from app.search.engines.engine import get_engine
from app.search.service import SearchService
from app.store import Store, open_store
from tests.bench.bench import CLASSES, SHARED, make_queries

# the classes of word queries ("subject" is the topic queries, blended with meaning when on)
WORD_CLASSES = ",".join(c for c in CLASSES if c != "subject")


def bench_queries(per_class: int) -> dict[str, list[str]]:
    """The benchmark's query classes, drawn as ab_http.py draws them."""
    return make_queries(SHARED / "corpus/datatalksclub/episodes", random.Random(7), per_class)


def searcher_of(db: Path | str) -> tuple[Store, SearchService]:
    """The archive `tests/bench/bench.py --archive DIR` built (DIR/bench.db), or a database URL
    (PostgreSQL: `bench.py --db URL` ingested into it), its default engine in step with it."""
    url = db if isinstance(db, str) and "://" in db else f"sqlite:///{db}"
    store = open_store(url)
    engine = get_engine(None, url)
    engine.sync(store)
    return store, SearchService(engine)
