"""How well a draft import matches a correct reading, field by field: the facts of a
JSON dataset (or of a generated report's ``Expected``) as sets, compared by precision
and recall (bench/report_import_accuracy.py, tests/plans/formats/report/)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from shinchoku.text import normalize

from .report_text import Expected

#: The fields compared, in the order printed.
FIELDS = (
    "measures found",
    "measure code",
    "programme assignment",
    "summary",
    "baseline",
    "targets per measure",
    "target years",
    "result text per year",
    "rating",
    "context change",
    "response",
    "highlight",
)
Facts = dict[str, set[tuple[Any, ...]]]


def flat(text: str) -> str:
    return "".join(normalize(text).split())


def dataset_facts(dataset: dict[str, Any]) -> Facts:
    nodes = {node["id"]: node for node in dataset["nodes"]}
    facts: Facts = {name: set() for name in FIELDS}
    for node in nodes.values():
        if node["level"] != "measure":
            continue
        title = flat(node["title"])
        facts["measures found"].add((title,))
        facts["measure code"].add((title, node["code"]))
        parent = nodes.get(node["parent_id"])
        facts["programme assignment"].add((title, flat(parent["title"]) if parent else ""))
        if node["summary"]:
            facts["summary"].add((title, flat(node["summary"])))
        if node["baseline"]:
            facts["baseline"].add((title, flat(node["baseline"])))
    for target in dataset["targets"]:
        title = flat(nodes[target["node_id"]]["title"])
        facts["targets per measure"].add((title, flat(target["text"])))
        facts["target years"].add(
            (title, flat(target["text"]), target["start_year"], target["end_year"], target["open_end"])
        )
    for result in dataset["results"]:
        title, year = flat(nodes[result["node_id"]]["title"]), result["fiscal_year"]
        facts["result text per year"].add((title, year, flat(result["text"])))
        if result["rating"]:
            facts["rating"].add((title, year, result["rating"]["code"]))
        for name, key in (
            ("context change", "context_change"),
            ("response", "response"),
            ("highlight", "highlight"),
        ):
            if result[key]:
                facts[name].add((title, year, flat(result[key])))
    return facts


def expected_facts(expected: Expected) -> Facts:
    """The facts a generated report holds (those it makes: no summary, baseline or targets)."""
    facts: Facts = {name: set() for name in FIELDS}
    for measure in expected.measures:
        title = flat(measure.title)
        facts["measures found"].add((title,))
        facts["measure code"].add((title, measure.code))
        facts["programme assignment"].add((title, flat(measure.programme)))
        latest = max(measure.results)
        for year, text in measure.results.items():
            facts["result text per year"].add((title, year, flat(text)))
            facts["rating"].add((title, year, measure.ratings[year]))
        for year, text in measure.context_change.items():
            facts["context change"].add((title, year, flat(text)))
        facts["highlight"].add((title, latest, flat(measure.highlight)))
    return facts


@dataclass
class Score:
    found: int = 0
    expected: int = 0
    right: int = 0

    def add(self, found: set[tuple[Any, ...]], expected: set[tuple[Any, ...]]) -> None:
        self.found += len(found)
        self.expected += len(expected)
        self.right += len(found & expected)

    @property
    def precision(self) -> float | None:
        return self.right / self.found if self.found else None

    @property
    def recall(self) -> float | None:
        return self.right / self.expected if self.expected else None


def compare(found: Facts, expected: Facts, scores: dict[str, Score] | None = None) -> dict[str, Score]:
    scores = scores if scores is not None else {name: Score() for name in FIELDS}
    for name in FIELDS:
        if expected[name] or name not in (
            "summary",
            "baseline",
            "targets per measure",
            "target years",
            "response",
        ):
            scores[name].add(found[name], expected[name])
    return scores


def table(scores: dict[str, Score], fields: Iterable[str] = FIELDS) -> str:
    def percent(value: float | None) -> str:
        return "—" if value is None else f"{value:6.1%}"

    rows = [f"{'field':<22} {'expected':>8} {'found':>6} {'right':>6} {'precision':>9} {'recall':>7}"]
    for name in fields:
        score = scores[name]
        if not score.expected and not score.found:
            continue
        rows.append(
            f"{name:<22} {score.expected:>8} {score.found:>6} {score.right:>6} "
            f"{percent(score.precision):>9} {percent(score.recall):>7}"
        )
    return "\n".join(rows)
