"""Speakers as people: labels, ids and names resolve to one full name by a stated rule."""

from pathlib import Path

import pytest

from app.ingest.people import People, people_folder, resolve_name, resolve_speakers
from app.ingest.transcript import Segment, Transcript
from app.text.links import name_slug


def folder_with_people(tmp_path: Path) -> Path:
    people = tmp_path / "people"
    people.mkdir()
    for pid, name in [
        ("alexeygrigorev", "Alexey Grigorev"),
        ("svpino", "Santiago Valdarrama"),
        ("davidone", "David One"),
        ("davidtwo", "David Two"),
        ("misraturp", "Mısra Turp"),
    ]:
        (people / f"{pid}.md").write_text(f'---\ntitle: "{name}"\n---\nBio.\n')
    (people / "_template.md").write_text('---\ntitle: "{{full}}"\n---\n')
    (tmp_path / "episodes").mkdir()
    return tmp_path / "episodes"


@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("Santiago", "Santiago Valdarrama"),  # first name of the talk's guest
        ("santiago valdarrama", "Santiago Valdarrama"),  # full name, any case
        ("svpino", "Santiago Valdarrama"),  # a person's id
        ("Alexey", "Alexey Grigorev"),  # first name of one person in people/
        ("Alexey.", "Alexey Grigorev"),  # trailing punctuation
        ("Alexeylexey", "Alexey Grigorev"),  # a repeated tail
        ("Santiagogo", "Santiago Valdarrama"),
        ("Sanitago", "Santiago Valdarrama"),  # misspelt: close to the talk's own guest only
        ("Misra", "Mısra Turp"),  # the dotless i folds
        ("David", "David"),  # two Davids in people/: left as it is
        ("Moderator", "Moderator"),
        ("Yeah, this is good, actually. What you'll find is", None),  # text, not a name
        ("...", None),
    ],
)
def test_a_label_resolves_by_the_rule(tmp_path: Path, label: str, name: str | None) -> None:
    folder_people = people_folder(folder_with_people(tmp_path))
    talk = People()
    talk.add("Santiago Valdarrama")
    assert resolve_name(label, talk, folder_people) == name


def test_a_near_spelling_is_not_matched_against_the_whole_folder(tmp_path: Path) -> None:
    folder_people = people_folder(folder_with_people(tmp_path))
    assert resolve_name("Alexei", People(), folder_people) == "Alexei"


def test_transcript_speakers_are_declared_first_then_everyone_who_speaks(tmp_path: Path) -> None:
    folder = folder_with_people(tmp_path)
    tr = Transcript(
        segments=[
            Segment(0, "Welcome.", speaker="Alexey"),
            Segment(5, "Thanks.", speaker="Santiago"),
            Segment(9, "So.", speaker="Alexeylexey"),
            Segment(12, "Yes.", speaker=None),
        ],
        format="episode",
        speakers=["svpino"],
    )
    resolve_speakers(tr, folder)
    assert tr.speakers == ["Santiago Valdarrama", "Alexey Grigorev"]
    assert [s.speaker for s in tr.segments] == [
        "Alexey Grigorev",
        "Santiago Valdarrama",
        "Alexey Grigorev",
        None,
    ]


def test_person_slug_is_ascii() -> None:
    assert name_slug("José María Sánchez Salas") == "jose-maria-sanchez-salas"
    assert name_slug("Mısra Turp") == "misra-turp"
    assert name_slug("!!!") == "unknown"
