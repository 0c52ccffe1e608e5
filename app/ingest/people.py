"""Speakers as people: every name a transcript gives a speaker (a turn label, a sidecar or
front-matter name, a guest id) resolves to one full name, so one person has one name and slug.

The rule for a turn label, in order:
1. Trailing punctuation and spaces are trimmed ("Alexey." -> "Alexey").
2. A label with no letters or of more than MAX_NAME_WORDS words is the line's text that leaked
   into the label, not a name: the turn has no speaker.
3. A label equal (ignoring case) to a known full name or a person's id is that person.
4. A label equal to the first name of exactly one known person is that person.
5. A one-word label that starts with the first name of exactly one known person and is at most
   twice as long is that person: caption tools repeat a name's tail ("Alexeylexey",
   "Adityaitya", "Andreyy").
6. A one-word label spelled nearly like the first name of exactly one of the talk's own
   speakers (difflib ratio >= SIMILAR_NAME) is that person ("Michael" for Micheal Lanham).
7. Otherwise the label is kept as it is.
Names are compared folded: case, accents and the dotless i ("Mısra" is "Misra").
"Known" is first the talk's own speakers, then everyone in the `people/` folder beside or above
the transcript (only first names that belong to one person there).
"""

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from app.ingest.transcript import Transcript, TranscriptError, clean_text
from app.ingest.yaml_safe import load_yaml, split_front_matter
from app.text.analysis import normalize

MAX_NAME_WORDS = 4
SIMILAR_NAME = 0.8
_TRAILING = re.compile(r"[\s.,:;!?\-–—]+$")


@dataclass
class People:
    """Full names by id and by (folded) first name; a first name shared by several is ambiguous."""

    by_id: dict[str, str] = field(default_factory=dict)
    by_first_name: dict[str, set[str]] = field(default_factory=dict)

    def add(self, name: str, person_id: str | None = None) -> None:
        if person_id:
            self.by_id[fold(person_id)] = name
        self.by_first_name.setdefault(fold(name.split()[0]), set()).add(name)

    def resolve(self, label: str, similar: bool = False) -> str | None:
        key = fold(label)
        if key in self.by_id:
            return self.by_id[key]
        for names in self.by_first_name.values():
            for name in names:
                if fold(name) == key:
                    return name
        only = self.by_first_name.get(key)
        if only and len(only) == 1:
            return next(iter(only))
        if " " not in label:
            starts = [
                next(iter(names))
                for first, names in self.by_first_name.items()
                if len(names) == 1 and key.startswith(first) and len(key) <= 2 * len(first)
            ]
            if len(starts) == 1:
                return starts[0]
            if similar:
                close = [
                    next(iter(names))
                    for first, names in self.by_first_name.items()
                    if len(names) == 1
                    and difflib.SequenceMatcher(None, key, first).ratio() >= SIMILAR_NAME
                ]
                if len(close) == 1:
                    return close[0]
        return None


def fold(name: str) -> str:
    """A name for comparison: words folded like index words, dotless i as i."""
    return " ".join(normalize(w) for w in name.replace("ı", "i").split())


@lru_cache(maxsize=64)
def people_folder(folder: Path) -> People:
    """Everyone in `people/<id>.md` (front matter `title:` is the full name) beside or above."""
    people = People()
    for candidate in (folder / "people", folder.parent / "people"):
        if not candidate.is_dir():
            continue
        for page in sorted(candidate.glob("*.md")):
            name = _page_name(page)
            if name:
                people.add(name, page.stem)
        break
    return people


def _page_name(page: Path) -> str | None:
    try:
        data, _ = load_yaml(split_front_matter(page.read_text(encoding="utf-8"))[0])
    except (TranscriptError, OSError, UnicodeDecodeError):
        return None
    title = data.get("title") if isinstance(data, dict) else None
    if not isinstance(title, str) or "{" in title:
        return None  # a template page
    return clean_text(title) or None


def resolve_name(label: str, talk_people: People, folder_people: People) -> str | None:
    """One label by the rule in this module's docstring."""
    label = _TRAILING.sub("", clean_text(label))
    if not any(c.isalpha() for c in label) or len(label.split()) > MAX_NAME_WORDS:
        return None
    return talk_people.resolve(label, similar=True) or folder_people.resolve(label) or label


def resolve_speakers(transcript: Transcript, folder: Path | None) -> None:
    """Gives every turn and the talk's speaker list full names; the talk's speakers become its
    declared speakers followed by everyone else who speaks, in order of first turn. Unlabelled
    lines of a talk with one speaker are theirs."""
    folder_people = people_folder(folder.resolve()) if folder else People()
    declared = []
    for name in transcript.speakers:
        full = folder_people.by_id.get(fold(name), name)
        if full not in declared:
            declared.append(full)
    talk_people = People()
    for name in declared:
        talk_people.add(name)
    cache: dict[str, str | None] = {}
    speakers = list(declared)
    for seg in transcript.segments:
        if seg.speaker is None:
            continue
        if seg.speaker not in cache:
            cache[seg.speaker] = resolve_name(seg.speaker, talk_people, folder_people)
        seg.speaker = cache[seg.speaker]
        if seg.speaker and seg.speaker not in speakers:
            speakers.append(seg.speaker)
    if len(speakers) == 1 and all(seg.speaker is None for seg in transcript.segments):
        for seg in transcript.segments:
            seg.speaker = speakers[0]  # a talk with one speaker: every line is theirs
    transcript.speakers = speakers
