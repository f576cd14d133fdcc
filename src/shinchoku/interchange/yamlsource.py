"""Read YAML while remembering where each value stood, so that errors can name
the file, the line and the path inside the document."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


@dataclass
class Located:
    """A parsed document plus the line of every path in it."""

    data: Any
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)

    def line_of(self, path: tuple[str | int, ...]) -> int | None:
        # The nearest enclosing value that has a line.
        for cut in range(len(path), -1, -1):
            line = self.lines.get(path[:cut])
            if line is not None:
                return line
        return None


class SourceError(Exception):
    """A data file that cannot be read at all (syntax, encoding, missing)."""

    def __init__(self, file: str, message: str, line: int | None = None) -> None:
        self.file = file
        self.line = line
        self.message = message
        where = f"{file}, line {line}" if line else file
        super().__init__(f"{where}: {message}")


def _construct(node: yaml.Node, path: tuple[str | int, ...], lines: dict, constructor: Any) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str | int):
                raise SourceError(
                    "", f"a key must be text, not {type(key).__name__}", key_node.start_mark.line + 1
                )
            if key in result:
                raise SourceError("", f"the key {key!r} appears twice", key_node.start_mark.line + 1)
            result[key] = _construct(value_node, (*path, key), lines, constructor)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, (*path, index), lines, constructor) for index, item in enumerate(node.value)]
    return constructor.construct_object(node, deep=True)


def load_yaml(text: str, file: str) -> Located:
    """Parse YAML text (safe subset) into plain data and a line map."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else None
        raise SourceError(file, f"not valid YAML: {error.problem}", line) from error
    except yaml.YAMLError as error:
        raise SourceError(file, f"not valid YAML: {error}") from error
    if root is None:
        raise SourceError(file, "the file is empty")
    lines: dict[tuple[str | int, ...], int] = {}
    constructor = yaml.SafeLoader("")
    try:
        data = _construct(root, (), lines, constructor)
    except SourceError as error:
        raise SourceError(file, error.message, error.line) from error
    except yaml.YAMLError as error:
        raise SourceError(file, f"not valid YAML: {error}") from error
    return Located(data, lines)


def read_located(path: Path) -> Located:
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise SourceError(name, f"cannot be read: {error.strerror}") from error
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceError(name, f"is not UTF-8 text (byte {error.start})") from error
    return load_yaml(text, name)
