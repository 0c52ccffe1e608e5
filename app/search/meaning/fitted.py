"""A passage model fitted to the meaning model on the archive's own passages.

The meaning model (MiniLM) embeds ~65 passages a second on this 2-core machine: 10,000 hours
(1.9 M passages) would take 8 hours. A static model — one vector per vocabulary token, a
passage being the mean of its tokens' vectors — embeds thousands a second, but distilled alone
(each token's vector as the model sees it alone, model2vec's way) it found the dev topic queries
far less often (mode meaning 0.145 / 0.370 success@1 / @10 against MiniLM's 0.350 / 0.585).

So the token vectors are fitted, per archive, to what the model says of a sample of the
archive's passages: first one linear map of the distilled vectors (ridge regression), then each
token seen in the sample gets its own correction (ridge regression of the remaining error on
the passages' token shares). Queries are still embedded by the model itself, into the space
the passages were fitted to. On the dev topics (`tests/bench/topic_eval.py`), 20,000 passages
fitted: meaning 0.315 / 0.575, the default blend 0.545 / 0.785 (MiniLM for every passage:
0.350 / 0.585 and 0.530 / 0.775); embedding the 162 episodes took 3.4 s instead of 501 s.
"""

import hashlib
import logging
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

log = logging.getLogger(__name__)

SAMPLE_PASSAGES = 20_000  # passages the model embeds to fit to (4-5 minutes here)
RIDGE = 0.01  # pull of each token's correction towards the mapped distilled vector
MAP_RIDGE = 1e-3  # the map's pull towards zero, as a share of its mean squared input
MIN_TOKEN_COUNT = 2  # tokens seen fewer times in the sample keep the mapped vector
REFIT_GROWTH = 4  # a fit on fewer than SAMPLE_PASSAGES is made again once the archive is 4x
CHUNK = 2048  # sample passages turned into token shares at a time


@runtime_checkable
class TokenModel(Protocol):
    """A meaning model a passage model can be fitted to."""

    model_id: str
    dimensions: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]: ...

    def token_prior(self) -> np.ndarray: ...


class FittedEmbedder:
    """Passages as the mean of their tokens' fitted vectors, L2-normalised."""

    def __init__(self, model_id: str, tokens: np.ndarray, model: TokenModel) -> None:
        self.model_id = model_id
        self.dimensions = tokens.shape[1]
        self.tokens = tokens.astype(np.float32)
        self._model = model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, ids in enumerate(self._model.token_ids(texts)):
            if ids:
                out[row] = self.tokens[ids].sum(axis=0)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def fitted_id(base_model: str, tokens: bytes) -> str:
    return f"{base_model}-fit-{hashlib.sha256(tokens).hexdigest()[:12]}"


def shares(token_ids: list[list[int]], columns: dict[int, int], width: int) -> np.ndarray:
    """Each passage's share of each fitted token (rows sum to at most 1)."""
    out = np.zeros((len(token_ids), width), dtype=np.float32)
    for row, ids in enumerate(token_ids):
        for token in ids:
            at = columns.get(token)
            if at is not None:
                out[row, at] += 1.0 / len(ids)
    return out


def fit_tokens(model: TokenModel, texts: Sequence[str]) -> np.ndarray:
    """Token vectors (vocabulary x dimensions, float32) fitted so that a text's mean token
    vector is near the model's vector of it, on these texts."""
    prior = model.token_prior()
    target = model.embed(texts)
    token_ids = list(model.token_ids(texts))
    kept = [row for row, ids in enumerate(token_ids) if ids]
    token_ids = [token_ids[row] for row in kept]
    target = target[kept]
    means = np.stack([prior[ids].mean(axis=0) for ids in token_ids])
    # one linear map (and offset) of the distilled vectors into the passages' space, by ridge
    # regression: least squares alone, fitted on fewer passages than dimensions (a small
    # archive), gave token vectors of 835,266 (past float16, stored as inf)
    design = np.hstack([means, np.ones((len(means), 1), dtype=np.float32)]).astype(np.float64)
    normal = design.T @ design
    normal[np.diag_indices_from(normal)] += MAP_RIDGE * np.trace(normal) / len(normal)
    solution = np.linalg.solve(normal, design.T @ target)
    tokens = (prior @ solution[:-1] + solution[-1]).astype(np.float32)
    # what the map leaves: the map is linear, so a passage's mean mapped token is its row here
    left = (target - design @ solution).astype(np.float32)
    # each token seen often enough: its own correction of what the map leaves
    seen, counts = np.unique(np.concatenate(token_ids), return_counts=True)
    fitted = seen[counts >= MIN_TOKEN_COUNT]
    columns = {int(t): i for i, t in enumerate(fitted.tolist())}
    gram = np.zeros((len(fitted), len(fitted)), dtype=np.float32)
    moment = np.zeros((len(fitted), tokens.shape[1]), dtype=np.float32)
    for lo in range(0, len(token_ids), CHUNK):
        x = shares(token_ids[lo : lo + CHUNK], columns, len(fitted))
        gram += x.T @ x
        moment += x.T @ left[lo : lo + CHUNK]
    gram[np.diag_indices_from(gram)] += RIDGE
    tokens[fitted] += np.linalg.solve(gram, moment)
    return tokens


def needs_fit(fit: tuple[str, bytes, int, int] | None, passages: int) -> bool:
    """No fit yet, or one made on a small archive that has grown REFIT_GROWTH times."""
    if fit is None:
        return passages > 0
    _, _, sample, archive = fit
    return sample < SAMPLE_PASSAGES and passages >= REFIT_GROWTH * max(archive, 1)
