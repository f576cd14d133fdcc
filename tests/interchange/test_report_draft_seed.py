"""The seed report's draft, as the recogniser makes it, corrected on every kind of decision
the review page corrects and accepted: the recogniser's pointers are the places the
corrections expect (a result's year at ``/results/N/fiscal_year``, a rating under
``/results/N``, a 現状 at ``/nodes/N/baseline``, a target's years under ``/targets/K``, its
measure at ``/targets/K/node_id``, a measure's programme at ``/nodes/N/parent_id``), and the
values they offer are values those places take."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User

from shinchoku.accounts.models import Role
from shinchoku.interchange.reportdrafts import draft_accept, draft_correct, store_draft
from shinchoku.interchange.reportdrafts.corrections import choices
from shinchoku.interchange.reportdrafts.services import draft_corrected, draft_of
from shinchoku.plans.formats.report.draft import Decision, resolve
from shinchoku.plans.formats.report.recognise import recognise
from shinchoku.plans.formats.report.source import read_text
from shinchoku.plans.models import Node, Plan
from shinchoku.progress.models import Result, Target
from tests.factories import make_staff
from tests.plans.formats.report.seed import SEED_TEXT

pytestmark = pytest.mark.django_db

CODE = "seed-report"


@pytest.fixture
def admin(db: None) -> User:
    return make_staff(Role.ADMINISTRATOR, username="kikaku")


def _first(decisions: list[Decision], kind: str, wanted: Any = None) -> tuple[int, Decision]:
    found = [
        (index, d) for index, d in enumerate(decisions) if d.kind == kind and (wanted is None or wanted(d))
    ]
    assert found, kind
    return found[0]


def test_the_seeds_draft_is_corrected_on_every_kind_and_accepted(admin: User) -> None:
    draft = recognise(read_text(SEED_TEXT.read_bytes(), SEED_TEXT.name), plan_code=CODE)
    stored = store_draft(draft, admin)
    draft = draft_of(stored)
    decisions = list(draft.decisions)
    dataset = draft.dataset
    nodes = dataset["nodes"]
    measures = [node["id"] for node in nodes if node["level"] == "measure"]
    programmes = [node["id"] for node in nodes if node["level"] == "programme"]

    # Every decision of these kinds names the place the corrections expect, and what the
    # page offers for it is a value that place takes.
    places = {
        "result_year": r"^/results/\d+/fiscal_year$",
        "rating": r"^/results/\d+(/|$)",
        "baseline": r"^/nodes/\d+/baseline$",
        "target_years": r"^/targets/\d+(/|$)",
        "target_measure": r"^/targets/\d+/node_id$",
        "programme_assignment": r"^/nodes/\d+/parent_id$",
    }
    for decision in decisions:
        if decision.kind in places:
            assert re.match(places[decision.kind], decision.pointer), decision
            offered = [choice.value for choice in choices(dataset, decision)]
            assert all(value in offered for value in decision.alternatives), decision
    for decision in decisions:
        if decision.kind == "programme_assignment" and decision.alternatives:
            assert set(decision.alternatives) <= set(programmes)

    # A result's year: to a year its measure has no result in.
    year_index, year_decision = _first(decisions, "result_year", lambda d: d.flagged)
    result = resolve(dataset, year_decision.pointer.rsplit("/", 1)[0])
    held = {r["fiscal_year"] for r in dataset["results"] if r["node_id"] == result["node_id"]}
    free = next(year for year in range(2011, 2014) if year not in held)
    draft_correct(stored, year_index, free, actor=admin)
    # A rating.
    rating_index, _rating = _first(decisions, "rating")
    draft_correct(stored, rating_index, "2", actor=admin)
    # A 現状 made the first year's target.
    base_index, base_decision = _first(decisions, "baseline", lambda d: bool(resolve(dataset, d.pointer)))
    base_node = resolve(dataset, base_decision.pointer.rsplit("/", 1)[0])
    draft_correct(stored, base_index, 2011, actor=admin)
    # A target's years.
    years_index, _years = _first(decisions, "target_years")
    draft_correct(stored, years_index, 2013, actor=admin)
    # A target given to another measure.
    target_index, target_decision = _first(decisions, "target_measure")
    target = resolve(dataset, target_decision.pointer.rsplit("/", 1)[0])
    other = next(measure for measure in measures if measure != target["node_id"])
    draft_correct(stored, target_index, other, actor=admin)
    # A measure given to another programme.
    owner_index, owner_decision = _first(decisions, "programme_assignment")
    owner = resolve(dataset, owner_decision.pointer.rsplit("/", 1)[0])
    programme = next(node for node in programmes if node != owner["parent_id"])
    draft_correct(stored, owner_index, programme, actor=admin)

    corrected = draft_corrected(stored).final()
    accepted = draft_accept(stored, actor=admin)
    assert accepted.report_draft.status == "accepted"
    plan = Plan.objects.get(code=CODE)

    def node(node_id: str) -> Node:
        return Node.objects.get(plan=plan, code=node_id.split(":", 1)[1])

    assert Result.objects.filter(node=node(result["node_id"]), fiscal_year=free).exists()
    assert node(base_node["id"]).baseline == ""
    assert Target.objects.filter(
        node=node(base_node["id"]), start_year=2011, text=base_node["baseline"]
    ).exists()
    assert Target.objects.filter(node=node(other), text=target["text"]).exists()
    assert (
        node(owner["id"]).parent is not None and node(owner["id"]).parent.code == programme.split(":", 1)[1]
    )
    assert Result.objects.filter(node__plan=plan).count() == len(corrected["results"])
    assert Target.objects.filter(node__plan=plan).count() == len(corrected["targets"])
