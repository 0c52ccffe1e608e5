"""A small generated library of episodes (front-matter Markdown with a people/ folder): several
guests, one host whose turn labels are sometimes damaged, topics, chapters and years, and a
phrase said in every turn so a search has many moments to page through."""

from pathlib import Path

HOST = ("alexeygrigorev", "Alexey Grigorev")
GUESTS = [
    ("adalovelace", "Ada Lovelace", "engines"),
    ("gracehopper", "Grace Hopper", "compilers"),
    ("alanturing", "Alan Turing", "cryptography"),
    ("katherinejohnson", "Katherine Johnson", "navigation"),
]
TALKS = 8
TURNS = 24
HOST_LABELS = ["Alexey", "Alexey", "Alexeylexey", "Alexey."]  # damaged labels resolve too


def talk_title(i: int) -> str:
    return f"Episode {i}: {GUESTS[i % len(GUESTS)][1]} on {GUESTS[i % len(GUESTS)][2]}"


def talk_slug(i: int) -> str:
    return f"episode-{i}"


def chapter_title(i: int) -> str:
    return f"Why {GUESTS[i % len(GUESTS)][2]} matter, part {i}"


def episode(i: int) -> str:
    pid, name, topic = GUESTS[i % len(GUESTS)]
    first = name.split()[0]
    lines = [
        "---",
        f"title: '{talk_title(i)}'",
        "guests:",
        f"- {pid}",
        f"dateadded: {2021 + (i // 2) % 4}-0{1 + i % 9}-1{i % 10}",
        f"topics: [history, {topic}]",
        f"description: {name} talks with the host about {topic} and its history.",
        "transcript:",
        f"- header: '{chapter_title(i)}'",
    ]
    for j in range(TURNS):
        host = j % 2 == 0
        who = HOST_LABELS[(j // 2) % len(HOST_LABELS)] if host else first
        says = "the host asks" if host else f"{first} explains"
        text = (
            f"Turn {j} of episode {i}: the analytical engine weaves pattern {j} while "
            f"{says} {topic} detail number {j + 100 * i}."
        )
        lines += [f"- line: '{text}'", f"  sec: {30 * j}", f"  who: {who}"]
    lines.append("---")
    return "\n".join(lines) + "\n"


def write_library(folder: Path) -> Path:
    """Writes the episodes and the people/ folder; returns the episodes folder."""
    people, episodes = folder / "people", folder / "episodes"
    people.mkdir(parents=True)
    episodes.mkdir()
    for pid, name in [HOST, *((g[0], g[1]) for g in GUESTS)]:
        (people / f"{pid}.md").write_text(f'---\ntitle: "{name}"\n---\nBio.\n')
    for i in range(TALKS):
        (episodes / f"{talk_slug(i)}.md").write_text(episode(i))
    return episodes
