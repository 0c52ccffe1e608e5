"""What the archive reads and writes, as one protocol: the search service, the engines, the
loader and the pages see these and nothing else of the database. SQLite and PostgreSQL
implement it (app/store/sqlite.py, app/store/postgres.py)."""

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

from sqlalchemy.orm import Session

Backend = Literal["sqlite", "postgresql"]


class QueryTimeout(Exception):
    """A search ran past its time limit and was stopped."""


class StoreError(Exception):
    """The archive cannot be opened, read or written; the message is one line for a person."""


# Rows read for every search are plain slotted dataclasses, not frozen ones: a frozen
# dataclass sets each field through object.__setattr__, and building a nine-field row took
# 2.0 µs frozen against 0.3 µs plain (timeit, Python 3.11); a search builds hundreds.
@dataclass(slots=True)
class SegmentRow:
    ord: int
    start: float
    end: float | None
    speaker: str | None
    text: str
    word_offset: int
    word_count: int
    transcript_id: int | None = None
    word_times: str | None = None  # JSON list: each word's aligned second


@dataclass(slots=True)
class HitRow:
    """What a hit shows of its passage and talk."""

    passage_id: int
    talk_id: int
    word_start: int
    first_segment: int
    last_segment: int
    slug: str
    title: str
    date: object
    speakers: object  # JSON list (text on SQLite, a list on PostgreSQL)
    youtube_id: str | None
    video_url: str | None
    media_url: str | None


@dataclass
class TalkRecord:
    """Everything ingest writes for one talk, prepared outside any transaction."""

    slug: str
    content_hash: str
    columns: dict[str, Any]  # the talks row but id, slug and content_hash
    segments: list[dict[str, Any]]
    chapters: list[dict[str, Any]]
    passages: list[dict[str, Any]]  # word_start, word_end, first/last_segment, speakers, terms
    words: Counter[str] = field(default_factory=Counter)  # normalised word -> occurrences


@dataclass(slots=True)
class TranscriptInfo:
    """Where a hit's words come from."""

    id: int
    kind: str
    format: str
    language: str | None


@dataclass
class TranscriptRow:
    """One transcript file as stored: its provenance, identity, metadata and text (zlib JSON)."""

    source_path: str
    own_slug: str
    kind: str
    format: str
    language: str | None
    content_hash: str
    youtube_id: str | None
    media_url: str | None
    talk_key: str | None
    meta: dict[str, Any]
    body: bytes
    id: int | None = None
    talk_slug: str = ""


@dataclass
class TalkBuild:
    """A talk rebuilt from all its transcripts: the rows to store, and the slugs that now lead
    to it (its transcripts' own slugs and slugs it had before a merge)."""

    record: TalkRecord
    aliases: list[str]


class SlugTaken(StoreError):
    """Another talk already has this slug: storing would silently replace it."""


