"""Sound-alike words: automatic captions mishear names and jargon as other words that sound the
same ("cattle" for Kaggle, "team sword" for Timsort, "psychic learn" for scikit-learn).

Each vocabulary word has phonetic keys (Double Metaphone, primary and secondary, and the same
for its spelling without an R after a vowel, as non-rhotic speakers say "cargo" like "cago"),
stored beside its count by ingest. A query word meets one caption word whose key equals one of
its keys, or differs by one sound keeping the first, and whose spelling is not far off; or
two or three adjacent caption words whose keys, joined, equal its key. The engine checks that
such words stand next to each other (they are asked for as phrases).
"""

from dataclasses import dataclass, field
from itertools import combinations

from rapidfuzz.distance import Levenshtein

from app.text.analysis import STOP_WORDS
from app.text.phonetic import MIN_KEY_LENGTH, likeness, sound_keys, syllables

MIN_WORD_LENGTH = 4  # shorter query words sound like too many others
NEAR_KEY_LENGTH = 3  # keys at least this long may differ by one sound
MIN_LIKENESS = 0.45  # spoken spellings' likeness with other query words around to confirm
MIN_LONE_LIKENESS = 0.65  # ... for a word searched alone (no neighbours to confirm it)
MIN_GROUP_LIKENESS = 0.5  # a group joined, against the word
MIN_GROUP_WORD_LENGTH = 3
COMMON_SHARE = 1e-4  # a word this frequent in the archive is no misheard name ...
COMMON_MIN_COUNT = 10  # ... nor one seen this often (for small archives)
MAX_WORDS = 4  # sound-alike single words kept per query word searched alone ...
MAX_WORDS_IN_CONTEXT = 8  # ... and with other query words around to confirm the place
MAX_WORDS_IN_QUOTE = 16  # ... and in a quote found nowhere as said (its words confirm more)
SOUND_APART_COST = 0.15  # ranking: a key one sound apart counts as this much less alike
MAX_GROUPS = 16  # sound-alike word groups kept per query word
GROUP_CHOICES = {2: 12, 3: 5}  # vocabulary words tried per part of a group of 2, of 3


def _near(a: str, b: str) -> bool:
    """Keys that sound alike: equal, or one sound apart with the first sound kept (a first
    vowel, "A" in Double Metaphone, is checked on the letters by the caller)."""
    if a == b:
        return True
    return (
        max(len(a), len(b)) >= NEAR_KEY_LENGTH
        and a[0] == b[0]
        and Levenshtein.distance(a, b, score_cutoff=1) <= 1
    )


