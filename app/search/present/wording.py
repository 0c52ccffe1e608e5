"""Which words a hit shows: a moment found in a talk's captions is shown in its leading
transcript's words (the edited text), with the words marked that stand for the matched ones."""

from dataclasses import replace

from app.search.candidates.ranking import PassageScore, Span
from app.search.present.results import MomentFacts
from app.store import Snapshot
from app.store.base import TranscriptInfo
from app.text.alignment import counterparts
from app.text.passages import aligned_times


def best_worded(
    snapshot: Snapshot,
    page: list[PassageScore],
    merged_into: dict[int, list[PassageScore]],
    facts: dict[int, MomentFacts],
) -> tuple[dict[int, PassageScore], dict[int, list[str]], dict[int, TranscriptInfo]]:
    """For each hit found in a talk's other transcript (the captions), the passage of its
    leading transcript (the edited text) to show instead, the other transcripts that
    matched at that moment, and the transcripts read on the way (by id)."""
    if not page:
        return {}, {}, {}
    leads = snapshot.lead_transcripts([s.talk_id for s in page])
    # each hit and the passages merged into it, and their transcripts: only those
    # transcripts' kinds are shown
    groups = {s.passage_id: [s, *merged_into.get(s.passage_id, [])] for s in page}
    transcript_ids = {
        pid: [_transcript_of(facts, g) for g in group] for pid, group in groups.items()
    }
    ids = {t for tids in transcript_ids.values() for t in tids if t}
    lead_ids = {lead.id for lead in leads.values()}
    kinds = snapshot.transcript_kinds(sorted(ids)) if ids - lead_ids else {}
    shown: dict[int, PassageScore] = {}
    also_in: dict[int, list[str]] = {}
    for s in page:
        lead = leads.get(s.talk_id)
        own = facts.get(s.passage_id)
        if lead is None or own is None:
            continue
        group, tids = groups[s.passage_id], transcript_ids[s.passage_id]
        others = {kinds[t].kind for t in tids if t in kinds and t != lead.id}
        if own.transcript_id == lead.id:
            also_in[s.passage_id] = sorted(others)
            continue
        in_lead = [g for g, t in zip(group, tids, strict=True) if t == lead.id]
        display = in_lead[0] if in_lead else _lead_passage(snapshot, s, lead.id, own.start)
        if display is not None:
            shown[s.passage_id] = display
            also_in[s.passage_id] = sorted(others)
    known = {info.id: info for info in leads.values()} | kinds
    return shown, also_in, known


def _lead_passage(
    snapshot: Snapshot, s: PassageScore, lead_id: int, second: float
) -> PassageScore | None:
    """The leading transcript's passage said at `second`, with the words marked that stand
    for the caption words matched (aligned: "Timsort" for a matched "team sword")."""
    segment = snapshot.segment_at(s.talk_id, lead_id, second + 0.5)
    if segment is None:
        return None
    times = aligned_times(segment.word_times) if segment.word_times else ()
    inside = next((k for k, said in enumerate(times) if said >= second - 0.5), 0)
    pids = snapshot.passages_holding(s.talk_id, segment.word_offset + inside)
    found = snapshot.passage_terms([*pids, s.passage_id])
    if s.passage_id not in found:
        return None
    caption_terms = found[s.passage_id][2]
    matched = [j for span in s.matched for j in range(span.start, span.end)]
    best: tuple[int, PassageScore] | None = None
    for pid in pids:
        if pid not in found:
            continue
        talk_id, word_start, terms = found[pid]
        parts = counterparts(terms, caption_terms)
        marked = sorted({i for j in matched for i in range(*parts[j])})
        if not marked or (best is not None and len(marked) <= best[0]):
            continue
        spans = _spans(marked)
        shown = replace(s, passage_id=pid, window=Span(marked[0], marked[-1] + 1), matched=spans)
        shown.talk_id, shown.word_start = talk_id, word_start
        best = (len(marked), shown)
    return best[1] if best else None


def _spans(positions: list[int]) -> list[Span]:
    """Sorted word positions as runs of consecutive words."""
    spans: list[Span] = []
    for k in positions:
        if spans and spans[-1].end == k:
            spans[-1] = Span(spans[-1].start, k + 1)
        else:
            spans.append(Span(k, k + 1))
    return spans


def _transcript_of(facts: dict[int, MomentFacts], s: PassageScore) -> int | None:
    found = facts.get(s.passage_id)
    return found.transcript_id if found else None