class Snapshot(Protocol):
    """One read transaction: every read of one search sees the same committed archive."""

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Run one statement (written with `?` placeholders); for engine modules."""

    def planned_rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """As `rows`, for a statement whose best plan depends on its parameters (a full-text
        query): planned for them each time it runs, never from a kept plan."""

    def passage_terms(self, ids: list[int]) -> dict[int, tuple[int, int, list[str]]]:
        """passage id -> (talk id, first word, index terms in order)."""

    def keep_stored(self, rows: Sequence[tuple[int, int, int, str]]) -> None:
        """(passage id, talk id, first word, terms) an engine read beside its matches: what
        passage_terms and stored_terms then need not read again in this snapshot."""

    def stored_terms(self, ids: list[int]) -> dict[int, tuple[int, int, str]]:
        """passage id -> (talk id, first word, its index terms as stored, one space between
        terms): cheaper to test for a word or phrase than the split terms."""

    def hit_rows(self, ids: list[int]) -> dict[int, HitRow]: ...

    def passage_segments(self, ids: list[int]) -> dict[int, list[SegmentRow]]:
        """passage id -> the segments it spans and the one after (times, speakers and word
        counts; no text)."""

    def moment_segments(
        self, words: list[tuple[int, int]]
    ) -> dict[int, tuple[SegmentRow, float | None, int | None]]:
        """(passage id, a word of its talk) -> the segment holding that word among those the
        passage spans (no text), and the start and transcript of the segment after it (None
        at the talk's end). A passage none of whose segments holds the word is left out."""

    def hit_segments(self, hits: list[HitRow]) -> list[list[SegmentRow]]:
        """Each hit's segments and the one after it (for the time its last line ends)."""

    def word_count(self, word: str) -> int: ...

    def prefix_words(self, prefix: str, limit: int) -> list[str]:
        """The most frequent vocabulary words starting with `prefix`."""

    def vocabulary(self) -> list[tuple[str, int, str]]:
        """Every word with its count and its phonetic keys (app/search/relax/sounds.py)."""

    def vocabulary_version(self) -> tuple[int, ...]:
        """Changes whenever the vocabulary may have changed."""

    def term_passages(self, term: str) -> int:
        """How many passages hold this index term."""

    def read_term_passages(self, terms: list[str]) -> None:
        """How many passages hold each of these terms, read at once: term_passages then
        answers them without a statement each (a round trip each on PostgreSQL)."""

    def passage_count(self) -> int: ...

    def talk_hashes(self) -> dict[int, str]:
        """talk id -> content hash, for indexes kept outside the database."""

    def passages_to_index(self, talk_id: int) -> list[tuple[Any, ...]]:
        """(id, talk_id, terms, speakers, slug, date) of one talk's passages."""

    def vector_hashes(self) -> dict[int, tuple[str, str]]:
        """talk id -> (content hash, model) of the meaning vectors stored for it."""

    def talk_vectors(
        self, model: str, talks: Sequence[int] | None = None
    ) -> list[tuple[int, bytes, bytes]]:
        """(talk id, passage ids as int64, vectors as float16) of every talk (of `talks`, when
        given) whose stored vectors are this model's and of its current content, by talk id."""

    def vectors_version(self) -> tuple[int, ...]:
        """Changes whenever the stored meaning vectors may have changed."""

    def meaning_fit(self, base_model: str) -> tuple[str, bytes, int, int] | None:
        """The newest passage model fitted to `base_model`: (its model id, token vectors as
        float16, passages it was fitted on, the archive's passages then), or None."""

    def fitted_model(self, base_model: str) -> str | None:
        """The model id of the newest fit to `base_model` (its vectors are that model's)."""

    def passage_windows(self, talk_id: int) -> list[tuple[int, int, int]]:
        """(passage id, first word, word after the last) of a talk's passages, in order."""

    def segment_texts(self, talk_id: int) -> list[str]:
        """A talk's segments' text, in order (their words are the talk's words)."""

    def passage_said_at(self, slug: str, second: float) -> int | None:
        """The passage being said at `second` of the talk (its first passage before that)."""

    def talks_matching(
        self,
        slug: str | None,
        slugs: Sequence[str] | None,
        date_from: str | None,
        date_to: str | None,
    ) -> set[int]:
        """Ids of the talks a search's talk and date filters allow."""

    def transcript_hash(self, source_path: str) -> str | None:
        """The content hash stored for this transcript file, if any."""

    def transcript_digests(self) -> dict[str, str]:
        """Every stored transcript file's content hash, by its path."""

    def lead_transcripts(self, talk_ids: list[int]) -> dict[int, TranscriptInfo]:
        """Each talk's leading (best-worded) transcript: the one its text starts with."""

    def transcript_kinds(self, ids: list[int]) -> dict[int, TranscriptInfo]: ...

    def segment_at(self, talk_id: int, transcript_id: int, second: float) -> SegmentRow | None:
        """The segment of one transcript being said at `second` (without its text)."""

    def passages_holding(self, talk_id: int, word: int) -> list[int]:
        """The (at most two) passages holding the talk's `word`-th word."""

    def transcript_sources(self) -> list[str]:
        """Every stored transcript file's path."""

    def transcript_paths(self, own_slug: str) -> list[str]:
        """Paths of the stored transcripts with this slug of their own or of their talk."""


class Writer(Protocol):
    """One write transaction; writers take turns (one at a time per archive)."""

    def execute(self, sql: str, params: Sequence[object] = ()) -> None: ...

    def execute_many(self, sql: str, rows: Sequence[Sequence[object]]) -> None: ...

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]: ...

    def put_vectors(
        self, talk_id: int, content_hash: str, model: str, passage_ids: bytes, vectors: bytes
    ) -> bool:
        """Store a talk's meaning vectors; False when the talk changed since (nothing stored)."""

    def clear_vectors(self) -> None: ...

    def put_fit(
        self, base_model: str, model: str, tokens: bytes, sample: int, archive: int
    ) -> None:
        """Store a passage model fitted to `base_model`; older fits of it are forgotten."""

    def clear_fits(self) -> None: ...

    def replace_talk(self, record: TalkRecord, index: "PassageIndex") -> str:
        """Insert or replace one talk whole: "new", "updated" or "unchanged"."""

    def remove_transcript(
        self,
        source_path: str,
        index: "PassageIndex",
        build: Callable[[list[TranscriptRow]], TalkBuild],
    ) -> bool:
        """Forget one transcript file; its talk is rebuilt from the others (gone with none)."""

    def put_transcripts(
        self, rows: list[TranscriptRow], aliases: list[tuple[str, str]]
    ) -> dict[int, int]:
        """Transcript rows and aliases copied from another archive: new id by old id."""

    def store_transcript(
        self,
        row: TranscriptRow,
        index: "PassageIndex",
        build: Callable[[list[TranscriptRow]], TalkBuild],
        replaces: Sequence[str] = (),
        may_lead: Callable[[TranscriptRow, list[TranscriptRow]], bool] | None = None,
    ) -> str:
        """Store one transcript file (in place of the files at `replaces`: the same file
        under another path) and rebuild the talk it belongs to (the talks its identity
        joins) from all of that talk's transcripts: "new", "updated" or "unchanged".
        `may_lead(row, members)`: whether a file joining a talk it was not part of may lead it
        (give its title and slug); when not, the row's meta holds `follows` for good.
        `row.talk_slug` is the talk's slug afterwards."""


