"""The catalogue: every talk's metadata held in memory (not its transcript), for browsing talks,
people, topics and years, and for finding talks by what they are called.

Built from the store's talk cards and rebuilt when the archive changes (checked on each use by
one cheap read), so every server and worker sees new talks without a restart."""

import datetime as dt
import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from app.store import Store
from app.store.catalog import archive_version, talk_cards
from app.store.columns import json_list
from app.text.analysis import content_terms
from app.text.links import name_slug, topic_key

CHECK_SECONDS = 1.0
NAMED_LIMIT = 5
NAMED_MIN_SCORE = 0.5
# how much a match in each field says the query names the talk
FIELD_WEIGHTS = {"title": 1.0, "speaker": 1.0, "chapter": 0.9, "topic": 0.7, "description": 0.4}


@dataclass(frozen=True)
class TalkCard:
    id: int
    slug: str
    title: str
    date: dt.date | None
    speakers: tuple[str, ...]
    topics: tuple[str, ...]
    description: str | None
    duration: float | None
    youtube_id: str | None
    chapters: tuple[tuple[str, float], ...]
    segment_count: int = 0
    word_count: int = 0

    @property
    def year(self) -> int | None:
        return self.date.year if self.date else None


@dataclass
class Group:
    """A person or a topic, with their talks newest first."""

    slug: str
    name: str
    talks: list[TalkCard] = field(default_factory=list)


@dataclass(frozen=True)
class NamedMatch:
    """A talk the query names: which field matched, its text, and the chapter's second."""

    talk: TalkCard
    field: str
    text: str
    start: float | None
    score: float


def _newest_first(card: TalkCard) -> tuple[int, str]:
    return (-(card.date.toordinal() if card.date else 0), card.title.casefold())


SORTS: dict[str, Callable[[TalkCard], object]] = {
    "newest": _newest_first,
    "oldest": lambda c: (c.date is None, c.date or dt.date.min, c.title.casefold()),
    "title": lambda c: (c.title.casefold(), c.slug),
    "longest": lambda c: (-(c.duration or 0.0), c.title.casefold()),
}


@dataclass(frozen=True)
class _Field:
    card: TalkCard
    kind: str
    text: str
    start: float | None
    terms: frozenset[str]


