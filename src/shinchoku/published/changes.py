"""The one place a write of published data is answered.

Whatever writes a plan's published data (an import through ``plans.writing``, a round's
publication, an edit through the audited row services or the admin, a test's factory)
ends here, in the transaction that wrote it:

- a row saved with the ORM is seen by the signal ``connect`` installs, and its plan and
  node found from the row (``_where``); a row deleted one by one is said by who deletes
  it (``row_written(row, deleting=True)``, as ``audit.writes.row_delete`` does);
- a writer that writes in bulk (``bulk_create``, ``QuerySet.update``), which sends no
  signal, says what it wrote with ``plan_changed``.

Inside ``with batch():`` the changes are gathered and answered once, when the block
ends (still inside its transaction); outside one, each is answered at once. Answering
raises the data version of each plan changed and of the site (``DataVersion``), then
brings the derived data of what changed up to date: the kept aggregates
(``shinchoku.published.aggregates.refresh``) and the search documents
(``shinchoku.search.indexing.refresh``), each given a ``Change`` per plan. A block left
by an exception answers nothing: its transaction is rolled back with what it wrote.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.db.models.signals import m2m_changed, post_save
from django.utils import timezone

#: The apps whose tables hold only what is derived from the published data: not the
#: city's data, never listed as what a deletion took, never carried by a backup.
DERIVED_APPS = frozenset({"published", "search"})


@dataclass(frozen=True)
class Change:
    """What changed in one plan: ``nodes`` the ids of the nodes whose own data changed
    (None: anything in the plan, such as its vocabulary or its whole content after an
    import; empty: nothing any derived data reads, only what the pages show, such as a
    scale's label), ``models`` the labels of the models written (``"progress.rating"``),
    ``deleted`` whether the plan itself is gone, ``years`` the fiscal years of what was
    written when every write said its year (a round's results, ratings and costs), None
    when one did not (a node, a target, a bulk writer that did not say)."""

    plan_id: int
    nodes: frozenset[int] | None
    models: frozenset[str]
    deleted: bool = False
    years: frozenset[int] | None = None

    def touches(self, *labels: str) -> bool:
        """Whether a model of ``labels`` was written, or the whole plan changed, or a
        writer said it changed without saying what (a bulk writer's ``""``)."""
        return self.nodes is None or "" in self.models or bool(self.models.intersection(labels))


@dataclass
class _Pending:
    nodes: dict[int, set[int] | None] = field(default_factory=dict)
    models: dict[int, set[str]] = field(default_factory=dict)
    years: dict[int, set[int] | None] = field(default_factory=dict)
    deleted: set[int] = field(default_factory=set)
    site: bool = False
    plan_of_node: dict[int, int] = field(default_factory=dict)
    #: The node of a row's parent (a result, an indicator), with a result's fiscal year.
    parents: dict[tuple[str, int], tuple[int, int | None] | None] = field(default_factory=dict)

    def add(
        self, plan_id: int, nodes: Iterable[int] | None, model: str, years: Iterable[int] | None = None
    ) -> None:
        self.site = True
        self.models.setdefault(plan_id, set()).add(model)
        if years is None:
            self.years[plan_id] = None
        else:
            known_years = self.years.setdefault(plan_id, set())
            if known_years is not None:
                known_years.update(years)
        if nodes is None:
            self.nodes[plan_id] = None
            return
        known = self.nodes.setdefault(plan_id, set())
        if known is not None:
            known.update(nodes)

    def changes(self) -> list[Change]:
        return [
            Change(
                plan_id=plan_id,
                nodes=None if nodes is None else frozenset(nodes),
                models=frozenset(self.models.get(plan_id, ())),
                deleted=plan_id in self.deleted,
                years=None if (years := self.years.get(plan_id)) is None else frozenset(years),
            )
            for plan_id, nodes in sorted(self.nodes.items())
        ]


_pending: ContextVar[_Pending | None] = ContextVar("shinchoku_published_pending", default=None)


@contextmanager
def batch() -> Iterator[None]:
    """Gather the changes written inside the block and answer them once at its end. A
    block inside another joins the outer one."""
    if _pending.get() is not None:
        yield
        return
    pending = _Pending()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    _answer(pending)


def plan_changed(
    plan_id: int,
    *,
    nodes: Iterable[int] | None = None,
    model: str = "",
    years: Iterable[int] | None = None,
) -> None:
    """Say that ``plan_id``'s published data changed: of ``nodes`` (their ids), or of the
    whole plan (None); rows of ``model`` (``""``: of any), of the fiscal ``years`` only
    when given. For writers that write in bulk; rows saved one by one are seen."""
    with batch():
        pending = _pending.get()
        assert pending is not None
        pending.add(
            plan_id, None if nodes is None else list(nodes), model, None if years is None else list(years)
        )


def site_changed(model: str = "") -> None:
    """Say that the shared vocabulary changed (a scale, an organisation unit): every
    plan's pages may show it, no derived data reads it."""
    from shinchoku.plans.models import Plan

    with batch():
        pending = _pending.get()
        assert pending is not None
        for plan_id in Plan.objects.values_list("pk", flat=True):
            pending.add(plan_id, (), model)
        pending.site = True


def rebuild(plan_ids: Iterable[int] | None = None) -> int:
    """Derive again everything of ``plan_ids`` (None: every plan), as after an import of
    each: after a restore, or when the derived data is new. Returns the number of plans."""
    from shinchoku.plans.models import Plan

    ids = list(Plan.objects.values_list("pk", flat=True)) if plan_ids is None else list(plan_ids)
    with batch():
        for plan_id in ids:
            plan_changed(plan_id)
    return len(ids)


def derive_missing(using: str = "default", **kwargs: Any) -> None:
    """After ``migrate``: derive the plans that have never been (an installation that
    had its plans before the derived data existed)."""
    from shinchoku.plans.models import Plan

    missing = list(Plan.objects.using(using).filter(data_version__isnull=True).values_list("pk", flat=True))
    if missing:
        rebuild(missing)


def _answer(pending: _Pending) -> None:
    if not pending.site and not pending.nodes:
        return
    from shinchoku.opendata import bundles
    from shinchoku.published import aggregates
    from shinchoku.search import indexing

    changes = pending.changes()
    with transaction.atomic():
        # The open data's ZIPs are built again by a job, once the write is committed.
        transaction.on_commit(lambda: bundles.schedule(change.plan_id for change in changes))
        _raise_versions([change.plan_id for change in changes if not change.deleted])
        for change in changes:
            aggregates.refresh(change)
            indexing.refresh(change)


def _raise_versions(plan_ids: list[int]) -> None:
    """Raise the site's version and each plan's: to one more, or to now in microseconds
    when that is higher (see ``DataVersion``)."""
    from shinchoku.plans.models import Plan
    from shinchoku.published import versionwatch
    from shinchoku.published.models import DataVersion

    # Every process hears of the new versions when they are committed (a notification
    # from the table); this one forgets what it remembers now, and again at the commit.
    versionwatch.forget()
    transaction.on_commit(versionwatch.forget)
    now = timezone.now()
    stamp = int(time.time() * 1_000_000)
    existing = set(DataVersion.objects.filter(plan_id__in=plan_ids).values_list("plan_id", flat=True))
    missing = [plan_id for plan_id in plan_ids if plan_id not in existing]
    if missing:
        alive = set(Plan.objects.filter(pk__in=missing).values_list("pk", flat=True))
        DataVersion.objects.bulk_create(
            [
                DataVersion(plan_id=plan_id, version=stamp, changed_at=now)
                for plan_id in missing
                if plan_id in alive
            ],
            ignore_conflicts=True,
        )
    raised = Greatest(F("version") + 1, Value(stamp))
    DataVersion.objects.filter(plan_id__in=[p for p in plan_ids if p in existing]).update(
        version=raised, changed_at=now
    )
    if not DataVersion.objects.filter(plan__isnull=True).update(version=raised, changed_at=now):
        DataVersion.objects.bulk_create(
            [DataVersion(plan=None, version=stamp, changed_at=now)], ignore_conflicts=True
        )


# Rows saved and deleted one by one ------------------------------------------------------

#: The models whose rows are published data, by label, and how a row finds its node:
#: the name of the foreign key to follow to a node (``"node"``, ``"result__node"``), "" for
#: a row of the plan itself, None for the shared vocabulary.
TRACKED: dict[str, str | None] = {
    "plans.plan": "",
    "plans.level": "",
    "plans.marker": "",
    "plans.dimension": "",
    "plans.section": "",
    "progress.staffrate": "",
    "plans.node": "self",
    "plans.nodeunit": "node",
    "plans.nodesectiontext": "node",
    "progress.target": "node",
    "progress.result": "node",
    "progress.indicator": "node",
    "progress.cost": "node",
    "progress.rating": "result__node",
    "progress.resultsectiontext": "result__node",
    "progress.indicatorvalue": "indicator__node",
    "plans.scale": None,
    "plans.scalelevel": None,
    "plans.orgunit": None,
}


class _Where(NamedTuple):
    """Where a saved or deleted row is: its plan, its node (None: the plan's own row) and
    its fiscal year (None: a row of no one year)."""

    plan_id: int
    node_id: int | None
    year: int | None = None


#: The models whose rows are of one fiscal year: their own ``fiscal_year``, or their
#: result's.
_OF_A_YEAR = frozenset({"progress.result", "progress.cost", "progress.rating", "progress.resultsectiontext"})


def _where(instance: models.Model, pending: _Pending) -> _Where | None:
    """The plan, node and year of a saved or deleted row."""
    label = instance._meta.label_lower
    route = TRACKED[label]
    if route == "":
        plan_id = instance.pk if label == "plans.plan" else instance.plan_id  # type: ignore[attr-defined]
        return _Where(plan_id, None)
    if route == "self":
        return _Where(instance.plan_id, instance.pk)  # type: ignore[attr-defined]
    from shinchoku.plans.models import Node
    from shinchoku.progress.models import Indicator, Result

    assert route is not None
    year: int | None = getattr(instance, "fiscal_year", None) if label in _OF_A_YEAR else None
    if route == "node":
        node_id = instance.node_id  # type: ignore[attr-defined]
        node = instance._state.fields_cache.get("node")
        if node is not None:  # the writer holds the node: no query
            pending.plan_of_node[node_id] = node.plan_id
    else:
        parent_name = route.split("__")[0]
        parent_model: type[models.Model] = Result if parent_name == "result" else Indicator
        parent_id = getattr(instance, f"{parent_name}_id")
        cached = instance._state.fields_cache.get(parent_name)
        parent: tuple[int, int | None] | None
        if cached is not None:  # the writer holds the parent: no query
            parent = (cached.node_id, getattr(cached, "fiscal_year", None))
        else:
            key = (parent_name, parent_id)
            if key not in pending.parents:
                rows = parent_model._default_manager.filter(pk=parent_id)
                read = rows.values_list(
                    "node_id", *(["fiscal_year"] if parent_model is Result else [])
                ).first()
                pending.parents[key] = None if read is None else (read[0], read[1] if len(read) > 1 else None)
            parent = pending.parents[key]
        if parent is None:
            return None
        node_id = parent[0]
        if label in _OF_A_YEAR:
            year = parent[1]
    if node_id not in pending.plan_of_node:
        plan_id = Node.objects.filter(pk=node_id).values_list("plan_id", flat=True).first()
        if plan_id is None:
            return None
        pending.plan_of_node[node_id] = plan_id
    return _Where(pending.plan_of_node[node_id], node_id, year if isinstance(year, int) else None)


def row_written(instance: models.Model, *, deleting: bool = False) -> None:
    """Say that ``instance`` was saved, or is about to be deleted (``deleting``: called
    before the delete, while the rows it hangs from are there to say its plan). Saves are
    seen by the signal; deletes are said by who deletes (``audit.writes.row_delete``),
    so that the bulk deletes of the writers stay one statement each."""
    label = instance._meta.label_lower
    if label not in TRACKED:
        return
    with batch():
        pending = _pending.get()
        assert pending is not None
        if TRACKED[label] is None:
            site_changed(label)
            return
        where = _where(instance, pending)
        if where is None:
            return
        plan_id, node_id, year = where
        pending.add(plan_id, None if node_id is None else [node_id], label, None if year is None else [year])
        if label == "plans.plan" and deleting:
            pending.deleted.add(plan_id)


def _row_saved(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    row_written(instance)


def _markers_changed(sender: type[models.Model], instance: models.Model, action: str, **kwargs: Any) -> None:
    if action.startswith("post_") and instance._meta.label_lower == "plans.node":
        row_written(instance)


def connect() -> None:
    from django.apps import apps

    for label in TRACKED:
        model = apps.get_model(label)
        post_save.connect(_row_saved, sender=model, dispatch_uid=f"published-save-{label}")
    node = apps.get_model("plans.node")
    m2m_changed.connect(_markers_changed, sender=node.markers.through, dispatch_uid="published-node-markers")
