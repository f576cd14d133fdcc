"""A small HTML tree for assertions on rendered pages (standard library only)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

INLINE = {"a", "abbr", "b", "code", "em", "i", "mark", "small", "span", "strong"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    def iter(self) -> list[Element]:
        found = []
        for child in self.children:
            if isinstance(child, Element):
                found.append(child)
                found.extend(child.iter())
        return found

    def find_all(self, tag: str, **attrs: str) -> list[Element]:
        """Descendants by tag; ``class_="x"`` matches one of the classes, other attributes exactly."""
        result = []
        for element in self.iter():
            if element.tag != tag:
                continue
            if all(
                (value in element.attrs.get("class", "").split())
                if name == "class_"
                else element.attrs.get(name.replace("_", "-")) == value
                for name, value in attrs.items()
            ):
                result.append(element)
        return result

    def find(self, tag: str, **attrs: str) -> Element:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag}> with {attrs}"
        return found[0]

    @property
    def inline(self) -> bool:
        return self.tag in INLINE and "line" not in self.attrs.get("class", "").split()

    @property
    def text(self) -> str:
        """Text content with whitespace collapsed; blocks (and text lines) set apart by a space."""
        parts: list[str] = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            else:
                parts.append(child.text if child.inline else f" {child.text} ")
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    @property
    def shown_text(self) -> str:
        """``text`` less the text for assistive technology only (class visually-hidden)."""
        parts: list[str] = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif "visually-hidden" not in child.attrs.get("class", "").split():
                parts.append(child.shown_text if child.inline else f" {child.shown_text} ")
        return re.sub(r"\s+", " ", "".join(parts)).strip()


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str | bytes) -> Element:
    builder = _Builder()
    builder.feed(html.decode() if isinstance(html, bytes) else html)
    builder.close()
    return builder.root


def table_grid(table: Element) -> list[list[tuple[int, int, Element]]]:
    """Body rows of a table as (first column, colspan, cell) for each <td>, counting <td>s only
    (row headings, which may span rows, stand outside the year columns)."""
    rows = []
    for tr in table.find("tbody").find_all("tr"):
        column = 0
        cells = []
        for cell in (c for c in tr.children if isinstance(c, Element) and c.tag == "td"):
            span = int(cell.attrs.get("colspan", "1"))
            cells.append((column, span, cell))
            column += span
        rows.append(cells)
    return rows
