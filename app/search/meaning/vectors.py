"""Meaning vectors as derived data: one vector per passage, stored per talk through the store and
kept in step with the talks by content hash, like the engines' derived indexes. A talk whose
vectors are missing, of another content or of another model is embedded again; unchanged talks
are skipped, so a re-ingest costs only what changed. Each talk is committed on its own: an
interrupted run keeps what it finished and the next one goes on from there.
"""

import logging
from collections.abc import Callable

import numpy as np

from app.search.meaning.embedder import Embedder
from app.search.meaning.fitted import (
    SAMPLE_PASSAGES,
    FittedEmbedder,
    TokenModel,
    fit_tokens,
    fitted_id,
    needs_fit,
)
from app.store import Snapshot, Store
from app.text.analysis import WORD_RE

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (talks done, talks to do)


def passage_texts(segment_texts: list[str], windows: list[tuple[int, int, int]]) -> list[str]:
    """Each passage's words as text: the talk's words are its segments' words, in order."""
    talk_words = [w for text in segment_texts for w in WORD_RE.findall(text)]
    return [" ".join(talk_words[start:end]) for _, start, end in windows]


def sample_texts(store: Store, limit: int) -> list[str]:
    """Up to `limit` passages' texts from across the archive: every talk's, or every n-th
    talk's at scale (twice the limit, so each talk gives passages from all through it)."""
    texts: list[str] = []
    with store.snapshot() as snapshot:
        stride = max(1, snapshot.passage_count() // (2 * limit))
        for talk_id in sorted(snapshot.talk_hashes())[::stride]:
            windows = snapshot.passage_windows(talk_id)
            texts += passage_texts(snapshot.segment_texts(talk_id), windows)
    if len(texts) > limit:
        texts = [texts[i] for i in np.linspace(0, len(texts) - 1, limit).astype(int)]
    return texts


def passage_embedder(store: Store, model: Embedder) -> Embedder:
    """What embeds the passages: a passage model fitted to `model` on this archive (fitted
    now when there is none or the archive outgrew it; app/search/meaning/fitted.py), or the
    model itself when it cannot be fitted to."""
    if not isinstance(model, TokenModel):
        return model
    with store.snapshot() as snapshot:
        fit = snapshot.meaning_fit(model.model_id)
        passages = snapshot.passage_count()
    if needs_fit(fit, passages):
        texts = sample_texts(store, SAMPLE_PASSAGES)
        log.info(
            "meaning: fitting the passage model to %s on %d passages", model.model_id, len(texts)
        )
        tokens = fit_tokens(model, texts).astype(np.float16).tobytes()
        fit = (fitted_id(model.model_id, tokens), tokens, len(texts), passages)
        with store.write() as writer:
            writer.put_fit(model.model_id, *fit)
    if fit is None:
        return model
    model_id, tokens, _, _ = fit
    vectors = np.frombuffer(tokens, dtype=np.float16).reshape(-1, model.dimensions)
    return FittedEmbedder(model_id, vectors, model)


def vectors_model(snapshot: Snapshot, model: Embedder) -> str:
    """The model id the archive's passage vectors are stored under for queries by `model`."""
    return snapshot.fitted_model(model.model_id) or model.model_id


def stale_talks(store: Store, model_id: str) -> dict[int, str]:
    """talk id -> content hash of the talks whose vectors are to be computed."""
    with store.snapshot() as snapshot:
        wanted = snapshot.talk_hashes()
        have = snapshot.vector_hashes()
    return {tid: h for tid, h in wanted.items() if have.get(tid) != (h, model_id)}


def sync_vectors(
    store: Store,
    model: Embedder,
    progress: Progress | None = None,
    only: set[int] | None = None,
) -> int:
    """Embed the passages of every talk whose vectors are stale (of those in `only`, when
    given); returns how many talks. `model` embeds the queries; the passages are embedded
    by what `passage_embedder` gives for it."""
    embedder = passage_embedder(store, model)
    todo = stale_talks(store, embedder.model_id)
    if only is not None:
        todo = {tid: h for tid, h in todo.items() if tid in only}
    done = 0
    for talk_id, content_hash in sorted(todo.items()):
        with store.snapshot() as snapshot:
            windows = snapshot.passage_windows(talk_id)
            texts = passage_texts(snapshot.segment_texts(talk_id), windows)
        vectors = embedder.embed(texts) if texts else np.zeros((0, embedder.dimensions))
        ids = np.array([pid for pid, _, _ in windows], dtype=np.int64)
        with store.write() as writer:
            stored = writer.put_vectors(
                talk_id,
                content_hash,
                embedder.model_id,
                ids.tobytes(),
                vectors.astype(np.float16).tobytes(),
            )
        if not stored:
            log.info("talk %d changed while it was embedded: the next sync embeds it", talk_id)
        done += 1
        if progress is not None:
            progress(done, len(todo))
    return done


def rebuild_vectors(store: Store, model: Embedder, progress: Progress | None = None) -> int:
    """Every talk embedded again, with a passage model fitted again."""
    with store.write() as writer:
        writer.clear_vectors()
        writer.clear_fits()
    return sync_vectors(store, model, progress)