class PassageIndex(Protocol):
    """The part of a search engine that ingest writes in the talk's transaction."""

    def add_passages(self, writer: Writer, rows: Sequence[tuple[int, str]]) -> None: ...

    def remove_talk(self, writer: Writer, talk_id: int) -> None: ...


class Store(Protocol):
    url: str
    backend: Backend

    def snapshot(self, time_limit_ms: int | None = None) -> AbstractContextManager[Snapshot]: ...

    def write(self) -> AbstractContextManager[Writer]: ...

    def session(self) -> AbstractContextManager[Session]:
        """An ORM session for catalogue reads (app/store/catalog.py)."""

    def migrate(self) -> None: ...

    def check(self) -> None:
        """Raises StoreError (or the driver's error) unless the archive answers a read now:
        what a readiness probe asks, cheap enough to ask every second."""

    def backup(self, dest: Path) -> int:
        """A consistent copy of the archive in a new file `dest`, made while it is in use;
        returns its size in bytes. StoreError where the backend has its own tools."""

    def dispose(self) -> None: ...


Chunked = TypeVar("Chunked")


def chunks(items: list[Chunked], size: int = 500) -> Iterator[list[Chunked]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def contains_pattern(text: str) -> str:
    """A LIKE pattern (with ESCAPE '\\') matching values that contain `text`, lower-cased."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