class Catalogue:
    def __init__(
        self, cards: Iterable[TalkCard], topic_aliases: dict[str, str] | None = None
    ) -> None:
        """`topic_aliases`: topic name -> the topic it is one with (the keeper's alias file)."""
        cards = list(cards)
        canonical, self._topic_keys = _one_name_per_topic(cards, topic_aliases or {})
        cards = [
            replace(c, topics=tuple(dict.fromkeys(canonical[t] for t in c.topics))) for c in cards
        ]
        self.talks = sorted(cards, key=_newest_first)
        self.by_slug = {c.slug: c for c in self.talks}
        self.by_id = {c.id: c for c in self.talks}
        self.people = _groups((c, c.speakers) for c in self.talks)
        self.topics = _groups((c, c.topics) for c in self.talks)
        self.years = Counter(c.year for c in self.talks if c.year)
        self._fields: list[_Field] = []
        self._postings: dict[str, set[int]] = {}
        for card in self.talks:
            self._index(card, "title", card.title)
            for name in card.speakers:
                self._index(card, "speaker", name)
            for topic in card.topics:
                self._index(card, "topic", topic)
            for title, start in card.chapters:
                self._index(card, "chapter", title, start)
            if card.description:
                self._index(card, "description", card.description)

    def _index(self, card: TalkCard, kind: str, text: str, start: float | None = None) -> None:
        terms = frozenset(content_terms(text))
        if not terms:
            return
        self._fields.append(_Field(card, kind, text, start, terms))
        for term in terms:
            self._postings.setdefault(term, set()).add(len(self._fields) - 1)

    def select(
        self,
        speaker: str | None = None,
        topic: str | None = None,
        year: int | None = None,
        sort: str = "newest",
    ) -> list[TalkCard]:
        """Talks of a person (slug), a topic (slug) and a year, in one of SORTS' orders."""
        chosen: Iterable[TalkCard] = self.talks
        if speaker is not None:
            chosen = self.people[speaker].talks if speaker in self.people else []
        if topic is not None:
            group = self.topic(topic)
            in_topic = {c.slug for c in group.talks} if group else set()
            chosen = [c for c in chosen if c.slug in in_topic]
        if year is not None:
            chosen = [c for c in chosen if c.year == year]
        return sorted(chosen, key=SORTS.get(sort, SORTS["newest"]))  # type: ignore[arg-type]

    def topic(self, name_or_slug: str) -> Group | None:
        """A topic by its slug, name, or a variant of it ("Startups", "career-transitions")."""
        slug = name_slug(name_or_slug)
        if slug in self.topics:
            return self.topics[slug]
        known = self._topic_keys.get(topic_key(name_or_slug))
        return self.topics.get(known) if known else None

    def person(self, name_or_slug: str) -> Group | None:
        """A person by slug or by (part of) a name: "alexey-grigorev", "Alexey Grigorev"."""
        slug = name_slug(name_or_slug)
        if slug in self.people:
            return self.people[slug]
        found = [p for p in self.people.values() if slug in p.slug.split("-")]
        return max(found, key=lambda p: len(p.talks)) if found else None

    def named(self, text: str) -> list[NamedMatch]:
        """Talks whose title, speaker, chapter title, topic or description the query names:
        every word of the query is in the field and the query covers most of the field."""
        wanted = set(content_terms(text))
        if not wanted:
            return []
        postings = sorted((self._postings.get(t, set()) for t in wanted), key=len)
        candidates = set.intersection(*postings) if postings else set()
        best: dict[str, NamedMatch] = {}
        for index in candidates:
            f = self._fields[index]
            covered = len(wanted) / len(f.terms)
            if f.kind == "description" and len(wanted) < 3:
                continue  # two words in a long description do not name a talk
            score = FIELD_WEIGHTS[f.kind] * min(covered, 1.0)
            if f.kind != "description" and covered < NAMED_MIN_SCORE:
                continue
            if score < NAMED_MIN_SCORE * FIELD_WEIGHTS["description"]:
                continue
            known = best.get(f.card.slug)
            if known is None or score > known.score:
                best[f.card.slug] = NamedMatch(f.card, f.kind, f.text, f.start, round(score, 3))
        ranked = sorted(best.values(), key=lambda m: (-m.score, _newest_first(m.talk)))
        return ranked[:NAMED_LIMIT]

    def facets(self, cards: Iterable[TalkCard]) -> dict[str, list[tuple[str, str, int]]]:
        """(slug, name, number of talks) of the people, topics and years among `cards`."""
        people: Counter[str] = Counter()
        topics: Counter[str] = Counter()
        years: Counter[int] = Counter()
        for c in cards:
            people.update({name_slug(n) for n in c.speakers})
            topics.update({name_slug(t) for t in c.topics})
            if c.year:
                years[c.year] += 1
        return {
            "speakers": [(s, self.people[s].name, n) for s, n in _ranked(people)],
            "topics": [(s, self.topics[s].name, n) for s, n in _ranked(topics)],
            "years": [(str(y), str(y), n) for y, n in sorted(years.items(), reverse=True)],
        }


