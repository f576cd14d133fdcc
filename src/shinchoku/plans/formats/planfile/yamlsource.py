"""Read YAML while remembering where each value stood, so that errors can name
the file, the line and the path inside the document.

Only plain data is read: mappings, lists and scalars. Anchors, aliases and merge
keys are refused (a data file never needs them, and aliases let a small file
expand to gigabytes or refer to itself), and so are files larger than
``MAX_BYTES`` and documents nested deeper than ``MAX_DEPTH``: each is reported as
a problem with its line, never as a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

#: The largest file read, checked before parsing.
MAX_BYTES = 20_000_000
#: The deepest nesting of mappings and lists read.
MAX_DEPTH = 50

ANCHORS_REFUSED = "YAML anchors and aliases (&name, *name) are not allowed"
MERGE_REFUSED = "YAML merge keys (<<) are not allowed"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_MAX_INT_BITS = 256
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

PathKey = tuple[str | int, ...]


@dataclass
class Located:
    """A parsed document plus the line of every path in it."""

    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, path: PathKey) -> int | None:
        # The nearest enclosing value that has a line.
        for cut in range(len(path), -1, -1):
            line = self.lines.get(path[:cut])
            if line is not None:
                return line
        return None


@dataclass
class SourceProblem:
    message: str
    line: int | None = None
    path: PathKey = ()


class SourceError(Exception):
    """A data file that cannot be read at all (syntax, encoding, size, refused constructs).

    ``problems`` lists every problem found; ``message`` and ``line`` are the first's."""

    def __init__(
        self,
        file: str,
        message: str = "",
        line: int | None = None,
        problems: list[SourceProblem] | None = None,
    ) -> None:
        self.file = file
        self.problems = problems or [SourceProblem(message, line)]
        self.message = self.problems[0].message
        self.line = self.problems[0].line
        super().__init__(
            "\n".join(
                f"{file}, line {problem.line}: {problem.message}"
                if problem.line
                else f"{file}: {problem.message}"
                for problem in self.problems
            )
        )


class _Refusal(Exception):
    """Raised while composing or constructing; carries a message and a line."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _Loader(yaml.SafeLoader):
    """The safe loader, composing without anchors or aliases and within MAX_DEPTH.

    An anchor is dropped and an alias replaced by an empty value, each remembered
    (by node) so that the construction can report it with its path; nothing is
    ever shared between two places of the document."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.refused: dict[int, tuple[yaml.Node, str]] = {}

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.get_event()
            empty = yaml.ScalarNode("tag:yaml.org,2002:null", "", event.start_mark, event.end_mark)
            self.refused[id(empty)] = (empty, ANCHORS_REFUSED)
            return empty
        event = self.peek_event()
        anchored = event.anchor is not None
        event.anchor = None  # never registered, so no alias can reach it
        nests = isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent)
        if nests:
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _Refusal(
                    f"the document is nested more than {MAX_DEPTH} levels deep", event.start_mark.line + 1
                )
        try:
            node = super().compose_node(parent, index)
        finally:
            if nests:
                self.depth -= 1
        if anchored and node is not None:
            self.refused[id(node)] = (node, ANCHORS_REFUSED)
        return node


_SCALAR_KINDS = {
    "tag:yaml.org,2002:int": "a whole number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:timestamp": "a date",
    "tag:yaml.org,2002:bool": "true or false",
    "tag:yaml.org,2002:binary": "binary data",
}


class _Builder:
    def __init__(self, loader: _Loader) -> None:
        self.loader = loader
        self.lines: dict[PathKey, int] = {}
        self.problems: list[SourceProblem] = []

    def refuse(self, node: yaml.Node, path: PathKey) -> bool:
        refused = self.loader.refused.get(id(node))
        if refused is None:
            return False
        self.problems.append(SourceProblem(refused[1], node.start_mark.line + 1, path))
        return True

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.lines[path] = node.start_mark.line + 1
        self.refuse(node, path)
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                line = key_node.start_mark.line + 1
                if key_node.tag == _MERGE_TAG:
                    self.problems.append(SourceProblem(MERGE_REFUSED, line, path))
                    continue
                if self.refuse(key_node, path):
                    continue
                key = self.scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
                if not isinstance(key, str | int) or isinstance(key, bool):
                    kind = "a list or a mapping" if key is None else type(key).__name__
                    raise _Refusal(f"a key must be text, not {kind}", line)
                if key in result:
                    raise _Refusal(f"the key {key!r} appears twice", line)
                result[key] = self.build(value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        return self.scalar(node)

    def scalar(self, node: yaml.Node) -> Any:
        if id(node) in self.loader.refused:
            return None
        try:
            value = self.loader.construct_object(node, deep=True)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            raise _Refusal(
                f"not valid YAML: {error.problem or error.context}", None if mark is None else mark.line + 1
            ) from error
        except (ValueError, TypeError, OverflowError) as error:
            kind = _SCALAR_KINDS.get(node.tag, "a value")
            raise _Refusal(
                f"{_shown(node.value)!r} cannot be read as {kind}", node.start_mark.line + 1
            ) from error
        if isinstance(value, str) and _UNSTORABLE.search(value):
            # Escapes ("\0", "\ud800") reach what the reader refuses when typed: no
            # database stores a NUL, and a lone surrogate is not UTF-8.
            raise _Refusal(
                "the text holds a NUL character or a lone surrogate (an escape such as \\0 or \\ud800), "
                "which cannot be stored",
                node.start_mark.line + 1,
            )
        if isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
            # int() reads hexadecimal of any length, and str() then fails on it.
            raise _Refusal(
                f"{_shown(node.value)!r} cannot be read as a whole number: it is too large",
                node.start_mark.line + 1,
            )
        return value


def _shown(text: str) -> str:
    return text if len(text) <= 40 else text[:40] + "…"


def load_yaml(text: str, file: str) -> Located:
    """Parse YAML text (plain data only) into plain data and a line map."""
    loader = _Loader(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as error:
            line = error.problem_mark.line + 1 if error.problem_mark else None
            raise SourceError(file, f"not valid YAML: {error.problem}", line) from error
        except yaml.YAMLError as error:
            raise SourceError(file, f"not valid YAML: {error}") from error
        except _Refusal as error:
            raise SourceError(file, error.message, error.line) from error
        if root is None:
            raise SourceError(file, "the file is empty")
        builder = _Builder(loader)
        try:
            data = builder.build(root, ())
        except _Refusal as error:
            raise SourceError(file, error.message, error.line) from error
        if builder.problems:
            raise SourceError(file, problems=builder.problems)
    finally:
        loader.dispose()
    return Located(data, builder.lines)


def read_located(path: Path) -> Located:
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SourceError(name, _too_large(size))
        with path.open("rb") as stream:
            raw = stream.read(MAX_BYTES + 1)
    except OSError as error:
        raise SourceError(name, f"cannot be read: {error.strerror}") from error
    if len(raw) > MAX_BYTES:  # grew since it was measured
        raise SourceError(name, _too_large(len(raw)))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceError(name, f"is not UTF-8 text (byte {error.start})") from error
    return load_yaml(text, name)


def _too_large(size: int) -> str:
    return (
        f"is {size:,} bytes long; a plan file may be at most {MAX_BYTES:,} bytes "
        f"({MAX_BYTES // 1_000_000} MB)"
    )
