"""User text -> query tree. Never raises: stray operators, unbalanced quotes, SQL or FTS
syntax and emoji degrade to plain words; what was changed is said in `notes`.

Syntax: words (all required), "exact phrase", -exclude, a OR b, prefix*, speaker:name.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from app.text.analysis import WORD_RE, normalize
from app.text.passages import MAX_PHRASE_WORDS

MAX_QUERY_WORDS = 32
# words counted over every alternative (`a OR b OR …` is one word of the quote, but each of its
# options is looked up): bounds what one query can ask of the engines
MAX_QUERY_TERMS = 64
QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})
_LEXEME = re.compile(
    r'(?P<neg>-)?"(?P<phrase>[^"]*)"'
    r'|speaker:(?:"(?P<qspeaker>[^"]*)"|(?P<speaker>\S+))'
    r"|(?P<bare>speaker:)(?=\s|$)"
    r"|(?P<word>[^\s\"]+)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Word:
    text: str  # normalised
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]


@dataclass(frozen=True)
class AnyOf:
    options: tuple[Word | Phrase, ...]


Clause = Word | Phrase | AnyOf


@dataclass
class ParsedQuery:
    text: str
    must: list[Clause] = field(default_factory=list)
    must_not: list[Word | Phrase] = field(default_factory=list)
    speakers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.must

    def word_count(self) -> int:
        return sum(_size(c) for c in self.must)


def _size(clause: Clause) -> int:
    if isinstance(clause, Word):
        return 1
    if isinstance(clause, Phrase):
        return len(clause.words)
    return max(_size(o) for o in clause.options)


def _item(chunk: str) -> Word | Phrase | None:
    """One whitespace-free chunk: a word, a prefix, or (for "e-mail", "CMU-the") a phrase."""
    prefix = chunk.endswith("*")
    found = [normalize(w) for w in WORD_RE.findall(chunk)]
    if not found:
        return None
    if len(found) == 1:
        return Word(found[0], prefix=prefix and len(found[0]) >= 2)
    return Phrase(tuple(found[:MAX_PHRASE_WORDS]))


def _phrase(text: str) -> list[Word | Phrase]:
    found = [normalize(w) for w in WORD_RE.findall(text)]
    if len(found) == 1:
        return [Word(found[0])]
    return [
        Phrase(tuple(found[i : i + MAX_PHRASE_WORDS]))
        if len(found[i : i + MAX_PHRASE_WORDS]) > 1
        else Word(found[i])
        for i in range(0, len(found), MAX_PHRASE_WORDS)
    ]


def parse_query(text: str) -> ParsedQuery:
    text = unicodedata.normalize("NFC", (text or "").replace("\x00", " "))
    query = ParsedQuery(text=text)
    clean = text.translate(QUOTES)
    if clean.count('"') % 2:
        last = clean.rfind('"')
        clean = clean[:last] + " " + clean[last + 1 :]
        query.notes.append("An unmatched quote was ignored.")

    items: list[tuple[bool, list[Word | Phrase]]] = []  # (negated, parts)
    pending_or = False
    negate_next = False
    for m in _LEXEME.finditer(clean):
        if m["bare"]:
            query.notes.append("Put a name right after speaker:, as in speaker:alexey.")
            continue
        if m["qspeaker"] is not None or m["speaker"] is not None:
            name = (m["qspeaker"] or m["speaker"] or "").strip()
            if name:
                query.speakers.append(name)
            continue
        if m["phrase"] is not None:
            negated = bool(m["neg"]) or negate_next
            negate_next = False
            parts = _phrase(m["phrase"])
        else:
            chunk = m["word"]
            if chunk in ("OR", "|", "||"):
                pending_or = bool(items) and not items[-1][0]
                continue
            if chunk in ("AND", "&&", "+"):
                continue
            if chunk == "NOT":
                negate_next = True
                continue
            negated = negate_next or (chunk.startswith("-") and len(chunk) > 1)
            negate_next = False
            item = _item(chunk.lstrip("-") if chunk.startswith("-") else chunk)
            parts = [item] if item else []
        if not parts:
            continue
        if pending_or and not negated and len(parts) == 1:
            _, previous = items[-1]
            last = previous[-1]
            options = last.options if isinstance(last, AnyOf) else (last,)
            if parts[0] not in options:  # `a OR a OR …` asks for a once
                previous[-1] = AnyOf(options + (parts[0],))  # type: ignore[assignment]
        else:
            items.append((negated, parts))
        pending_or = False

    for negated, parts in items:
        (query.must_not if negated else query.must).extend(parts)  # type: ignore[arg-type]
    query.must_not = list(dict.fromkeys(query.must_not))
    if query.word_count() > MAX_QUERY_WORDS:
        kept, total = [], 0
        for clause in query.must:
            total += _size(clause)
            if total > MAX_QUERY_WORDS:
                break
            kept.append(clause)
        query.must = kept or query.must[:1]
        query.notes.append(f"Only the first {MAX_QUERY_WORDS} words were searched.")
    _bound_terms(query)

    if not query.must and query.must_not:
        query.notes.append("Add at least one word to search for, not only words to exclude.")
    return query


def _terms(clause: Clause) -> int:
    if isinstance(clause, AnyOf):
        return sum(_terms(o) for o in clause.options)
    return _size(clause)


def _bound_terms(query: ParsedQuery) -> None:
    """At most MAX_QUERY_TERMS words across every option and exclusion: the clauses past it are
    dropped, and an OR that crosses it keeps its first options."""
    budget = MAX_QUERY_TERMS
    kept: list[Clause] = []
    cut = False
    for clause in query.must:
        cost = _terms(clause)
        if cost <= budget:
            kept.append(clause)
            budget -= cost
            continue
        cut = True
        if isinstance(clause, AnyOf) and budget > 0:
            options: list[Word | Phrase] = []
            for option in clause.options:
                if _terms(option) <= budget:
                    options.append(option)
                    budget -= _terms(option)
            if options:
                kept.append(AnyOf(tuple(options)) if len(options) > 1 else options[0])
        break
    excluded: list[Word | Phrase] = []
    for clause in query.must_not:
        if _terms(clause) > budget:
            cut = True
            break
        excluded.append(clause)
        budget -= _terms(clause)
    if cut:
        query.must = kept or query.must[:1]
        query.must_not = excluded
        query.notes.append(
            f"Only the first {MAX_QUERY_TERMS} words and alternatives were searched."
        )
