"""The passage model fitted to the meaning model on the archive's own passages: what it
learns, where it is kept, when it is fitted again, and that searches by meaning go through it.
The model here embeds a text by the subjects of its words, nonlinearly (normalised, with a
constant), so a token's vector seen alone is not what it adds to a passage: the fit has
something to learn."""

from pathlib import Path

import numpy as np
import pytest

from app.search.meaning import fitted
from app.search.meaning.fitted import FittedEmbedder, TokenModel, fit_tokens, needs_fit
from app.search.meaning.nearest import MeaningSearch
from app.search.meaning.vectors import (
    passage_embedder,
    rebuild_vectors,
    stale_talks,
    sync_vectors,
    vectors_model,
)
from app.search.service import SearchService
from app.store import Store
from app.text.analysis import words
from tests.conftest import ingest, search_engine_of
from tests.search.test_meaning import LINES, TopicEmbedder, write_talks


class TopicTokens(TopicEmbedder):
    """The subjects embedder, with tokens (one per word of its vocabulary) to be fitted to."""

    model_id = "test-subject-tokens"

    def __init__(self) -> None:
        super().__init__()
        found = {w for lines in LINES.values() for line in lines for w in words(line)}
        self.vocabulary = sorted(found | {"burnout", "screening", "unknownword"})
        self.at = {w: i for i, w in enumerate(self.vocabulary)}

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        return [[self.at[w] for w in words(t) if w in self.at] for t in texts]

    def token_prior(self) -> np.ndarray:
        return self.embed(self.vocabulary)


def test_the_toy_model_can_be_fitted_to() -> None:
    assert isinstance(TopicTokens(), TokenModel) and not isinstance(TopicEmbedder(), TokenModel)


def test_a_fit_comes_nearer_the_model_than_its_tokens_alone() -> None:
    model = TopicTokens()
    texts = [line for lines in LINES.values() for line in lines]
    tokens = fit_tokens(model, texts)
    assert tokens.shape == (len(model.vocabulary), model.dimensions)
    target = model.embed(texts)
    fit = FittedEmbedder("fit", tokens, model).embed(texts)
    alone = FittedEmbedder("alone", model.token_prior(), model).embed(texts)
    near_fit = float(np.mean(np.sum(fit * target, axis=1)))
    near_alone = float(np.mean(np.sum(alone * target, axis=1)))
    assert near_fit > 0.99 and near_fit > near_alone + 0.01


def test_a_text_without_known_tokens_is_a_zero_vector() -> None:
    model = TopicTokens()
    out = FittedEmbedder("fit", model.token_prior(), model).embed(["", "zzz qqq"])
    assert out.shape == (2, model.dimensions) and not out.any()


def test_a_small_fit_is_made_again_once_the_archive_grew() -> None:
    small = ("m", b"", 300, 300)
    full = ("m", b"", fitted.SAMPLE_PASSAGES, 100_000)
    assert needs_fit(None, 10) and not needs_fit(None, 0)
    assert not needs_fit(small, 1199) and needs_fit(small, 1200)
    assert not needs_fit(full, 10_000_000)


@pytest.fixture
def fitted_db(db: Store, tmp_path: Path) -> Store:
    report = ingest(db, write_talks(tmp_path / "talks", LINES))
    assert report.failed == 0, report.errors
    return db


def test_passages_are_embedded_by_a_fit_kept_in_the_archive(fitted_db: Store) -> None:
    model = TopicTokens()
    assert sync_vectors(fitted_db, model) == 3
    with fitted_db.snapshot() as snapshot:
        fit = snapshot.meaning_fit(model.model_id)
        kept = vectors_model(snapshot, model)
        stored = snapshot.talk_vectors(kept)
        passages = snapshot.passage_count()
    assert fit is not None and fit[0] == kept and kept.startswith(model.model_id + "-fit-")
    assert fit[2] == fit[3] == passages  # a small archive: every passage in the sample
    assert len(stored) == 3
    # the next sync keeps the fit and embeds nothing; the model itself embedded only the sample
    embedded = model.texts
    assert (
        sync_vectors(fitted_db, model) == 0 and passage_embedder(fitted_db, model).model_id == kept
    )
    assert model.texts == embedded
    assert stale_talks(fitted_db, kept) == {}


def test_meaning_is_searched_through_the_fit(fitted_db: Store) -> None:
    model = TopicTokens()
    sync_vectors(fitted_db, model)
    search = SearchService(search_engine_of(fitted_db), meaning=MeaningSearch(model))
    result = search.search(fitted_db, "where do they discuss burnout")
    assert result.blended and result.hits[0].talk.slug == "tired-team"
    assert result.hits[0].match == "meaning"


def test_a_rebuild_fits_again(fitted_db: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    model = TopicTokens()
    sync_vectors(fitted_db, model)
    monkeypatch.setattr(fitted, "RIDGE", 1.0)  # another fit: other token vectors, another id
    assert rebuild_vectors(fitted_db, model) == 3
    with fitted_db.snapshot() as snapshot:
        fits = snapshot.rows("SELECT model FROM meaning_fits")
        kept = vectors_model(snapshot, model)
        assert len(snapshot.talk_vectors(kept)) == 3
    assert fits == [(kept,)]


class NarrowTokens:
    """A model whose tokens alone all look alike (a large shared part, as MiniLM's do), with a
    text's vector a nonlinear mix of its tokens': fitted on fewer texts than dimensions, least
    squares alone gave vectors far past float16 (MiniLM on a 380-passage archive: 835,266)."""

    model_id = "test-narrow"
    dimensions = 16

    def __init__(self) -> None:
        rng = np.random.default_rng(5)
        self.shared = rng.normal(size=self.dimensions) * 10
        self.own = rng.normal(size=(40, self.dimensions))

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        return [[int(w) % 40 for w in t.split()] for t in texts]

    def token_prior(self) -> np.ndarray:
        return (self.shared + 0.01 * self.own).astype(np.float32)

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.stack([np.tanh(self.own[ids].sum(axis=0)) for ids in self.token_ids(texts)])
        return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def test_a_fit_on_a_few_passages_stays_in_range() -> None:
    model = NarrowTokens()
    # a small archive saying the same things again (least squares alone: up to 5,246 here)
    texts = ["1 2 3 4"] * 5 + ["5 6 7"] * 5 + ["1 2 3 4 5 6 7"] * 3
    tokens = fit_tokens(model, texts)
    assert np.isfinite(tokens.astype(np.float16)).all() and np.abs(tokens).max() < 100
    out = FittedEmbedder("fit", tokens, model).embed(["1 2 3", "33 34 35 36"])
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-3)
