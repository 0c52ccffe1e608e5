"""Phonetic keys and spoken spellings of words: what ingest stores beside each vocabulary word
and what sound-alike matching (app/search/relax/sounds.py) compares. Pure functions of a word."""

import re
from functools import lru_cache

from metaphone import doublemetaphone
from rapidfuzz.distance import Indel

MIN_KEY_LENGTH = 2  # a key of one sound matches too many words

_R_AFTER_VOWEL = re.compile(r"(?<=[aeiou])r(?![aeiouy])")
_VOWEL_RUN = re.compile(r"[aeiouy]+")
_SILENT_E = re.compile(r"(?<=[^aeiouyl])e(s|d)?$")


_SPELLING_RULES = [
    (re.compile(r"ck|q"), "k"),
    (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"c(?!h)"), "k"),
    (re.compile(r"ph"), "f"),
    (_R_AFTER_VOWEL, ""),
    (re.compile(r"(.)\1+"), r"\1"),
]


@lru_cache(maxsize=50_000)
def spoken_spelling(word: str) -> str:
    """The spelling with letters that sound the same made the same (c as k or s, doubled
    letters once, no R after a vowel): "kaggle" -> "kagle", "cattle" -> "katle"."""
    for pattern, replacement in _SPELLING_RULES:
        word = pattern.sub(replacement, word)
    return word


def likeness(word: str, heard: str) -> float:
    """How alike two spellings are once spoken (0..1): ranks sound-alikes, and how much a
    passage matched by sound counts."""
    return Indel.normalized_similarity(spoken_spelling(word), spoken_spelling(heard))


def syllables(word: str) -> int:
    """Roughly how many syllables `word` has (its vowel runs, a silent final e not counted):
    a caption mishears a word as one of about its length ("kaggle" as "cattle", not "call")."""
    return max(1, len(_VOWEL_RUN.findall(_SILENT_E.sub("", word))))


@lru_cache(maxsize=200_000)
def sound_keys(word: str) -> str:
    """The word's phonetic keys, space-separated (stored with the vocabulary). Empty for
    words with no sounds worth matching (digits, a single consonant)."""
    keys: list[str] = []
    for spelling in dict.fromkeys([word, _R_AFTER_VOWEL.sub("", word)]):
        if not spelling.isalpha():
            continue
        keys.extend(k for k in doublemetaphone(spelling) if len(k) >= MIN_KEY_LENGTH)
    return " ".join(dict.fromkeys(keys))
