"""The archive's vocabulary (normalised word -> count): kept in step by the loader, and the
source for prefix expansion and spelling correction."""

from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from app.search.relax.sounds import SoundIndex
from app.store import Snapshot

PREFIX_WORDS = 64
SPLIT_MIN_LETTERS = 2  # each half of a split word: no single letters ("a bacus")
SPLIT_MIN_COUNT = 2  # times each half is said in the archive
# a word this short is corrected only by swapping two neighbouring letters ("fra": far): any
# other edit of three letters reaches too many words
SWAP_LETTERS = 3


def expand_prefix(snapshot: Snapshot, prefix: str, limit: int = PREFIX_WORDS) -> list[str]:
    """The most frequent words starting with `prefix`."""
    return snapshot.prefix_words(prefix, limit)


def max_edits(word: str) -> int:
    """Edits allowed for a correction: none for short words, 1 up to 5 letters, then 2 (a
    word of SWAP_LETTERS letters gets a swap of two neighbouring letters only)."""
    if len(word) <= SWAP_LETTERS:
        return 1 if len(word) == SWAP_LETTERS else 0
    return 1 if len(word) <= 5 else 2


@dataclass
class Speller:
    """Spelling suggestions from the vocabulary, loaded once per archive version."""

    version: tuple[int, ...] = (-1, -1, -1)
    words: list[str] | None = None
    counts: list[int] | None = None
    sounds: SoundIndex | None = None  # the same words by phonetic key
    _index: dict[str, int] | None = None
    # a typed length -> the words within as many letters of it as the edits allowed, their
    # indexes in `words`, and their letters as bits (letters_of): only they can be that close
    # (made when a word of that length is first corrected). One suggestion over 1,000 hours'
    # 16,551 words: 1.09 -> 0.52 ms; tests/bench/speller_bench.py's 170,000 words, p50:
    # 11.0-11.4 -> 7.4-7.9 ms. (Asking each length's words apart was faster at 16,551 words
    # but 8-17 ms at 170,000.)
    near_length: dict[int, tuple[list[str], list[int], np.ndarray]] = field(default_factory=dict)
    _letters: np.ndarray | None = None  # every word's letters as bits, made once a version

    def refresh(self, snapshot: Snapshot) -> None:
        version = snapshot.vocabulary_version()
        if version != self.version or self.words is None:
            rows = snapshot.vocabulary()
            self.words = [w for w, _, _ in rows]
            self.counts = [c for _, c, _ in rows]
            self.sounds = SoundIndex.build(rows)
            self._index = None
            self.near_length = {}
            self._letters = None
            self.version = version

    def suggest(self, snapshot: Snapshot, word: str, limit: int = 3) -> list[str]:
        """Close words (optimal string alignment: a swap of two letters is one edit), the
        nearest first, then the most frequent."""
        edits = max_edits(word)
        if edits == 0:
            return []
        self.refresh(snapshot)
        assert self.words is not None and self.counts is not None
        counts = self.counts
        if len(word) not in self.near_length:
            if self._letters is None:
                self._letters = letters_of(self.words)
            near = [i for i, w in enumerate(self.words) if abs(len(w) - len(word)) <= edits]
            words = [self.words[i] for i in near]
            self.near_length[len(word)] = (words, near, self._letters[near])
        words, indexes, letters = self.near_length[len(word)]
        # an edit adds or removes at most one letter and so changes at most two bits: a word
        # whose letters differ from the typed word's by more than twice the edits allowed
        # cannot be that close, and is never compared letter by letter (170,000 words: p50
        # 8.3 -> 0.2 ms, tests/bench/speller_bench.py)
        differ = np.bitwise_count(letters ^ letters_of([word])[0])
        alike = np.flatnonzero(differ <= 2 * edits).tolist()
        close = process.extract(
            word, [words[k] for k in alike], scorer=OSA.distance, score_cutoff=edits, limit=None
        )
        # word, edits, vocabulary index
        found = [(w, int(d), indexes[alike[i]]) for w, d, i in close]
        if len(word) <= SWAP_LETTERS:
            found = [hit for hit in found if _swapped(word, hit[0])]
        # ties: the vocabulary's order
        found.sort(
            key=lambda hit: (hit[1], not _keyboard_slip(word, hit[0]), -counts[hit[2]], hit[2])
        )
        return [w for w, _, _ in found[:limit] if w != word]

    def split(self, snapshot: Snapshot, word: str) -> tuple[str, str] | None:
        """The two words of the archive a word may run together ("timeconsuming"): the split
        whose rarer half is said most often; None when no split makes two words."""
        self.refresh(snapshot)
        best: tuple[int, tuple[str, str]] | None = None
        for k in range(SPLIT_MIN_LETTERS, len(word) - SPLIT_MIN_LETTERS + 1):
            halves = (word[:k], word[k:])
            said = min(self.count_of(h) for h in halves)
            if said >= SPLIT_MIN_COUNT and (best is None or said > best[0]):
                best = (said, halves)
        return best[1] if best else None

    def sound_index(self, snapshot: Snapshot) -> SoundIndex:
        self.refresh(snapshot)
        assert self.sounds is not None
        return self.sounds

    def count_of(self, word: str) -> int:
        if self.words is None or self.counts is None:
            return 0
        if self._index is None or len(self._index) != len(self.words):
            self._index = {w: i for i, w in enumerate(self.words)}
        i = self._index.get(word)
        return self.counts[i] if i is not None else 0


def letters_of(words: list[str]) -> np.ndarray:
    """The letters each word holds, as a set of 64 bits (a letter's code point modulo 64: two
    letters sharing a bit only make words look closer, never further apart). In numpy over
    the words joined: 170,000 words in 43 ms, against 166 ms a word at a time."""
    codes = np.frombuffer("".join(words).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if not len(codes):
        return np.zeros(len(words), dtype=np.uint64)
    lengths = np.fromiter((len(w) for w in words), dtype=np.int64, count=len(words))
    starts = np.zeros(len(words), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    bits = np.left_shift(np.uint64(1), (codes & 63).astype(np.uint64))
    letters = np.bitwise_or.reduceat(bits, np.minimum(starts, max(len(bits) - 1, 0)))
    letters[lengths == 0] = 0  # reduceat gives an empty word its next word's first letter
    return letters


_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEAR_KEYS = {
    ch: {
        other
        for dr in (-1, 0, 1)
        for dc in (-1, 0, 1)
        if 0 <= r + dr < len(_KEYBOARD_ROWS)
        and 0 <= c + dc < len(_KEYBOARD_ROWS[r + dr])
        and (other := _KEYBOARD_ROWS[r + dr][c + dc]) != ch
    }
    for r, row in enumerate(_KEYBOARD_ROWS)
    for c, ch in enumerate(row)
}


def _swapped(typed: str, word: str) -> bool:
    """Whether `typed` is `word` with two neighbouring letters swapped."""
    if len(typed) != len(word):
        return False
    diff = [i for i, (a, b) in enumerate(zip(typed, word, strict=True)) if a != b]
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and typed[diff[0]] == word[diff[1]]
        and typed[diff[1]] == word[diff[0]]
    )


def _keyboard_slip(typed: str, word: str) -> bool:
    """Whether `typed` is `word` with two neighbouring letters swapped or one letter replaced
    by a key next to it: the likeliest typos, preferred among equally distant suggestions."""
    if _swapped(typed, word):
        return True
    if len(typed) != len(word):
        return False
    diff = [i for i, (a, b) in enumerate(zip(typed, word, strict=True)) if a != b]
    return len(diff) == 1 and word[diff[0]] in _NEAR_KEYS.get(typed[diff[0]], set())
