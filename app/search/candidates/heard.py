"""A passage that matched the plan through sound-alikes ("team sword" for Timsort) scored as such:
the query words it holds only by sound count less than words said exactly."""

from app.search.candidates.ranking import (
    COVERAGE_WEIGHT,
    SOUND_CREDIT,
    PassageScore,
    Span,
    score_passage,
)
from app.search.language.plan import Match
from app.text.analysis import stem
from app.text.phonetic import likeness


def heard_reading(
    s: PassageScore, terms: list[str], exact: tuple[Match, ...], stands_for: dict[str, str]
) -> PassageScore:
    """A passage scored against the plan with sound-alikes: the query words it holds only as
    sound-alikes count SOUND_CREDIT of a word, so it ranks below the same words said exactly."""
    heard = [
        Span(i, i + 1)
        for span in s.matched
        for i in range(span.start, span.end)
        if terms[i] in stands_for
    ]
    if not heard:
        return s
    # the query's own words inside the matched window (the passage may hold them elsewhere:
    # that is another moment)
    plain = score_passage(s.passage_id, terms[s.window.start : s.window.end], exact, 0.0)
    plain_coverage = plain.coverage if plain is not None else 0.0
    gained = s.coverage - plain_coverage
    if gained <= 0:
        return s
    runs: list[Span] = []
    for span in heard:  # adjacent words heard for one query word ("team sword") are one run
        if (
            runs
            and runs[-1].end == span.start
            and stands_for[terms[span.start]] == stands_for[terms[runs[-1].start]]
        ):
            runs[-1] = Span(runs[-1].start, span.end)
        else:
            runs.append(span)
    s.sounds = [(run, stands_for[terms[run.start]]) for run in runs]
    s.by_sound = True
    s.heard_whole = s.coverage == 1.0
    alike = sum(
        likeness(stem(word), "".join(terms[run.start : run.end])) for run, word in s.sounds
    ) / len(s.sounds)
    credit = SOUND_CREDIT * alike
    s.score -= COVERAGE_WEIGHT * (1 - credit) * gained
    s.coverage = plain_coverage + credit * gained
    return s
