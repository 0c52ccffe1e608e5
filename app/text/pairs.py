"""Adjacent term pairs: a phrase's passages are found through its pairs, each far rarer than
its words (FTS5's pair table, tantivy's pairs field), instead of through the position lists of
every passage holding all its words."""

PAIR_JOINER = "_"  # a token character in the tokenizers both indexes use for pairs


def pair_token(first: str, second: str) -> str:
    return f"{first}{PAIR_JOINER}{second}"


def pairs_text(terms: str) -> str:
    """A passage's adjacent term pairs, space-separated (built in C: a generator of f-strings
    took 6 % of an ingest)."""
    words = terms.split()
    return " ".join(map(PAIR_JOINER.join, zip(words, words[1:], strict=False)))
