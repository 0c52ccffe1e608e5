"""YAML loading that refuses aliases (no "billion laughs" expansion) and object tags, and keeps
line numbers so errors can name the line."""

import re
from typing import Any

import yaml

from app.ingest.transcript import TranscriptError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 15x faster on the corpus
_ANCHOR = re.compile(r"(?:^|[\s\[{,])&[^\s]")  # an alias needs an anchor to point at


def _reject_aliases(root: yaml.Node) -> None:
    """An alias makes one node appear twice in the tree; refusing them all stops
    "billion laughs" expansion before construction."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise TranscriptError("YAML aliases are not allowed", node.start_mark.line + 1)
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))


def load_yaml(text: str, first_line: int = 1) -> tuple[Any, yaml.Node | None]:
    """The data and its node tree; `first_line` is the file line where `text` begins."""
    loader = _Loader(text)
    node = None
    try:
        node = loader.get_single_node()
        if node is not None and _ANCHOR.search(text):
            try:
                _reject_aliases(node)
            except TranscriptError as exc:
                raise TranscriptError(exc.message, (exc.line or 1) + first_line - 1) from None
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else None
        raise TranscriptError(f"invalid YAML: {exc.problem or exc.context}", line) from exc
    except yaml.YAMLError as exc:
        raise TranscriptError(f"invalid YAML: {exc}") from exc
    except (ValueError, OverflowError, TypeError) as exc:
        # a value its tag cannot hold: `date: 2023-02-30`, an integer of 5,000 digits
        line = _unreadable_line(node) if node is not None else None
        reason = str(exc).split(";")[0].split(":")[0]
        raise TranscriptError(
            f"invalid YAML value: {reason}", line + first_line - 1 if line else None
        ) from None
    except RecursionError:
        raise TranscriptError("YAML nested too deeply") from None
    finally:
        loader.dispose()
    return data, node


def _unreadable_line(root: yaml.Node) -> int | None:
    """The 1-based line of the first scalar whose tag cannot construct it."""
    constructor = yaml.constructor.SafeConstructor()
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            try:
                constructor.construct_object(node)
            except (ValueError, OverflowError, TypeError, yaml.YAMLError):
                return node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):
                stack.extend((value, key))
    return None


def child_node(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v
    return None


def item_lines(node: yaml.Node | None, first_line: int) -> list[int]:
    """File line of each item of a YAML sequence node."""
    if not isinstance(node, yaml.SequenceNode):
        return []
    return [item.start_mark.line + first_line for item in node.value]


def split_front_matter(text: str) -> tuple[str, int]:
    """The YAML between the first two `---` lines, and the file line where it starts."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise TranscriptError("no YAML front matter (the file must start with a '---' line)", 1)
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "".join(lines[1:i]), 2
    raise TranscriptError("front matter is not closed by a '---' line", 1)