@dataclass
class SoundIndex:
    """Vocabulary words by phonetic key, for one version of the archive's vocabulary."""

    words: list[str]
    counts: list[int]
    by_key: dict[str, list[int]] = field(default_factory=dict)
    sounds: frozenset[str] = frozenset()  # the letters keys are written in
    common_count: int = COMMON_MIN_COUNT
    _position: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, rows: list[tuple[str, int, str]]) -> "SoundIndex":
        index = cls([w for w, _, _ in rows], [c for _, c, _ in rows])
        index.common_count = max(COMMON_MIN_COUNT, round(COMMON_SHARE * sum(index.counts)))
        index._position = {w: i for i, w in enumerate(index.words)}
        for i, (word, _, keys) in enumerate(rows):
            if word in STOP_WORDS:
                continue  # "should" is no mishearing of Chollet
            for key in keys.split():
                index.by_key.setdefault(key, []).append(i)
        index.sounds = frozenset("".join(index.by_key))
        return index

    def is_common(self, word: str) -> bool:
        """Stop words and words the archive holds often: they are not misheard names, and
        their sound-alikes would bury what was asked for."""
        i = self._position.get(word)
        return word in STOP_WORDS or (i is not None and self.counts[i] > self.common_count)

    def alike_words(
        self,
        word: str,
        limit: int = MAX_WORDS,
        min_likeness: float = MIN_LIKENESS,
        common_too: bool = False,
        said_often_too: bool = False,
    ) -> list[str]:
        """Single caption words that may be `word` misheard, the likeliest first. Common
        caption words only with `common_too` (when other query words confirm the place:
        "mouth to mouth" captioned "month to month"); a query word the archive says often
        (Kaggle, in edited transcripts) only with `said_often_too` (a quote around it)."""
        keys = sound_keys(word).split()
        if len(word) < MIN_WORD_LENGTH or not keys or self._not_misheard(word, said_often_too):
            return []
        scored: dict[str, float] = {}
        said = syllables(word)
        for key in keys:
            for other in self._near_keys(key):
                sounds = 0 if other == key else 1
                for i in self.by_key[other]:
                    found = self.words[i]
                    similar = likeness(word, found)
                    if (
                        found == word
                        or (sounds and key[0] == "A" and found[0] != word[0])
                        or similar < min_likeness
                        or (self.counts[i] > self.common_count and not common_too)
                        or syllables(found) != said
                    ):
                        continue
                    alike = similar - SOUND_APART_COST * sounds
                    scored[found] = max(alike, scored.get(found, alike))
        ranked = sorted(scored, key=lambda w: (-scored[w], w))
        return ranked[:limit]

    def alike_groups(self, word: str, said_often_too: bool = False) -> list[tuple[str, ...]]:
        """Two or three caption words that, said together, sound like `word` ("team sword")."""
        keys = sound_keys(word).split()
        if len(word) < MIN_WORD_LENGTH or not keys or self._not_misheard(word, said_often_too):
            return []
        found: dict[tuple[str, ...], tuple[int, float]] = {}
        for rank, key in enumerate(keys):
            for cuts in _cuts(len(key)):
                parts = [key[a:b] for a, b in zip((0, *cuts), (*cuts, len(key)), strict=True)]
                choices = [self._spoken_as(p, GROUP_CHOICES[len(parts)]) for p in parts]
                if not all(choices):
                    continue
                for group in _product(choices):
                    if (
                        group in found
                        or all(w in STOP_WORDS for w in group)
                        or any(len(w) < MIN_GROUP_WORD_LENGTH for w in group)
                    ):
                        continue
                    similar = likeness(word, "".join(group))
                    if similar >= MIN_GROUP_LIKENESS:
                        found[group] = (rank, -similar)  # the primary key's readings first
        return sorted(found, key=lambda g: (found[g], g))[:MAX_GROUPS]

    def says(self, word: str) -> bool:
        """Whether the archive has the word at all."""
        return word in self._position

    def _not_misheard(self, word: str, said_often_too: bool) -> bool:
        return word in STOP_WORDS if said_often_too else self.is_common(word)

    def _near_keys(self, key: str) -> list[str]:
        """The archive's keys equal to `key` or one sound apart keeping the first (`_near`),
        found by trying each edit of the key: a few hundred look-ups instead of a pass over
        every key of about its length (90,000 keys for 200,000 words)."""
        found = [key] if key in self.by_key else []
        if len(key) + 1 < NEAR_KEY_LENGTH:
            return found
        edits: set[str] = set()
        for i in range(1, len(key) + 1):
            if i < len(key):
                edits.add(key[:i] + key[i + 1 :])  # a sound dropped
                edits.update(key[:i] + s + key[i + 1 :] for s in self.sounds)  # one changed
            edits.update(key[:i] + s + key[i:] for s in self.sounds)  # one added
        edits.discard(key)
        found += [k for k in edits if k in self.by_key and _near(key, k)]
        return found

    def _spoken_as(self, key: str, limit: int) -> list[str]:
        """The commonest vocabulary words with exactly this key."""
        ids = sorted(self.by_key.get(key, ()), key=lambda i: -self.counts[i])
        return [self.words[i] for i in ids[:limit]]


def _cuts(length: int) -> list[tuple[int, ...]]:
    """Where to cut a key into two or three parts of at least MIN_KEY_LENGTH - 1 sounds."""
    out: list[tuple[int, ...]] = []
    for parts in (2, 3):
        for cut in combinations(range(1, length), parts - 1):
            bounds = (0, *cut, length)
            if all(b - a >= MIN_KEY_LENGTH for a, b in zip(bounds, bounds[1:], strict=False)):
                out.append(cut)
    return out


def _product(choices: list[list[str]]) -> list[tuple[str, ...]]:
    groups: list[tuple[str, ...]] = [()]
    for options in choices:
        groups = [g + (w,) for g in groups for w in options]
    return groups
