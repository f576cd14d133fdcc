"""The counts and totals the public pages show, kept at write time rather than counted
over every rating on every view: the ratings per dimension, fiscal year and level of
the scale (and per marker), the sums of the costs, the years with published results
and the number of nodes per level (``shinchoku.published.models``), each for the whole
plan and for each node of a level that is not rated (a plan area, a programme).

``refresh`` makes them again for what a write changed, in its transaction
(``shinchoku.published.changes``), in SQL: ``INSERT … SELECT … GROUP BY`` a level of
the tree at a time, deepest first, so that a node's rows are the sum of the rows of the
nodes below it that are kept and of what the rated nodes directly below it hold, each
rating counted once. The number of statements depends on the number of levels, never
on the size of the plan.

What is made again:

- the whole plan, when the change says nothing of nodes (an import, a new dimension),
  when a node itself was written (a node moved, deleted or given a marker), or when the
  change names more nodes than it is worth following one by one;
- otherwise, the rows of the kept ancestors of the changed nodes (and the plan's), and
  only of the tables a model written feeds (a target written changes none).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connection, models

from shinchoku.plans.models import Dimension, Level, Node
from shinchoku.plans.selectors.aggregates import SUMMED_FIELDS
from shinchoku.progress.models import STAFF_FIELDS, Cost, Rating, Result
from shinchoku.published.models import CostTotal, NodeCount, RatingCount, ResultYear

if TYPE_CHECKING:
    from shinchoku.published.changes import Change

#: A change that names more nodes than this makes the whole plan again.
MOST_NODES_FOLLOWED = 500


#: The label a bulk writer gives when it does not say what it wrote: anything.
ANYTHING = ""


# The statements are put together from the names of tables and columns (quoted) and
# placeholders: every value they are given is a parameter.


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model: type[models.Model]) -> str:
    return _q(model._meta.db_table)


@dataclass(frozen=True)
class _Source:
    """What a node adds to a kept table: the expressions of the keys and the values,
    selected from ``rows`` where ``node`` is the node's id."""

    columns: tuple[str, ...]
    rows: str
    node: str


@dataclass(frozen=True)
class _Kept:
    """One kept table: the columns it groups by (after plan and node), the columns it
    sums, the models whose writes change it, and what the nodes of a subtree add to it."""

    model: type[models.Model]
    keys: tuple[str, ...]
    values: tuple[str, ...]
    fed_by: frozenset[str]
    sources: tuple[_Source, ...]


def _kept_tables() -> tuple[_Kept, ...]:
    node, result, rating = _table(Node), _table(Result), _table(Rating)
    markers = _q(Node.markers.through._meta.db_table)
    ratings = f"{result} res JOIN {rating} rt ON rt.result_id = res.id"
    figures: list[str] = []
    for field in SUMMED_FIELDS:
        column = f"c.{_q(field)}"
        # The staff and their hours in hundredths: summed exactly on every database.
        summed = f"CAST(ROUND({column} * 100) AS BIGINT)" if field in STAFF_FIELDS else column
        figures += [summed, f"CASE WHEN {column} IS NULL THEN 0 ELSE 1 END"]
    return (
        _Kept(
            RatingCount,
            keys=("dimension_id", "fiscal_year", "level_id", "marker_id"),
            values=("count",),
            fed_by=frozenset({"progress.rating", "progress.result"}),
            sources=(
                _Source(
                    ("rt.dimension_id", "res.fiscal_year", "rt.level_id", "CAST(NULL AS BIGINT)", "1"),
                    ratings,
                    "res.node_id",
                ),
                _Source(
                    ("rt.dimension_id", "res.fiscal_year", "rt.level_id", "nm.marker_id", "1"),
                    f"{ratings} JOIN {_table(Dimension)} d ON d.id = rt.dimension_id AND d.{_q('primary')}"
                    f" JOIN {markers} nm ON nm.node_id = res.node_id",
                    "res.node_id",
                ),
            ),
        ),
        _Kept(
            CostTotal,
            keys=("level_id", "fiscal_year", "basis"),
            values=("projects", *(f"{kind}_{field}" for field in SUMMED_FIELDS for kind in ("sum", "given"))),
            fed_by=frozenset({"progress.cost"}),
            sources=(
                _Source(
                    ("n.level_id", "c.fiscal_year", "c.basis", "1", *figures),
                    f"{_table(Cost)} c JOIN {node} n ON n.id = c.node_id",
                    "c.node_id",
                ),
            ),
        ),
        _Kept(
            ResultYear,
            keys=("fiscal_year",),
            values=("count",),
            fed_by=frozenset({"progress.result"}),
            sources=(_Source(("res.fiscal_year", "1"), f"{result} res", "res.node_id"),),
        ),
        _Kept(
            NodeCount,
            keys=("level_id",),
            values=("count",),
            # Nodes are counted again only with the whole plan: a node written makes it so.
            fed_by=frozenset(),
            sources=(_Source(("n.level_id", "1"), f"{node} n", "n.id"),),
        ),
    )


