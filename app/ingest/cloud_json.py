"""JSON that speech-to-text services and YouTube tools write, each recognised by its shape:
Deepgram (utterances), AssemblyAI (utterances, milliseconds), AWS Transcribe (audio segments),
YouTube's json3 (events of segs, milliseconds), and youtube-transcript-api's lists (a list of
lists, or a list under the video's id). None when the data has none of these shapes."""

from typing import Any

from app.ingest.transcript import Segment, clean_text
from app.ingest.word_times import by_word_times, from_words


def known_shape(data: Any) -> tuple[str, list[Segment]] | None:
    """The format's name and its segments, or None."""
    if isinstance(data, dict):
        results = data.get("results")
        if isinstance(results, dict) and isinstance(results.get("utterances"), list):
            return "deepgram", _utterances(results["utterances"], "transcript", 1.0)
        if isinstance(results, dict) and isinstance(results.get("audio_segments"), list):
            return "aws-transcribe", _aws(results["audio_segments"])
        if isinstance(data.get("utterances"), list) and "audio_url" in data:
            return "assemblyai", _utterances(data["utterances"], "text", 0.001)
        if isinstance(data.get("words"), list) and "audio_url" in data:
            return "assemblyai", from_words(data["words"], 0.001)  # no speaker_labels asked
        if isinstance(results, dict) and isinstance(results.get("channels"), list):
            return "deepgram", _deepgram_words(results["channels"])
        events = data.get("events")
        if isinstance(events, list) and any(isinstance(e, dict) and "segs" in e for e in events):
            return "youtube-json3", _json3(data["events"])
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(data) == 1 and lists and _timed_list(lists[0]):
            return "youtube-transcript-api", _timed(lists[0])
    if isinstance(data, list) and data and isinstance(data[0], list) and _timed_list(data[0]):
        parts = [part for part in data if isinstance(part, list)]
        return "youtube-transcript-api", _timed([item for part in parts for item in part])

    return None


def _deepgram_words(channels: list[Any]) -> list[Segment]:
    """Deepgram without utterances: the first channel's best alternative's words."""
    first = channels[0] if channels and isinstance(channels[0], dict) else {}
    alternatives = first.get("alternatives")
    best = alternatives[0] if isinstance(alternatives, list) and alternatives else {}
    return from_words(best.get("words") if isinstance(best, dict) else None)


def _timed_list(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(i, dict) and "text" in i and "start" in i for i in items)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _segment(start: Any, end: Any, text: Any, speaker: str | None = None) -> Segment | None:
    begin, finish = _number(start), _number(end)
    body = clean_text(str(text or ""))
    if begin is None or not body:
        return None
    return Segment(start=begin, end=finish, text=body, speaker=speaker)


def _utterances(items: list[Any], text_key: str, scale: float) -> list[Segment]:
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue
        who = item.get("speaker")
        start, end = _number(item.get("start")), _number(item.get("end"))
        seg = _segment(
            start * scale if start is not None else None,
            end * scale if end is not None else None,
            item.get(text_key),
            f"Speaker {who}" if who is not None else None,
        )
        if seg is not None:
            out.extend(by_word_times(seg, item.get("words"), scale))
    return out


def _aws(items: list[Any]) -> list[Segment]:
    out = []
    for item in items:
        if isinstance(item, dict):
            label = item.get("speaker_label")
            seg = _segment(
                item.get("start_time"), item.get("end_time"), item.get("transcript"), label
            )
            if seg is not None:
                out.append(seg)
    return out


def _json3(events: list[Any]) -> list[Segment]:
    out = []
    for event in events:
        if not isinstance(event, dict) or not isinstance(event.get("segs"), list):
            continue
        text = "".join(str(s.get("utf8", "")) for s in event["segs"] if isinstance(s, dict))
        start, length = _number(event.get("tStartMs")), _number(event.get("dDurationMs"))
        if start is None:
            continue
        end = (start + length) / 1000 if length is not None else None
        seg = _segment(start / 1000, end, text)
        if seg is not None:
            out.append(seg)
    return out


def _timed(items: list[Any]) -> list[Segment]:
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue
        start, length = _number(item.get("start")), _number(item.get("duration"))
        end = start + length if start is not None and length is not None else None
        seg = _segment(start, end, item.get("text"))
        if seg is not None:
            out.append(seg)
    return out
