"""One talk from all its transcripts: the best-worded one is the talk's text, its words timed by
alignment with the best-timed one; every transcript is indexed, so a quote is found in the
edited words or in the misheard caption words, and both point at the same aligned second.

Which transcript leads is decided by kind (edited, then whisper, captions, translation) and
then by file path, so the same files in any order make the same talk, slug and results."""

import datetime as dt
import hashlib
import json
import zlib
from bisect import bisect_right
from collections import Counter
from pathlib import Path
from typing import Any

from app.ingest.transcript import Segment, Transcript
from app.store.base import TalkBuild, TalkRecord, TranscriptRow
from app.store.lead import KINDS, lead_order
from app.text.alignment import align
from app.text.analysis import stem, words
from app.text.passages import LINE_SECONDS, passage_spans

TIMED_KINDS = ("captions", "whisper")  # best-timed first
KIND_OF_FORMAT = {"episode": "edited"}
META_FIELDS = ("title", "description", "youtube_id", "video_url", "media_url")
# zlib level of a stored transcript: level 1 compresses in 0.5 ms what level 6 does in 1.3 ms
# (a 46 KB episode) for 18% more bytes, a small share of the archive
BODY_COMPRESSION = 1


def kind_of(transcript: Transcript, meta: dict[str, Any]) -> str:
    """A sidecar's `kind:` if it names one of KINDS, else by format: an episode file is an
    edited transcript, anything else automatic captions."""
    wanted = str(meta.get("kind") or "").strip().lower()
    if wanted == "manual":
        wanted = "edited"
    return wanted if wanted in KINDS else KIND_OF_FORMAT.get(transcript.format, "captions")


def transcript_row(
    transcript: Transcript,
    source: Path,
    own_slug: str,
    content_hash: str,
    meta: dict[str, Any],
    talk_key: str | None,
) -> TranscriptRow:
    """A parsed transcript as the store keeps it (its text compressed)."""
    body = [[s.start, s.end, s.speaker, s.text] for s in transcript.segments]
    language = str(meta.get("language") or "").strip() or None
    return TranscriptRow(
        source_path=str(source),
        own_slug=own_slug,
        kind=kind_of(transcript, meta),
        format=transcript.format,
        language=language[:16] if language else None,
        content_hash=content_hash,
        youtube_id=transcript.youtube_id,
        media_url=transcript.media_url,
        talk_key=talk_key,
        meta=dict(
            title=transcript.title,
            date=transcript.date.isoformat() if transcript.date else None,
            speakers=transcript.speakers,
            description=transcript.description,
            topics=transcript.topics,
            youtube_id=transcript.youtube_id,
            video_url=transcript.video_url,
            media_url=transcript.media_url,
            duration=transcript.duration,
            chapters=[[c.title, c.start] for c in transcript.chapters],
        ),
        body=zlib.compress(json.dumps(body).encode(), BODY_COMPRESSION),
    )


def segments_of(row: TranscriptRow) -> list[Segment]:
    return [
        Segment(start=start, end=end, speaker=speaker, text=text)
        for start, end, speaker, text in json.loads(zlib.decompress(row.body))
    ]


def same_tree(a: str, b: str) -> bool:
    """Whether one file's folder holds the other's (a talk's captions and its edited transcript
    kept together), not two folders that only share an ancestor."""
    first, second = Path(a).parent, Path(b).parent
    return first == second or first in second.parents or second in first.parents


def may_lead(
    newcomer: TranscriptRow, members: list[TranscriptRow], batch: frozenset[str] | set[str]
) -> bool:
    """Whether a transcript joining a talk (by its YouTube id or media URL) may give it its
    title and slug: only when it is better-worded than the talk's lead and the keeper put them
    together: in one folder tree, in one ingest command (`batch`), or by one `talk:` key.
    Otherwise any file naming a talk's YouTube id would rename it and redirect its links."""
    lead = lead_order(members)[0]
    if lead_order([lead, newcomer])[0] is lead:
        return True  # it would not lead anyway
    if newcomer.talk_key and any(m.talk_key == newcomer.talk_key for m in members):
        return True
    if newcomer.source_path in batch and lead.source_path in batch:
        return True
    return same_tree(newcomer.source_path, lead.source_path)


