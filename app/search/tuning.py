"""Every number the search is tuned by, with the reason and, where one chose it, the benchmark
that did. Code reads them as `tuning.NAME` at run time, so `tests/bench/ab_constants.py` can try
another value of any of them (e.g. `ONE_WORD_RANKED=40`) without editing this file."""

CANDIDATES = 60  # passages ranked in Python per engine query
ONE_CLAUSE_CANDIDATES = 40
# of which one word's best by BM25 are ranked when it has more: 40 rare words keep their first
# page at 1,000 and 10,000 hours, in-process p50 0.87x and 0.93x of ranking all 40 (`python
# tests/bench/ab_constants.py DIR/bench.db ONE_WORD_RANKED=40 --classes rare`)
ONE_WORD_RANKED = 30
# readings word for word asked first are ranked best BM25 first, this many, and the others only
# when those hold fewer than a block's moments: 2-3 words p50 0.80x (1,000 h) and 0.75x
# (10,000 h) of ranking all 60, 1-2 first pages of 40 differing below the top two (a talk's
# further readings where another talk's came) (ab_constants.py READINGS_RANKED=60)
READINGS_RANKED = 40
PARTIAL_MIN_WORDS = 3  # shorter queries are not relaxed while something matches them whole
PARTIAL_CANDIDATES = 100
PHRASE_READINGS = 16  # most phrases tried at once for words with alternatives
TALK_CAP = 3  # a talk's moments past this many follow every other talk's
HEARD_MIN_COVERAGE = 0.5  # a passage matched by sound holds half the query (sound discounted)
CORRECTED_PARTIAL_COVERAGE = 0.5  # a typo's correction kept for a quote found in part: its
# best passage holds this share of the corrected words at least

# a word of a quote found nowhere as said, in at most this share of the passages, may be
# misheard in it (Kaggle: 1% of the shared corpus's passages; "together" 2.3%, "learn" 15%)
SOUND_IN_QUOTE_SHARE = 0.02
# when no passage holds every word with their sound-alikes, those holding all but one are looked
# for with the sound-alikes of this many of the query's rarest words, this many single words and
# word groups each, likeliest first (not every word's, up to 16 and 16, nor a plan of any of the
# rarer half: FTS5 walked them all). At 10,000 hours a subject search spent 140 ms of 200 there;
# misheard quotes lost nothing at 1 (4 / 6 / 8 words, tests/bench/sound_eval.py), one at 10 (4
# words 0.549 -> 0.535), dev topics 0.535 / 0.775 -> 0.530 / 0.770 (docs/performance.md)
HEARD_PARTIAL_WORDS = 1
HEARD_PARTIAL_ALIKES = 2
MEANING_CANDIDATES = 80  # nearest passages read to make MEANING_DEPTH moments
# a subject's word and meaning moments fused: WORDS_WEIGHT / (RRF_K + rank) for a word moment,
# 1 / (RRF_K + rank) for a meaning moment (meaning/blend.py); chosen by 5-fold cross-validation
# over the dev topic queries, `python tests/bench/cross_validate.py` (docs/meaning-search.md)
RRF_K = 5
WORDS_WEIGHT = 1.5
QUOTE_COMPACT = 0.75  # as ranking.PassageScore.is_quote: matched words / window length
# a subject-like query is not blended with meaning when its best word match reads as a quote
# in part (this share of its words, this compact) or was found by sound this compact
# (meaning/blend.py reads_as_quote: misheard quotes blended lost half their first hits)
QUOTE_PART_COVERAGE = 0.8
QUOTE_PART_COMPACT = 0.6
HEARD_QUOTE_COMPACT = 0.5
MAX_RANKED = CANDIDATES * 4**4  # the deepest block of candidates ranked for a later page
# A search page ranks every match up to this many passages, so its total, facets and pager
# agree; past it the page says "more than N" and pages reach those N
PAGE_RANKED = 2000

ALL_MATCHES_FACTOR = 4  # several words in at most this many blocks' passages: all ranked
# Asked as said before their AND: a few common words (often said together) ...
PHRASE_FIRST_WORDS = 3
PREFIX_QUERY_WORDS = 128  # the words all the prefixes of one query stand for, at most
PREFIX_MIN_WORDS = 4  # the most frequent words a prefix stands for however many there are
# ... or more whose rarest is in this many passages (their AND is long to list and seldom
# complete, so the phrase pass would follow it anyway); fewer, and the AND is cheap and often
# complete: at 1,000 hours a quote's phrase asked first cost 1.18x its p50 (tests/bench/ab_http.py)
PHRASE_FIRST_BOUND = 5000
