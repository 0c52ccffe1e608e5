from hypothesis import given, settings
from hypothesis import strategies as st

from app.search.candidates.ranking import Span
from app.search.present.snippets import SegmentRow, _after_words, build_moment
from app.text.analysis import WORD_RE, words


def rows(*texts: str, start: float = 0.0, step: float = 2.0) -> list[SegmentRow]:
    out, offset = [], 0
    for i, text in enumerate(texts):
        n = len(words(text))
        out.append(SegmentRow(i, start + i * step, None, None, text, offset, n))
        offset += n
    return out


def test_highlight_escapes_text_and_marks_matches() -> None:
    segs = rows("<script>alert(1)</script> is", "not a quote & neither")
    moment = build_moment(segs, None, 0, [Span(5, 6)])  # "not"
    assert "<script>" not in moment.snippet
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in moment.snippet
    assert "<mark>not</mark>" in moment.snippet
    assert "&amp;" in moment.snippet


def test_moment_is_the_start_of_the_line_where_the_match_begins() -> None:
    segs = rows("so which is a conference", "but not really a", "conference it's more", start=11)
    moment = build_moment(segs, 20.0, 0, [Span(3, 12)])  # "a conference ... its more"
    assert moment.start == 11.0
    assert moment.snippet.count("<mark>") == 9
    assert "<mark>it&#x27;s</mark>" in moment.snippet


def test_passage_starting_mid_talk_maps_offsets() -> None:
    segs = rows("one two three", "four five six", start=0)
    later = [
        SegmentRow(s.ord, s.start, s.end, s.speaker, s.text, s.word_offset + 100, s.word_count)
        for s in segs
    ]
    moment = build_moment(later, None, 103, [Span(0, 1)])  # passage starts at word 103: "four"
    assert moment.start == 2.0 and "<mark>four</mark>" in moment.snippet


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="ab é1_'’` .,-\n", max_size=200), n=st.integers(0, 80))
def test_skipping_words_in_blocks_agrees_with_the_tokenizer(text: str, n: int) -> None:
    spans = [m.span() for m in WORD_RE.finditer(text)]
    expected = -1 if n > len(spans) else (spans[n - 1][1] if n else 0)
    assert _after_words(text, n) == expected
