"""When strict matching finds nothing, or nothing that reads as the quote: the plans to try
next. Pure planning; the service runs them."""

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from rapidfuzz.distance import OSA

from app.search import tuning
from app.search.candidates.ranking import STOP_TERMS
from app.search.language import query
from app.search.language.plan import AllOf, AnyOf, Match, MatchPlan, Phrase, Terms, flat_terms
from app.search.language.query import ParsedQuery
from app.search.relax import vocabulary
from app.search.relax.sounds import (
    MAX_WORDS,
    MAX_WORDS_IN_CONTEXT,
    MAX_WORDS_IN_QUOTE,
    MIN_LIKENESS,
    MIN_LONE_LIKENESS,
    SoundIndex,
)
from app.store import Snapshot
from app.text.analysis import STOP_WORDS, stem

RARE_WORD_COUNT = 2  # a word seen this rarely may be a caption error or a typo ...
COMMON_RATIO = 20  # ... when a close word is this many times more common
MAX_DROP_ONE_WORDS = 8
RARE_HALF_MIN_WORDS = 5
RARE_SHARE = 0.2  # a word in more than this share of passages says little about where


@dataclass(frozen=True)
class Correction:
    """The query as corrected: its clauses (a word run together is its two words), their plan,
    each clause as said (its place in the plan), and the label shown for it. `far`: some word
    was corrected to one two edits away that changes its first letter ("timsort": import),
    rarely a typo: a word the captions misheard ("team sword") is the likelier reading."""

    parsed: ParsedQuery
    plan: MatchPlan
    said: tuple[int, ...]
    label: str
    far: bool = False


def corrected_plan(
    snapshot: Snapshot,
    speller: vocabulary.Speller,
    parsed: ParsedQuery,
    plan: MatchPlan,
    said: tuple[int, ...] = (),
) -> Correction | None:
    """Words the archive has never seen, or has seen only once or twice beside a far more
    common close word (a misheard caption), get their closest vocabulary words as
    alternatives; a word never seen becomes the two words it runs together when no close word
    is nearly as common as both. The label holds the clauses in the order `said` (a word said
    twice written twice); None when no word was corrected."""
    changed = False
    far = False
    clauses: list[query.Clause] = []
    must: list[Match] = []
    places: list[list[int]] = []  # each clause's places among the corrected clauses
    labels: list[str] = []

    def place(clause: query.Clause, match: Match) -> int:
        if clause not in clauses:
            clauses.append(clause)
            must.append(match)
        return clauses.index(clause)

    for clause, match in zip(parsed.must, plan.must, strict=True):
        if isinstance(clause, query.Word) and not clause.prefix:
            count = snapshot.word_count(clause.text)
            if count <= RARE_WORD_COUNT:
                suggestions = [
                    w
                    for w in speller.suggest(snapshot, clause.text)
                    if count == 0 or speller.count_of(w) >= COMMON_RATIO * count
                ]
                halves = speller.split(snapshot, clause.text) if count == 0 else None
                if halves is not None and (
                    not suggestions
                    or min(map(speller.count_of, halves))
                    >= COMMON_RATIO * speller.count_of(suggestions[0])
                ):
                    # two words typed without the space (or the hyphen) between them: a
                    # missing space is one slip, as a letter is, so the two words win over a
                    # close word far rarer than both ("asis": "as is", not "asks")
                    changed = True
                    places.append([place(query.Word(h), Terms((stem(h),))) for h in halves])
                    labels.append(" ".join(halves))
                    continue
                if suggestions:
                    changed = True
                    best = suggestions[0]
                    far = far or (
                        best[:1] != clause.text[:1] and OSA.distance(clause.text, best) >= 2
                    )
                    alts = dict.fromkeys([stem(clause.text)] + [stem(w) for w in suggestions])
                    places.append([place(clause, Terms(tuple(alts)))])
                    labels.append(suggestions[0])
                    continue
            labels.append(clause.text)
        else:
            labels.append(clause_text(clause))
        places.append([place(clause, match)])
    if not changed:
        return None
    order = said or range(len(places))
    return Correction(
        parsed=replace(parsed, must=clauses),
        plan=replace(plan, must=tuple(must)),
        said=tuple(i for k in order for i in places[k]),
        label=" ".join(labels[k] for k in order),
        far=far,
    )


@dataclass(frozen=True)
class HeardPlan:
    """The plan with sound-alike caption words as alternatives, and which index term stands
    for which query word (the terms only a sound-alike brings)."""

    plan: MatchPlan
    stands_for: dict[str, str]