def _one_name_per_topic(
    cards: list[TalkCard], aliases: dict[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Each topic name as written -> the one name its topic is shown by (the most common
    spelling of its case and plural variants, and of the names the aliases join to it); and
    each topic's key -> the slug of that name."""
    key_of = {topic_key(alias): topic_key(target) for alias, target in aliases.items()}
    spellings: dict[str, Counter[str]] = {}
    for card in cards:
        for name in card.topics:
            key = topic_key(name)
            spellings.setdefault(key_of.get(key, key), Counter())[name] += 1
    shown = {
        key: min(counts.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0]
        for key, counts in spellings.items()
    }
    canonical = {}
    for key, counts in spellings.items():
        for name in counts:
            canonical[name] = shown[key]
    slugs = {key: name_slug(name) for key, name in shown.items()}
    slugs |= {alias: slugs[target] for alias, target in key_of.items() if target in slugs}
    return canonical, slugs


def read_topic_aliases(path: Path) -> dict[str, str]:
    """The keeper's alias file: `topic: [other name, …]` (or `other name: topic`) in YAML."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: cannot read the topic aliases: {exc}".splitlines()[0]) from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: the topic aliases must be a mapping (topic: [other names])")
    aliases: dict[str, str] = {}
    for topic, others in data.items():
        if isinstance(others, str):
            aliases[str(topic)] = others  # "other name: topic"
        elif isinstance(others, list):
            aliases.update({str(other): str(topic) for other in others})
        else:
            raise ValueError(f"{path}: {topic!r} must name a topic or list other names")
    return aliases


def _ranked(counts: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def _groups(pairs: Iterable[tuple[TalkCard, Iterable[str]]]) -> dict[str, Group]:
    """Talks grouped by each of their names (people or topics), most talks first; a name spelt
    two ways is one group named by its most common spelling."""
    groups: dict[str, Group] = {}
    spellings: dict[str, Counter[str]] = {}
    for card, names in pairs:
        for name in dict.fromkeys(names):
            slug = name_slug(name)
            group = groups.setdefault(slug, Group(slug, name))
            if not group.talks or group.talks[-1] is not card:
                group.talks.append(card)
            spellings.setdefault(slug, Counter())[name] += 1
    for slug, group in groups.items():
        group.name = spellings[slug].most_common(1)[0][0]
    return dict(sorted(groups.items(), key=lambda kv: (-len(kv[1].talks), kv[1].name.casefold())))


def card_of(row: dict[str, object]) -> TalkCard:
    date = row["date"]
    if isinstance(date, str):
        date = dt.date.fromisoformat(date[:10])
    return TalkCard(
        id=int(row["id"]),  # type: ignore[call-overload]
        slug=str(row["slug"]),
        title=str(row["title"]),
        date=date if isinstance(date, dt.date) else None,
        speakers=tuple(json_list(row["speakers"])),
        topics=tuple(json_list(row["topics"])),
        description=row["description"],  # type: ignore[arg-type]
        duration=row["duration"],  # type: ignore[arg-type]
        youtube_id=row["youtube_id"],  # type: ignore[arg-type]
        chapters=tuple(row["chapters"]),  # type: ignore[call-overload]
        segment_count=int(row["segment_count"] or 0),  # type: ignore[call-overload]
        word_count=int(row["word_count"] or 0),  # type: ignore[call-overload]
    )


class CatalogueCache:
    """The catalogue of the archive as it is now: rebuilt when the archive's version changes,
    which is checked at most every `check_seconds` (the check costs a read)."""

    def __init__(
        self,
        store: Store,
        check_seconds: float = CHECK_SECONDS,
        topic_aliases: dict[str, str] | None = None,
    ) -> None:
        self.store = store
        self.topic_aliases = topic_aliases or {}
        self.check_seconds = check_seconds
        self._lock = threading.Lock()
        self._version: tuple[int, int, int] | None = None
        self._checked = -math.inf
        self._catalogue = Catalogue([])

    def current(self) -> Catalogue:
        now = time.monotonic()
        if now - self._checked < self.check_seconds:
            return self._catalogue
        self._checked = now
        with self.store.session() as session:
            version = archive_version(session)
            if version == self._version:
                return self._catalogue
            with self._lock:
                if version != self._version:
                    cards = (card_of(r) for r in talk_cards(session))
                    self._catalogue = Catalogue(cards, self.topic_aliases)
                    self._version = version
                return self._catalogue
