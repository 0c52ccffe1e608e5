"""Column values as the backends return them, made the same: a JSON list is text in SQLite and a
list in PostgreSQL."""

import functools
import json


def json_list(value: object) -> list[str]:
    """A JSON list column as strings (SQLite gives text, PostgreSQL a list)."""
    if isinstance(value, str):
        return list(_parsed_list(value))
    return [str(x) for x in value] if isinstance(value, list) else []


@functools.lru_cache(maxsize=4096)
def _parsed_list(text: str) -> tuple[str, ...]:
    """Read once per text: every hit of a talk carries its speakers' list (12 µs a hit)."""
    try:
        data = json.loads(text)
    except ValueError:
        return ()
    return tuple(str(x) for x in data) if isinstance(data, list) else ()