@dataclass(frozen=True)
class _Tree:
    """What of a plan's levels the statements need."""

    plan_id: int
    #: The levels that are not rated, deepest first, as (id, depth).
    kept_levels: tuple[tuple[int, int], ...]
    rated: tuple[int, ...]
    #: The depths of the rated levels.
    rated_depths: frozenset[int]

    @classmethod
    def of(cls, plan_id: int) -> _Tree:
        levels = list(Level.objects.filter(plan_id=plan_id).values_list("pk", "depth", "rated"))
        return cls(
            plan_id=plan_id,
            kept_levels=tuple(
                sorted(((pk, depth) for pk, depth, rated in levels if not rated), key=lambda x: -x[1])
            ),
            rated=tuple(pk for pk, _depth, rated in levels if rated),
            rated_depths=frozenset(depth for _pk, depth, rated in levels if rated),
        )

    def rated_below(self, depth: int) -> bool:
        """Whether the level below ``depth`` (-1: the plan's top) is rated: the nodes of
        ``depth`` then have most of the plan's ratings and costs directly below them."""
        return depth + 1 in self.rated_depths

    def is_rated(self, alias: str) -> tuple[str, list[int]]:
        """A condition that the node ``alias`` is of a rated level."""
        if not self.rated:
            return "1 = 0", []
        return f"{alias}.level_id IN ({', '.join(['%s'] * len(self.rated))})", list(self.rated)


def refresh(change: Change) -> None:
    """Bring the kept aggregates of ``change`` up to date (see the module)."""
    if change.deleted:
        for kept in _kept_tables():
            kept.model._default_manager.filter(plan_id=change.plan_id).delete()
        return
    whole = change.nodes is None or "plans.node" in change.models or len(change.nodes) > MOST_NODES_FOLLOWED
    if whole:
        if _feeds_any(change.models):
            _refresh_plan(change.plan_id)
        return
    tables = [
        kept
        for kept in _kept_tables()
        if kept.fed_by and (ANYTHING in change.models or kept.fed_by & change.models)
    ]
    if tables and change.nodes:
        _refresh_ancestors(change.plan_id, change.nodes, tables)


#: The models whose rows a whole plan's change may have written that a kept table reads.
_FEEDING = frozenset(
    {
        ANYTHING,
        "plans.level",
        "plans.marker",
        "plans.dimension",
        "plans.node",
        "progress.result",
        "progress.rating",
        "progress.cost",
    }
)


def _feeds_any(labels: Collection[str]) -> bool:
    return not labels or bool(_FEEDING.intersection(labels))


def _no_jit() -> None:
    """PostgreSQL: no compiling of the statements to machine code for the rest of the
    writing transaction. Not knowing how few nodes a subtree has, the planner would
    think them costly enough to compile, which takes longer than running them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('jit', 'off', true)")


def _refresh_plan(plan_id: int) -> None:
    _no_jit()
    tree = _Tree.of(plan_id)
    for kept in _kept_tables():
        kept.model._default_manager.filter(plan_id=plan_id).delete()
        for level_id, depth in tree.kept_levels:
            _insert(kept, tree, level_id, None, whole=tree.rated_below(depth))
        _insert(kept, tree, None, None, whole=tree.rated_below(-1))


def _refresh_ancestors(plan_id: int, nodes: Collection[int], tables: Sequence[_Kept]) -> None:
    """Make again the rows of the nodes that are kept among ``nodes`` and their
    ancestors, level by level from the deepest, then the plan's."""
    ids: set[int] = set(nodes)
    for path in Node.objects.filter(pk__in=list(nodes)).values_list("path", flat=True):
        ids.update(int(part) for part in path.strip("/").split("/") if part)
    by_level: dict[int, list[int]] = {}
    for pk, level_id in Node.objects.filter(pk__in=ids, plan_id=plan_id, level__rated=False).values_list(
        "pk", "level_id"
    ):
        by_level.setdefault(level_id, []).append(pk)
    _no_jit()
    tree = _Tree.of(plan_id)
    kept_ids = [pk for pks in by_level.values() for pk in pks]
    for kept in tables:
        manager = kept.model._default_manager
        manager.filter(plan_id=plan_id).filter(
            models.Q(node__isnull=True) | models.Q(node_id__in=kept_ids)
        ).delete()
        for level_id, _depth in tree.kept_levels:
            if level_id in by_level:
                _insert(kept, tree, level_id, by_level[level_id])
        _insert(kept, tree, None, None)