def build_talk(rows: list[TranscriptRow]) -> TalkBuild:
    ordered = lead_order(rows)
    lead = ordered[0]
    texts = {r.source_path: segments_of(r) for r in ordered}
    timed = next(
        (r for kind in TIMED_KINDS for r in ordered[1:] if r.kind == kind),
        None,
    )
    word_times: list[list[float]] | None = None
    if timed is not None and lead.kind not in TIMED_KINDS:
        word_times = _align(texts[lead.source_path], texts[timed.source_path])

    segments: list[dict[str, Any]] = []
    spans: list[tuple[int, int, list[int], list[str]]] = []  # first ord, first word, counts, terms
    vocabulary: Counter[str] = Counter()
    offset = 0
    for k, row in enumerate(ordered):
        segs = texts[row.source_path]
        seg_words = [words(s.text) for s in segs]
        counts = [len(w) for w in seg_words]
        spans.append((len(segments), offset, counts, [stem(w) for ws in seg_words for w in ws]))
        for seg, n in zip(segs, counts, strict=True):
            times = word_times[len(segments)] if (k == 0 and word_times is not None) else None
            segments.append(
                dict(
                    ord=len(segments),
                    start=times[0] if times else seg.start,
                    end=seg.end,
                    speaker=seg.speaker,
                    text=seg.text,
                    word_offset=offset,
                    word_count=n,
                    transcript_id=row.id,
                    word_times=json.dumps([round(t, 2) for t in times]) if times else None,
                )
            )
            offset += n
        vocabulary.update(w for ws in seg_words for w in ws)
    if timed is not None and word_times is not None:
        _speakers_onto_captions(segments, lead, timed)
    passages: list[dict[str, Any]] = []
    for first_ord, first_word, counts, terms in spans:
        for span in passage_spans(counts):
            names = {
                segments[first_ord + i]["speaker"]
                for i in range(span.first_segment, span.last_segment + 1)
                if segments[first_ord + i]["speaker"]
            }
            passages.append(
                dict(
                    word_start=first_word + span.word_start,
                    word_end=first_word + span.word_end,
                    first_segment=first_ord + span.first_segment,
                    last_segment=first_ord + span.last_segment,
                    speakers=", ".join(sorted(names)).lower(),
                    terms=" ".join(terms[span.word_start : span.word_end]),
                )
            )
    lead_words = sum(spans[0][2])

    meta = _merged_meta(ordered)
    lead_segments = texts[lead.source_path]
    last = lead_segments[-1]
    duration = meta.get("duration") or max(
        (s.end or s.start for r in ordered for s in texts[r.source_path]), default=last.start
    )
    speakers: list[str] = []
    for r in ordered:
        for name in r.meta.get("speakers") or []:
            if name not in speakers:
                speakers.append(name)
    chapters = next((r.meta["chapters"] for r in ordered if r.meta.get("chapters")), [])
    if word_times is not None:
        chapters = _aligned_chapters(chapters, lead_segments, segments)
    date = meta.get("date")
    record = TalkRecord(
        slug=lead.own_slug,
        content_hash=hashlib.sha256(
            "\0".join(sorted(r.content_hash for r in ordered)).encode()
        ).hexdigest(),
        columns=dict(
            title=meta.get("title") or Path(lead.source_path).stem,
            date=dt.date.fromisoformat(date) if date else None,
            speakers=speakers,
            description=meta.get("description"),
            topics=next((r.meta["topics"] for r in ordered if r.meta.get("topics")), []),
            youtube_id=meta.get("youtube_id"),
            video_url=meta.get("video_url"),
            media_url=meta.get("media_url"),
            source_path=lead.source_path,
            source_format=lead.format,
            duration=float(duration),
            segment_count=len(lead_segments),
            word_count=lead_words,
        ),
        segments=segments,
        chapters=[dict(ord=i, title=t, start=s) for i, (t, s) in enumerate(chapters)],
        passages=passages,
        words=vocabulary,
    )
    return TalkBuild(record, [r.own_slug for r in ordered[1:] if r.own_slug != lead.own_slug])


def _merged_meta(ordered: list[TranscriptRow]) -> dict[str, Any]:
    """Each field from the first transcript (best-worded first) that has it."""
    merged: dict[str, Any] = {}
    for field in (*META_FIELDS, "date", "duration"):
        merged[field] = next((r.meta.get(field) for r in ordered if r.meta.get(field)), None)
    return merged


def line_times(segments: list[Segment]) -> tuple[list[str], list[float]]:
    """A timed transcript's index terms, each at its line's start (caption lines are short: the
    line's start is when its words are said); a long line's words spread to the next line."""
    terms: list[str] = []
    times: list[float] = []
    for i, seg in enumerate(segments):
        seg_terms = [stem(w) for w in words(seg.text)]
        following = segments[i + 1].start if i + 1 < len(segments) else None
        stop = following if following is not None else (seg.end or seg.start)
        span = stop - seg.start
        for k in range(len(seg_terms)):
            spread = span > LINE_SECONDS and seg_terms
            times.append(seg.start + (span * k / len(seg_terms) if spread else 0.0))
        terms.extend(seg_terms)
    return terms, times


def _align(worded: list[Segment], timed: list[Segment]) -> list[list[float]]:
    """Each worded segment's word times from the timed transcript."""
    timed_terms, timed_times = line_times(timed)
    worded_terms = [[stem(w) for w in words(s.text)] for s in worded]
    flat = [t for ts in worded_terms for t in ts]
    alignment = align(flat, timed_terms, timed_times)
    out, at = [], 0
    for seg, ts in zip(worded, worded_terms, strict=True):
        times = alignment.times[at : at + len(ts)] or [seg.start]
        out.append(times)
        at += len(ts)
    return out


def _speakers_onto_captions(
    segments: list[dict[str, Any]], lead: TranscriptRow, timed: TranscriptRow
) -> None:
    """Caption lines without a speaker get the speaker of the edited turn said at their time."""
    lead_rows = [s for s in segments if s["transcript_id"] == lead.id]
    starts = [s["start"] for s in lead_rows]
    for s in segments:
        if s["transcript_id"] != timed.id or s["speaker"]:
            continue
        k = bisect_right(starts, s["start"] + 0.5) - 1
        if k >= 0:
            s["speaker"] = lead_rows[k]["speaker"]


def _aligned_chapters(
    chapters: list[list[Any]], lead_segments: list[Segment], segments: list[dict[str, Any]]
) -> list[tuple[str, float]]:
    """A chapter starts where its first segment now starts (its aligned time)."""
    by_start = {seg.start: segments[i]["start"] for i, seg in enumerate(lead_segments)}
    return [(title, by_start.get(start, start)) for title, start in chapters]
