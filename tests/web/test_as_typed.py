"""What a query being typed asks for (search as you type, `typing=1`)."""

import pytest

from app.web.pages import as_typed


@pytest.mark.parametrize(
    ("typed", "asked"),
    [
        ("feature sto", "feature sto*"),  # the word being typed is a prefix
        ("feature sto ", "feature sto"),  # a space finishes it
        ("touching my for", "touching"),  # very common words are left out while typing
        ("help you des", "help des*"),
        ("to be or not", "to be or not"),  # unless nothing else is left
        ("a OR b", "a OR b"),  # operators and quotes are asked as typed
        ('"go far" tog', '"go far" tog'),
        ("-kaggle pyth", "-kaggle pyth*"),
        ("speaker:alex kub", "speaker:alex kub*"),
        ("x", "x"),  # one letter is no prefix
    ],
)
def test_a_query_being_typed(typed: str, asked: str) -> None:
    assert as_typed(typed) == asked
