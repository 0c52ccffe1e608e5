"""One write transaction of the archive: a talk stored, rebuilt or forgotten whole, with the
index rows its engine keeps in the database, the vocabulary and the counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, insert, or_, select

from app.models import Chapter, Passage, Segment, Talk, TalkAlias
from app.models import Transcript as TranscriptModel
from app.store.base import (
    PassageIndex,
    SlugTaken,
    TalkBuild,
    TalkRecord,
    TranscriptRow,
)
from app.store.statements import (
    CLEAR_FITS_SQL,
    CLEAR_VECTORS_SQL,
    DELETE_VECTORS_SQL,
    FORGET_FITS_SQL,
    PRUNE_TERMS_SQL,
    PRUNE_WORDS_SQL,
    PUT_FIT_SQL,
    PUT_VECTORS_SQL,
    SEGMENT_COLUMNS,
    TALK_CHANGED_SQL,
    TRANSCRIPT_FIELDS,
    VECTORS_OF_SQL,
)
from app.text.analysis import words

if TYPE_CHECKING:
    from app.store.sql import SqlStore


def passage_terms(passages: Iterable[str]) -> Counter[str]:
    """Each term once per passage that holds it (passages as their space-joined terms): the
    document frequencies kept in term_passages."""
    counts: Counter[str] = Counter()
    for terms in passages:
        counts.update(set(terms.split()))
    return counts


class SqlWriter:
    """One write transaction on a writer connection."""

    def __init__(self, store: SqlStore, conn: Connection) -> None:
        self._store = store
        self.conn = conn
        self._driver = conn.connection.driver_connection

    def execute(self, sql: str, params: Sequence[object] = ()) -> None:
        self._store.run(self._driver, sql, params, fetch=False)

    def execute_many(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        if rows:
            self._store.run_many(self._driver, sql, rows)

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return self._store.run(self._driver, sql, params)

    def put_vectors(
        self, talk_id: int, content_hash: str, model: str, passage_ids: bytes, vectors: bytes
    ) -> bool:
        """Store a talk's vectors, unless the talk changed since they were computed."""
        self.execute(DELETE_VECTORS_SQL, (talk_id,))
        self.execute(PUT_VECTORS_SQL, (model, passage_ids, vectors, talk_id, content_hash))
        return bool(self.rows(VECTORS_OF_SQL, (talk_id,)))

    def clear_vectors(self) -> None:
        self.execute(CLEAR_VECTORS_SQL)

    def put_fit(
        self, base_model: str, model: str, tokens: bytes, sample: int, archive: int
    ) -> None:
        """Store a passage model fitted to `base_model`; older fits of it are forgotten."""
        self.execute(PUT_FIT_SQL, (base_model, model, tokens, sample, archive))
        self.execute(FORGET_FITS_SQL, (base_model, model))

    def clear_fits(self) -> None:
        self.execute(CLEAR_FITS_SQL)

    def replace_talk(self, record: TalkRecord, index: PassageIndex) -> str:
        conn = self.conn
        old = conn.execute(
            select(Talk.id, Talk.content_hash).where(Talk.slug == record.slug)
        ).first()
        if old is not None and old[1] == record.content_hash:
            return "unchanged"  # another ingest stored the same content meanwhile
        if old is not None:
            self._forget_talk(old[0], index)
        self._insert_talk(record, index)
        return "new" if old is None else "updated"

    def _insert_talk(self, record: TalkRecord, index: PassageIndex) -> None:
        conn = self.conn
        self.execute(TALK_CHANGED_SQL)
        talk_id = conn.execute(
            insert(Talk).values(
                slug=record.slug,
                content_hash=record.content_hash,
                passage_count=len(record.passages),
                **record.columns,
            )
        ).inserted_primary_key[0]
        self._store.insert_rows(
            self._driver,
            "segments",
            ("talk_id", *SEGMENT_COLUMNS),
            [(talk_id, *(s[c] for c in SEGMENT_COLUMNS)) for s in record.segments],
        )
        if record.chapters:
            conn.execute(insert(Chapter), [{**c, "talk_id": talk_id} for c in record.chapters])
        if record.passages:
            ids = self._store.insert_passages(self.conn, talk_id, record.passages)
            index.add_passages(
                self, [(pid, p["terms"]) for pid, p in zip(ids, record.passages, strict=True)]
            )
        self._store.add_words(self._driver, sorted(record.words.items()))
        terms = passage_terms(p["terms"] for p in record.passages)
        self._store.count(self._driver, "add_terms", sorted(terms.items()))

    def store_transcript(
        self,
        row: TranscriptRow,
        index: PassageIndex,
        build: Callable[[list[TranscriptRow]], TalkBuild],
        replaces: Sequence[str] = (),
        may_lead: Callable[[TranscriptRow, list[TranscriptRow]], bool] | None = None,
    ) -> str:
        conn = self.conn
        found = self._transcript_rows(TranscriptModel.source_path == row.source_path)
        previous = found[0] if found else None
        if previous is not None and previous.content_hash == row.content_hash:
            return "unchanged"  # another ingest stored the same file meanwhile
        moved = conn.execute(
            select(TranscriptModel.talk_slug).where(TranscriptModel.source_path.in_(replaces))
        ).scalars()
        moved_from = set(moved)
        if replaces:
            conn.execute(delete(TranscriptModel).where(TranscriptModel.source_path.in_(replaces)))
        joined = self._talks_joined_by(row)
        if previous is not None:
            conn.execute(delete(TranscriptModel).where(TranscriptModel.id == previous.id))
        members = self._transcripts_of(joined) if joined else []
        members = [m for m in members if m.source_path != row.source_path]
        if previous is not None and previous.meta.get("follows"):
            row.meta["follows"] = True  # decided when it joined: kept while it stays
        elif members and (previous is None or previous.talk_slug not in joined):
            if may_lead is not None and not may_lead(row, members):
                row.meta["follows"] = True
        row.talk_slug = sorted(joined)[0] if joined else row.own_slug
        values = {k: v for k, v in vars(row).items() if k != "id"}
        row.id = conn.execute(insert(TranscriptModel).values(**values)).inserted_primary_key[0]
        members = members + [row]
        talk = build(members)
        slug = talk.record.slug
        owner = conn.execute(
            select(TranscriptModel.source_path).where(
                TranscriptModel.talk_slug == slug,
                TranscriptModel.source_path.not_in([m.source_path for m in members]),
            )
        ).first()
        if owner is not None:
            raise SlugTaken(
                f"the slug {slug!r} is already taken by {owner[0]}: give this file a "
                "`slug:` (or a `talk:` key to join that talk) in a sidecar, or ingest it with "
                "--replace to replace that talk"
            )
        old_slugs = set(joined) | moved_from
        if previous is not None:
            old_slugs.add(previous.talk_slug)
        forgotten = [self._forget_slug(old, index) for old in sorted(old_slugs | {slug})]
        existed = bool(old_slugs) and any(forgotten)
        conn.execute(
            TranscriptModel.__table__.update()
            .where(TranscriptModel.source_path.in_([m.source_path for m in members]))
            .values(talk_slug=slug)
        )
        self._insert_talk(talk.record, index)
        aliases = (set(talk.aliases) | old_slugs) - {slug}
        conn.execute(delete(TalkAlias).where(TalkAlias.slug == slug))
        conn.execute(
            TalkAlias.__table__.update()
            .where(TalkAlias.talk_slug.in_(old_slugs | set(talk.aliases)))
            .values(talk_slug=slug)
        )
        for alias in sorted(aliases):
            conn.execute(delete(TalkAlias).where(TalkAlias.slug == alias))
            conn.execute(insert(TalkAlias).values(slug=alias, talk_slug=slug))
        if previous is not None and previous.talk_slug not in joined | {slug}:
            self._rebuild(previous.talk_slug, index, build)  # the file left that talk
        for left in sorted(moved_from - joined - {slug}):
            self._rebuild(left, index, build)
        row.talk_slug = slug
        return "updated" if existed or previous is not None else "new"

    def put_transcripts(
        self, rows: list[TranscriptRow], aliases: list[tuple[str, str]]
    ) -> dict[int, int]:
        """Transcript rows and aliases as another archive holds them (for `talks copy`);
        returns each row's id here by its id there."""
        ids: dict[int, int] = {}
        for row in rows:
            self.conn.execute(
                delete(TranscriptModel).where(TranscriptModel.source_path == row.source_path)
            )
            values = {k: v for k, v in vars(row).items() if k != "id"}
            new_id = self.conn.execute(
                insert(TranscriptModel).values(**values)
            ).inserted_primary_key
            if row.id is not None:
                ids[row.id] = new_id[0]
        for slug, talk_slug in aliases:
            self.conn.execute(delete(TalkAlias).where(TalkAlias.slug == slug))
            self.conn.execute(insert(TalkAlias).values(slug=slug, talk_slug=talk_slug))
        return ids

    def _talks_joined_by(self, row: TranscriptRow) -> set[str]:
        """Slugs of the talks whose transcripts share this one's YouTube id, media URL or key."""
        same = []
        if row.youtube_id:
            same.append(TranscriptModel.youtube_id == row.youtube_id)
        if row.media_url:
            same.append(TranscriptModel.media_url == row.media_url)
        if row.talk_key:
            same.append(TranscriptModel.talk_key == row.talk_key)
        if not same:
            return set()
        found = self.conn.execute(
            select(TranscriptModel.talk_slug).where(or_(*same)).distinct()
        ).scalars()
        return set(found)

    def _transcripts_of(self, slugs: Iterable[str]) -> list[TranscriptRow]:
        return self._transcript_rows(TranscriptModel.talk_slug.in_(sorted(slugs)))

    def _transcript_rows(self, where: Any) -> list[TranscriptRow]:
        table = TranscriptModel.__table__
        found = self.conn.execute(
            select(*(table.c[f] for f in TRANSCRIPT_FIELDS)).where(where).order_by(table.c.id)
        ).mappings()
        return [TranscriptRow(**m) for m in found]

    def remove_transcript(
        self,
        source_path: str,
        index: PassageIndex,
        build: Callable[[list[TranscriptRow]], TalkBuild],
    ) -> bool:
        conn = self.conn
        found = self._transcript_rows(TranscriptModel.source_path == source_path)
        if not found:
            return False
        gone = found[0]
        conn.execute(delete(TranscriptModel).where(TranscriptModel.id == gone.id))
        self._forget_slug(gone.talk_slug, index)
        conn.execute(delete(TalkAlias).where(TalkAlias.slug == gone.own_slug))
        members = self._transcripts_of([gone.talk_slug])
        if not members:
            conn.execute(delete(TalkAlias).where(TalkAlias.talk_slug == gone.talk_slug))
            return True
        talk = build(members)
        slug = talk.record.slug
        conn.execute(
            TranscriptModel.__table__.update()
            .where(TranscriptModel.talk_slug == gone.talk_slug)
            .values(talk_slug=slug)
        )
        self._insert_talk(talk.record, index)
        if slug != gone.talk_slug:  # the leading transcript went: its slug leads to the talk
            conn.execute(
                TalkAlias.__table__.update()
                .where(TalkAlias.talk_slug == gone.talk_slug)
                .values(talk_slug=slug)
            )
            conn.execute(delete(TalkAlias).where(TalkAlias.slug.in_([slug, gone.talk_slug])))
            conn.execute(insert(TalkAlias).values(slug=gone.talk_slug, talk_slug=slug))
        return True

    def _rebuild(
        self, slug: str, index: PassageIndex, build: Callable[[list[TranscriptRow]], TalkBuild]
    ) -> None:
        """A talk from the transcripts it has left (gone when it has none)."""
        self._forget_slug(slug, index)
        members = self._transcripts_of([slug])
        if members:
            self._insert_talk(build(members).record, index)

    def _forget_slug(self, slug: str, index: PassageIndex) -> bool:
        """Forget the talk with this slug, if there is one; says whether there was."""
        found = self.conn.execute(select(Talk.id).where(Talk.slug == slug)).first()
        if found is not None:
            self._forget_talk(found[0], index)
        return found is not None

    def _forget_talk(self, talk_id: int, index: PassageIndex) -> None:
        """Take a talk's words and terms out of the counts, its passages out of the index,
        and its rows out of the tables."""
        conn = self.conn
        old_words: Counter[str] = Counter()
        for (text,) in conn.execute(select(Segment.text).where(Segment.talk_id == talk_id)):
            old_words.update(words(text))
        self._store.count(self._driver, "subtract_words", sorted(old_words.items()))
        self.execute(PRUNE_WORDS_SQL)
        old_terms = passage_terms(
            t for (t,) in conn.execute(select(Passage.terms).where(Passage.talk_id == talk_id))
        )
        self._store.count(self._driver, "subtract_terms", sorted(old_terms.items()))
        self.execute(PRUNE_TERMS_SQL)
        index.remove_talk(self, talk_id)
        conn.execute(delete(Talk).where(Talk.id == talk_id))
        self.execute(TALK_CHANGED_SQL)