def sound_plan(
    sounds: SoundIndex,
    parsed: ParsedQuery,
    plan: MatchPlan,
    is_rare: Callable[[str], bool],
    in_quote: bool = False,
) -> HeardPlan | None:
    """Rare or absent query words get the caption words that sound like them as alternatives:
    single words ("cattle" for kaggle) and adjacent words ("team sword" for timsort), asked for
    as phrases. Inside a quoted phrase, one word at a time is replaced. A query of one word or
    phrase asks for the sound-alikes alone: its own words were found by the plan itself, and a
    passage holding both is a moment for each. `in_quote`: the query is a quote found nowhere
    as said, whose other words confirm a place: a name the archive says often elsewhere
    (Kaggle) may be misheard in it too."""
    stands_for: dict[str, str] = {}
    known = {alt for m in plan.must for t in flat_terms(m) for alt in t.alternatives}

    alone = len(parsed.must) == 1 and isinstance(parsed.must[0], query.Word)
    likeness = MIN_LONE_LIKENESS if alone else MIN_LIKENESS

    def readings(word: str) -> list[tuple[str, ...]]:
        if not is_rare(word):
            return []
        singles = sounds.alike_words(
            word,
            limit=MAX_WORDS if alone else MAX_WORDS_IN_QUOTE if in_quote else MAX_WORDS_IN_CONTEXT,
            min_likeness=likeness,
            common_too=not alone,
            said_often_too=in_quote,
        )
        found = [(w,) for w in singles] + sounds.alike_groups(word, said_often_too=in_quote)
        out: list[tuple[str, ...]] = []
        for group in found:
            stems = tuple(stem(w) for w in group)
            if len(stems) == 1 and (stems[0] in known or stems[0] in STOP_TERMS):
                continue  # a caption word whose term is a function word's ("ors": or) matches it
            if stems in out:
                continue
            for term in stems:
                if term not in known:
                    stands_for.setdefault(term, word)
            out.append(stems)
        return out

    joined = _joined_words(sounds, parsed, plan, known, stands_for)
    must: list[Match] = []
    for k, (clause, match) in enumerate(zip(parsed.must, plan.must, strict=True)):
        if isinstance(clause, query.Word) and not clause.prefix and isinstance(match, Terms):
            alike = readings(clause.text)
            singles = tuple(r[0] for r in alike if len(r) == 1) + joined.get(k, ())
            groups = [Phrase(tuple(Terms((t,)) for t in r)) for r in alike if len(r) > 1]
            own = match.alternatives if len(plan.must) > 1 else ()
            options: list[Terms | Phrase] = groups
            if own or singles:
                options = [Terms(tuple(dict.fromkeys(own + singles))), *groups]
            if not options:
                must.append(match)
            else:
                must.append(options[0] if len(options) == 1 else AnyOf(tuple(options)))
        elif isinstance(clause, query.Phrase) and isinstance(match, Phrase):
            variants: list[Phrase] = []
            for k, word in enumerate(clause.words):
                for r in readings(word):
                    parts = match.parts[:k] + tuple(Terms((t,)) for t in r) + match.parts[k + 1 :]
                    variants.append(Phrase(parts))
            if len(plan.must) == 1 and variants:
                must.append(variants[0] if len(variants) == 1 else AnyOf(tuple(variants)))
            else:
                must.append(AnyOf((match, *variants)) if variants else match)
        else:
            must.append(match)
    if not stands_for:
        return None
    return HeardPlan(replace(plan, must=tuple(must)), stands_for)


def _joined_words(
    sounds: SoundIndex,
    parsed: ParsedQuery,
    plan: MatchPlan,
    known: set[str],
    stands_for: dict[str, str],
) -> dict[int, tuple[str, ...]]:
    """Two query words the captions wrote as one ("Auto ML" captioned "automl"): the joined
    word, when the archive has it, is an alternative of both clauses (by their places)."""
    out: dict[int, tuple[str, ...]] = {}
    pairs = zip(parsed.must, parsed.must[1:], plan.must, plan.must[1:], strict=False)
    for k, (a, b, match_a, match_b) in enumerate(pairs):
        if not (
            isinstance(a, query.Word)
            and isinstance(b, query.Word)
            and not a.prefix
            and not b.prefix
            and isinstance(match_a, Terms)
            and isinstance(match_b, Terms)
        ):
            continue
        word = a.text + b.text
        term = stem(word)
        if term in known or not sounds.says(word):
            continue
        stands_for.setdefault(term, f"{a.text} {b.text}")
        out[k] = (*out.get(k, ()), term)
        out[k + 1] = (*out.get(k + 1, ()), term)
    return out


