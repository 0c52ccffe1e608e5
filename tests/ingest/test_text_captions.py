import pytest

from app.ingest.text_captions import read_text_captions
from app.ingest.transcript import TranscriptError
from tests.conftest import SAMPLE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0:01 so welcome\n0:04 everyone here", [(1.0, "so welcome"), (4.0, "everyone here")]),
        ("1:02:03 late in the talk", [(3723.0, "late in the talk")]),
        ("[00:01:02] bracketed", [(62.0, "bracketed")]),
        ("00:01:02.500 with millis", [(62.5, "with millis")]),
        ("00:00:01,250 comma millis", [(1.25, "comma millis")]),
        (
            "0:05\nstamp alone\non two lines\n0:09\nnext",
            [(5.0, "stamp alone on two lines"), (9.0, "next")],
        ),
        ("Transcript\n\n0:01 after a header", [(1.0, "after a header")]),
        ("0:01 a\n0:02\n0:03 empty stamp dropped", [(1.0, "a"), (3.0, "empty stamp dropped")]),
    ],
)
def test_reads_timestamp_variants(text: str, expected: list[tuple[float, str]]) -> None:
    segments = read_text_captions(text).segments
    assert [(s.start, s.text) for s in segments] == expected


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("just prose\nwith no times", 1, "no timestamped lines"),
        ("0:10 ok\n0:61 bad seconds", 2, "malformed timestamp"),
        ("0:10 ok\n0:05 backwards", 2, "goes back"),
    ],
)
def test_errors_name_the_line(text: str, line: int, message: str) -> None:
    with pytest.raises(TranscriptError) as err:
        read_text_captions(text)
    assert err.value.line == line
    assert message in err.value.message


def test_reads_the_bundled_seed() -> None:
    transcript = read_text_captions(SAMPLE.read_text())
    assert len(transcript.segments) > 1000
    assert transcript.segments[0].start == 1.0
    assert transcript.segments[0].text == "so welcome everyone"
    assert transcript.segments[-1].start > 3500


def test_decomposed_text_is_found_by_the_composed_word_and_back(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import unicodedata

    from app.search.service import SearchService
    from app.store import open_store
    from tests.conftest import ingest, search_engine_of

    url = f"sqlite:///{tmp_path / 't.db'}"
    store = open_store(url)
    try:
        path = tmp_path / "macos.txt"
        path.write_text(unicodedata.normalize("NFD", "0:01 a naïve café approach\n"))
        ingest(store, path)
        service = SearchService(search_engine_of(store))
        for q in ("naïve café", unicodedata.normalize("NFD", "naïve café")):
            (hit,) = service.search(store, f'"{q}"').hits
            assert "naïve café" in hit.text
    finally:
        store.dispose()


def test_ligatures_full_width_letters_and_accents_match_their_plain_letters(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from app.search.service import SearchService
    from app.store import open_store
    from tests.conftest import ingest, search_engine_of

    url = f"sqlite:///{tmp_path / 't.db'}"
    store = open_store(url)
    try:
        (tmp_path / "pdf.txt").write_text("0:01 the ﬁnal ﬁgures of my résumé\n")
        (tmp_path / "wide.txt").write_text("0:01 ＰＹＴＨＯＮ notebooks everywhere\n")
        ingest(store, tmp_path)
        service = SearchService(search_engine_of(store))
        for q, shown in [
            ("final figures", "the <mark>ﬁnal</mark> <mark>ﬁgures</mark>"),
            ('"resume"', "<mark>résumé</mark>"),  # accents fold; the text keeps them
            ("python notebooks", "<mark>ＰＹＴＨＯＮ</mark> <mark>notebooks</mark>"),
            ("ＰＹＴＨＯＮ", "<mark>ＰＹＴＨＯＮ</mark>"),  # typed full width
            ("ﬁgures", "<mark>ﬁgures</mark>"),  # a ligature typed (pasted from a PDF)
        ]:
            (hit,) = service.search(store, q).hits
            assert shown in hit.snippet, q
    finally:
        store.dispose()
