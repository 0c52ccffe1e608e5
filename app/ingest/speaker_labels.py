"""Speakers named in the text of captions ("Travis: When you first…", ">> Sarah: …"), as
meeting exports (Zoom) and podcast hosts write them. A label counts only when the file uses it
as a label: several cues open with a name followed by a colon and the names repeat; a one-off
"Note: …" or a clock time ("3:30") never does. A cue without a label continues the last one's
speaker."""

import re
from collections import Counter

from app.ingest.transcript import Segment

# one to four capitalised words, then a colon and text; optionally after ">>" (broadcast style)
_LABEL = re.compile(r"^(?:>>\s*)?([A-Z][\w'’.-]*(?:\s[A-Z][\w'’.-]*){0,3}):\s+(?=\S)")
MIN_LABELLED = 2  # cues that must open with a label
MAX_NAMES_SHARE = 0.5  # distinct names at most half the labelled cues: names repeat


def apply_speaker_labels(segments: list[Segment]) -> None:
    """Moves consistent "Name:" labels from the segments' text to their speaker."""
    if any(s.speaker for s in segments):
        return  # the file names its speakers another way (<v Name>, a field)
    found = [_LABEL.match(s.text) for s in segments]
    names = Counter(m[1] for m in found if m)
    labelled = sum(names.values())
    if labelled < MIN_LABELLED or max(names.values(), default=0) < 2:
        return
    if len(names) > max(1, MAX_NAMES_SHARE * labelled):
        return
    speaker = None
    for seg, m in zip(segments, found, strict=True):
        if m:
            speaker = m[1]
            seg.text = seg.text[m.end() :]
        seg.speaker = speaker