def partial_plans(
    plan: MatchPlan,
    frequency: dict[Match, int],
    total: int,
    rare_half: bool = True,
    kept: tuple[Match, ...] = (),
) -> list[MatchPlan]:
    """Plans for passages holding most of the words: all but one of the informative words
    (words most passages hold, such as "the", say nothing about where a quote is), never one
    of `kept`, and with `rare_half` any of the rarer half of the words. Their passages are
    ranked by coverage of all the words."""
    informative = tuple(m for m in plan.must if frequency[m] <= RARE_SHARE * total)
    plans = []
    if 2 <= len(informative) <= MAX_DROP_ONE_WORDS:
        n = len(informative)
        all_but_one = AnyOf(
            tuple(
                AllOf(informative[:i] + informative[i + 1 :])  # type: ignore[arg-type]
                for i in range(n)
                if informative[i] not in kept
            )
        )
        if all_but_one.options:
            plans.append(replace(plan, must=(all_but_one,)))
    if rare_half and len(plan.must) >= RARE_HALF_MIN_WORDS and informative:
        k = max(2, (len(plan.must) + 1) // 2)
        rare = tuple(sorted(informative, key=lambda m: frequency[m])[:k])
        plans.append(replace(plan, must=(AnyOf(rare),)))  # type: ignore[arg-type]
    return plans


def lean_heard_plan(heard: HeardPlan, plan: MatchPlan, frequency: dict[Match, int]) -> MatchPlan:
    """The heard plan with sound-alikes for the query's HEARD_PARTIAL_WORDS rarest words only
    (by their own passages: `frequency` of `plan`'s clauses), the HEARD_PARTIAL_ALIKES
    likeliest single words and as many word groups each: what passages holding all but one of
    the words are looked for with. With every word's sound-alikes, each clause an OR of up to
    32 readings asked n times over in one all-but-one plan, FTS5 walked them all: subject
    searches at 10,000 hours spent 140 ms of 200 there."""
    changed = [
        k
        for k, pair in enumerate(zip(plan.must, heard.plan.must, strict=True))
        if pair[0] != pair[1]
    ]
    rarest = sorted(changed, key=lambda k: frequency[plan.must[k]])[: tuning.HEARD_PARTIAL_WORDS]
    must = tuple(
        _likeliest(alike, own) if k in rarest else own
        for k, (own, alike) in enumerate(zip(plan.must, heard.plan.must, strict=True))
    )
    return replace(heard.plan, must=must)


def _likeliest(alike: Match, own: Match) -> Match:
    """A word's sound-alike readings cut to the likeliest few of each kind (its own terms
    kept): single words and groups come likeliest first from sound_plan."""
    cap = tuning.HEARD_PARTIAL_ALIKES
    if isinstance(alike, Terms):
        mine = own.alternatives if isinstance(own, Terms) else ()
        others = tuple(a for a in alike.alternatives if a not in mine)[:cap]
        return Terms(mine + others)
    if isinstance(alike, AnyOf):
        singles = [_likeliest(o, own) for o in alike.options if isinstance(o, Terms)]
        groups = [o for o in alike.options if isinstance(o, Phrase)][:cap]
        options = (*singles, *groups)
        return options[0] if len(options) == 1 else AnyOf(options)
    return alike


def phrases_as_words(parsed: ParsedQuery) -> ParsedQuery:
    """The query with its phrases as their words, in the order said (a word said twice stays
    twice: the plan makes it one clause)."""
    words: list[query.Clause] = []
    for clause in parsed.must:
        if isinstance(clause, query.Phrase):
            words.extend(query.Word(w) for w in clause.words)
        else:
            words.append(clause)
    return replace(parsed, must=words)


def clause_text(clause: query.Clause) -> str:
    if isinstance(clause, query.Word):
        return clause.text + ("*" if clause.prefix else "")
    if isinstance(clause, query.Phrase):
        return '"' + " ".join(clause.words) + '"'
    assert isinstance(clause, query.AnyOf)
    return " OR ".join(clause_text(o) for o in clause.options)


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def nothing_found_hint(parsed: ParsedQuery, filtered: bool = False) -> str:
    """What to try when nothing is found; `filtered`: the search was narrowed by filters
    (a year, a speaker, a talk), which are then the likelier reason."""
    if filtered:
        return "Nothing found with these filters: remove one, or search every talk."
    if _CJK.search(parsed.text or ""):
        return (
            "Nothing found. Chinese, Japanese and Korean characters written together are "
            "searched as they stand, in that order: try fewer characters, or put a space "
            "between words to find them apart."
        )
    if any(isinstance(c, query.Phrase) for c in parsed.must):
        return "Nothing found. Try fewer words, or drop the quotes to match the words anywhere."
    if parsed.must_not:
        return "Nothing found. Try removing the excluded words (those starting with -)."
    return "Nothing found. Try fewer or different words, or a prefix such as transit*."


def common_words(parsed: ParsedQuery) -> list[str]:
    """A note when every word asked is one that nearly every talk says ("how to", "and the"):
    the count of moments is then no guide to what was meant."""
    words = [c for c in parsed.must if isinstance(c, query.Word)]
    if not words or len(words) != len(parsed.must) or any(w.prefix for w in words):
        return []
    if all(w.text in STOP_WORDS for w in words):
        return ["Only very common words: add a rarer one, or put the phrase in quotes."]
    return []
