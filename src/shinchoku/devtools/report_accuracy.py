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
#: Where a target's years are in the dataset.
YEAR_KEYS = ("start_year", "end_year", "open_end")


def flat(text: str) -> str:
    return "".join(normalize(text).split())


def dataset_facts(dataset: dict[str, Any]) -> Facts:
    return {name: set(facts) for name, facts in fact_places(dataset).items()}


def fact_places(dataset: dict[str, Any]) -> dict[str, dict[tuple[Any, ...], set[str]]]:
    """Each field's facts, each with the JSON pointers of the items it is read from."""
    nodes = {node["id"]: node for node in dataset["nodes"]}
    places = {node["id"]: f"/nodes/{index}" for index, node in enumerate(dataset["nodes"])}
    facts: dict[str, dict[tuple[Any, ...], set[str]]] = {name: {} for name in FIELDS}

    def add(name: str, fact: tuple[Any, ...], *where: str) -> None:
        facts[name].setdefault(fact, set()).update(where)

    for node in nodes.values():
        if node["level"] != "measure":
            continue
        title, here = flat(node["title"]), places[node["id"]]
        # The node's own decision (at ``here``) finds it and gives its title and code.
        add("measures found", (title,), f"{here}/title")
        add("measure code", (title, node["code"]), f"{here}/code")
        parent = nodes.get(node["parent_id"])
        add("programme assignment", (title, flat(parent["title"]) if parent else ""), f"{here}/parent_id")
        if node["summary"]:
            add("summary", (title, flat(node["summary"])), f"{here}/summary")
        if node["baseline"]:
            add("baseline", (title, flat(node["baseline"])), f"{here}/baseline")
    for index, target in enumerate(dataset["targets"]):
        title, here = flat(nodes[target["node_id"]]["title"]), f"/targets/{index}"
        add("targets per measure", (title, flat(target["text"])), here, f"{here}/node_id")
        years = (target["start_year"], target["end_year"], target["open_end"])
        add("target years", (title, flat(target["text"]), *years), *(f"{here}/{key}" for key in YEAR_KEYS))
    for index, result in enumerate(dataset["results"]):
        title, year = flat(nodes[result["node_id"]]["title"]), result["fiscal_year"]
        here = f"/results/{index}"
        add(
            "result text per year", (title, year, flat(result["text"])), f"{here}/text", f"{here}/fiscal_year"
        )
        if result["rating"]:
            add("rating", (title, year, result["rating"]["code"]), f"{here}/rating", f"{here}/fiscal_year")
        for name, key in (
            ("context change", "context_change"),
            ("response", "response"),
            ("highlight", "highlight"),
        ):
            if result[key]:
                add(name, (title, year, flat(result[key])), f"{here}/{key}", f"{here}/fiscal_year")
    return facts


def unflagged_wrong(draft: Any, expected: Facts, fields: Iterable[str] = FIELDS) -> dict[str, int]:
    """Per field, the draft's facts that are wrong (not in ``expected``) and that no
    decision flagged for review decided: one at a place the fact is read from, within it
    (a rating's code) or holding it (a whole target). These are the draft's silent
    mistakes; the goal is none."""
    flagged = {decision.pointer for decision in draft.decisions if decision.flagged}
    counts = {}
    for name, facts in fact_places(draft.dataset).items():
        if name in fields:
            counts[name] = sum(
                1
                for fact, where in facts.items()
                if fact not in expected[name] and not any(_decided(place, flagged) for place in where)
            )
    return counts


def _decided(place: str, flagged: set[str]) -> bool:
    """A flagged decision is at ``place``, within it or holds it."""
    parts = place.split("/")
    holders = {"/".join(parts[:end]) for end in range(2, len(parts) + 1)}
    return bool(holders & flagged) or any(pointer.startswith(place + "/") for pointer in flagged)


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
    #: Wrong and touched by no decision flagged for review (``unflagged_wrong``).
    unflagged: int = 0

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

    rows = [
        f"{'field':<22} {'expected':>8} {'found':>6} {'right':>6} {'precision':>9} {'recall':>7} "
        f"{'wrong, unflagged':>16}"
    ]
    for name in fields:
        score = scores[name]
        if not score.expected and not score.found:
            continue
        rows.append(
            f"{name:<22} {score.expected:>8} {score.found:>6} {score.right:>6} "
            f"{percent(score.precision):>9} {percent(score.recall):>7} {score.unflagged:>16}"
        )
    return "\n".join(rows)


def count_unflagged(draft: Any, expected: Facts, scores: dict[str, Score], skip: Iterable[str] = ()) -> None:
    """Add the draft's silent mistakes (``unflagged_wrong``) to the fields compared, but
    those in ``skip`` (whose facts were compared after a change of form)."""
    compared = [name for name in FIELDS if (scores[name].expected or scores[name].found) and name not in skip]
    for name, count in unflagged_wrong(draft, expected, compared).items():
        scores[name].unflagged += count
