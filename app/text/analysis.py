"""The one tokenizer and stemmer: used to build the index terms, to analyse queries, and to find
matches for highlighting and time mapping, so all three agree by construction.

A word is a run of letters/digits, apostrophes inside it dropped ("don't" -> "dont", "model’s"
-> "models"); case and accents are folded; terms are Snowball English (Porter 2) stems.

Chinese, Japanese and Korean are written without spaces between words: each of their characters
is a word of its own, and a run of them in a query is a phrase of its characters, so any run
inside the text is found (機械学習 inside 機械学習エンジニア), and a highlighted word is one
character of the text.
"""

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

from app.text.wordforms import BASE_FORM

CJK = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
WORD_RE = re.compile(rf"[{CJK}]|[^\W_{CJK}]+(?:['’‘`][^\W_{CJK}]+)*")
_CJK_CHAR = re.compile(f"[{CJK}]")
_APOSTROPHES = re.compile(r"['’‘`]")
_STEMMER = snowballstemmer.stemmer("english")
MAX_WORD_LENGTH = 64  # longer "words" (base64, URLs) are cut: they are never typed in full


@lru_cache(maxsize=200_000)
def normalize(word: str) -> str:
    """Fold one word: lower case, no accents, no apostrophes. A CJK character keeps its marks
    (ジ is not シ)."""
    if _CJK_CHAR.fullmatch(word):
        return word
    folded = _APOSTROPHES.sub("", word).casefold()
    if not folded.isascii():
        folded = "".join(
            c
            for c in unicodedata.normalize("NFKD", folded)
            if not unicodedata.combining(c) and not c.isspace()
        )
    # never empty: each word must yield exactly one term for positions to line up
    return (folded or word.casefold())[:MAX_WORD_LENGTH]


@lru_cache(maxsize=200_000)
def stem(norm: str) -> str:
    """The index term of a normalised word: its base form's Snowball stem."""
    return _STEMMER.stemWord(BASE_FORM.get(norm, norm))


def words(text: str) -> list[str]:
    """The normalised words of `text`, in order."""
    return [normalize(w) for w in WORD_RE.findall(text)]


def terms(text: str) -> list[str]:
    """The index terms (stems) of `text`, one per word."""
    return [stem(normalize(w)) for w in WORD_RE.findall(text)]


# Common English function words: they never name a talk or a person on their own, and a match
# made only of them is not highlighted as if it were the match.
STOP_WORDS = frozenset(
    """a about above after again all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers him his how i if in into is it its itself just me more
    most my no nor not now of off on once only or other our ours out over own same she should so
    some such than that the their theirs them then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would
    you your yours""".split()
)


def content_terms(text: str) -> list[str]:
    """The index terms of `text` without its stop words (all of them if it has nothing else)."""
    found = [w for w in words(text)]
    kept = [w for w in found if w not in STOP_WORDS] or found
    return [stem(w) for w in kept]