def _insert(
    kept: _Kept, tree: _Tree, level_id: int | None, only: list[int] | None, *, whole: bool = False
) -> None:
    """One statement: the rows of the nodes of ``level_id`` (``only`` those, if given),
    or of the plan (``level_id`` None), from what the nodes below them hold; ``whole``
    when that is most of the plan's rows (the rated nodes are directly below)."""
    node = _table(Node)
    rated, rated_params = tree.is_rated("n")
    if level_id is None:
        # The plan: the top nodes that are rated and all below them; the others are kept.
        anchor = f"SELECT 0, n.id, 1 FROM {node} n WHERE n.plan_id = %s AND n.parent_id IS NULL AND {rated}"  # noqa: S608
        anchor_params: list[int] = [tree.plan_id, *rated_params]
        children = "ch.plan_id = %s AND ch.parent_id IS NULL"
        children_params: list[int] = [tree.plan_id]
        root_out, root_group = "NULL", ""
    else:
        # Each node with itself (``deep`` 0: only its rated children are followed) …
        roots = "r.plan_id = %s AND r.level_id = %s"
        roots_params: list[int] = [tree.plan_id, level_id]
        if only is not None:
            roots += f" AND r.id IN ({', '.join(['%s'] * len(only))})"
            roots_params += only
        anchor = f"SELECT r.id, r.id, 0 FROM {node} r WHERE {roots}"  # noqa: S608
        anchor_params = roots_params
        # … and the rows kept of its children that are not rated.
        children = f"ch.parent_id IN (SELECT r.id FROM {node} r WHERE {roots})"  # noqa: S608
        children_params = roots_params
        root_out, root_group = "u.root", "u.root, "
    closure = (
        f"WITH RECURSIVE closure(root, node, deep) AS ({anchor}"  # noqa: S608
        f" UNION ALL SELECT cl.root, n.id, 1 FROM closure cl JOIN {node} n ON n.parent_id = cl.node"
        f" WHERE cl.deep = 1 OR {rated})"
    )
    columns = [*kept.keys, *kept.values]
    names = ["root", *(f"k{i}" for i in range(len(kept.keys))), *(f"v{i}" for i in range(len(kept.values)))]

    def select(expressions: Sequence[str], rest: str) -> str:
        return f"SELECT {', '.join(f'{e} AS {n}' for e, n in zip(expressions, names, strict=True))} {rest}"

    def from_nodes(source: _Source) -> str:
        if connection.vendor == "postgresql" and not whole:
            # Node by node of the subtrees, through the indexes: not the whole tables
            # hashed, which the planner would choose, not knowing how few nodes there are
            # (OFFSET 0 keeps it from merging the subquery into the join).
            inner = ", ".join(f"{e} AS {n}" for e, n in zip(source.columns, names[1:], strict=True))
            lateral = f"SELECT {inner} FROM {source.rows} WHERE {source.node} = cl.node OFFSET 0"  # noqa: S608
            return f"SELECT cl.root AS root, x.* FROM closure cl CROSS JOIN LATERAL ({lateral}) x"  # noqa: S608
        return select(
            ("cl.root", *source.columns), f"FROM closure cl, {source.rows} WHERE {source.node} = cl.node"
        )

    union = " UNION ALL ".join(
        [
            *(from_nodes(source) for source in kept.sources),
            select(
                ("ch.parent_id", *(f"t.{_q(c)}" for c in columns)),
                f"FROM {_table(kept.model)} t JOIN {node} ch ON ch.id = t.node_id"
                f" WHERE t.plan_id = %s AND {children}",
            ),
        ]
    )
    keys = ", ".join(f"u.k{i}" for i in range(len(kept.keys)))
    sums = ", ".join(f"SUM(u.v{i})" for i in range(len(kept.values)))
    target = ", ".join(_q(c) for c in ("plan_id", "node_id", *columns))
    sql = (
        f"{closure} INSERT INTO {_table(kept.model)} ({target})"  # noqa: S608
        f" SELECT %s, {root_out}, {keys}, {sums} FROM ({union}) u GROUP BY {root_group}{keys}"
    )
    params = [*anchor_params, *rated_params, tree.plan_id, tree.plan_id, *children_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
