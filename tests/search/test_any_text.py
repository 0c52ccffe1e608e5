"""Any text survives ingest -> index -> search -> highlight: a word of it is found in its talk and
the marked text is that word or another form of it (hypothesis: Latin with accents and
ligatures, Greek, Cyrillic, CJK, full-width letters, decomposed forms, punctuation)."""

import itertools
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.search.engines.engine import get_engine
from app.search.language.plan import Filters
from app.search.service import SearchService
from app.store import open_store
from app.text.analysis import STOP_WORDS, WORD_RE, normalize, stem
from tests.conftest import ingest

ALPHABET = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzéèñüçøåß")
    + list("ﬁﬂＡＢＣｘｙｚ")
    + list("αβγδεЖЗИКЛ")
    + list("机器学习工程师数据機械エンジニア학습데이터")
    + list(" ,.;!?-'’\"()")
)
TEXTS = st.text(ALPHABET, min_size=1, max_size=80)
FORMS = st.sampled_from(["NFC", "NFD", "NFKC"])


def test_any_text_is_found_by_its_words_and_the_marks_are_those_words(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'any.db'}"
    store = open_store(url)
    service = SearchService(get_engine(None, url))
    names = itertools.count()
    folder = tmp_path / "talks"
    folder.mkdir()

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(text=TEXTS, form=FORMS, pick=st.integers(min_value=0))
    def check(text: str, form: str, pick: int) -> None:
        words = [w for w in WORD_RE.findall(text) if normalize(w) not in STOP_WORDS]
        if not words:
            return
        name = f"t{next(names)}"
        path = folder / f"{name}.txt"
        path.write_text(f"0:01 {unicodedata.normalize(form, text)}\n", encoding="utf-8")
        assert ingest(store, path).failed == 0
        word = words[pick % len(words)]
        result = service.search(store, f'"{word}"', filters=Filters(talk=name), limit=50)
        marked = [m for h in result.hits for m in _marks(h.snippet)]
        assert marked, (text, word, result.notes)
        # a mark is the word or another form of it ("shook" for "shake"): the same index term
        assert stem(normalize(word)) in {stem(normalize(m)) for m in marked}

    try:
        check()
    finally:
        store.dispose()
    assert next(names) >= 20  # most examples held a word to search for


def _marks(snippet: str) -> list[str]:
    import html
    import re

    return [html.unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", snippet)]
