"""Writes to a plan and its structure: the plan, its levels, markers, evaluation
dimensions and sections, the tree of nodes with their units, markers and section texts,
rating scales with their levels, and the organisation units.

Each ``<entity>_create`` / ``_update`` / ``_delete`` takes the acting user as the keyword
``actor``, runs in one transaction, validates with the model's rules, and records one
audit row holding the fields it changed before → after (``shinchoku.audit.writes``);
a row edited as a part of another (a plan's level, a node's unit role, a scale's level)
is recorded as ``part_of`` it, so that the other's history lists it. A create takes the
new, unsaved row; an update takes the row and ``data``, the fields to change by name.
Refused input raises ValidationError and changes nothing.

``node_save`` is the one way a node is saved: it keeps ``Node.path`` and ``Node.outline``
true. The node services use it; the plan writers call it directly and record their
import as a whole, renumbering the outline once at its end (``outline_refresh``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

from shinchoku.audit.writes import row_create, row_delete, row_services, row_update
from shinchoku.plans.models import (
    Dimension,
    Level,
    Marker,
    Node,
    NodeSectionText,
    NodeUnit,
    OrgUnit,
    Plan,
    Scale,
    ScaleLevel,
    Section,
    outline_keys,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


# The tree ---------------------------------------------------------------------


def path_for(node: Node) -> str:
    """The path a saved node should have, from its parent's path."""
    prefix = node.parent.path if node.parent_id and node.parent is not None else "/"
    return f"{prefix}{node.pk}/"


@transaction.atomic
def node_save(node: Node, *, update_fields: Collection[str] | None = None, outline: bool = True) -> Node:
    """Validate and save a node (new or changed), keeping the paths of it and its
    subtree true when it moves, and the outline's keys of its siblings and their
    subtrees when it comes, moves or changes its place among them (``outline_refresh``;
    not when ``outline`` is False, for a writer that renumbers once at its end).
    ``update_fields`` limits the save of a stored node to those fields (and its path,
    when it moves). Raises ValidationError and writes nothing on bad input."""
    node.full_clean(exclude=["path", "outline"])
    old_path = None
    old_place: tuple[Any, ...] | None = None
    if node.pk:
        stored = Node.objects.filter(pk=node.pk).values_list("path", "parent_id", "position", "code").first()
        if stored is not None:
            old_path, old_place = stored[0], stored[1:]
    if node.pk is None:
        node.path = ""
        node.save()
        update_fields = None
    new_path = path_for(node)
    moved = old_path is not None and new_path != old_path
    if old_path is not None and moved:
        # Move the subtree: replace the old prefix of every descendant's path.
        Node.objects.filter(plan_id=node.plan_id, path__startswith=old_path).exclude(pk=node.pk).update(
            path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1))
        )
    node.path = new_path
    if update_fields is None and old_path is None:
        node.save()
    elif update_fields is None:
        # Never the outline's key as read: a sibling's save may have renumbered it since.
        node.save(update_fields=_STORED_FIELDS)
    else:
        fields = {*update_fields, *(["path"] if moved else [])}
        if fields:
            node.save(update_fields=sorted(fields))
    if outline and old_place != (node.parent_id, node.position, node.code):
        node.outline = outline_refresh(node.plan_id, {node.parent_id}).get(node.pk, node.outline)
    return node


#: The fields a stored node's whole save writes: all but its key in the outline, which
#: only ``outline_refresh`` writes.
_STORED_FIELDS = [
    field.name for field in Node._meta.concrete_fields if not field.primary_key and field.name != "outline"
]


def outline_refresh(plan_id: int, parent_ids: Collection[int | None] = (None,)) -> dict[int, str]:
    """Make the outline's keys (``Node.outline``) true for the children of these parents
    (None: the plan's top) and everything under them, after nodes came, moved or changed
    their places: the subtrees read, their keys made from the parents' stored keys
    (``outline_keys``), and only the keys that differ written. A node that left leaves a
    gap, which orders as well. Returns the keys written, by node id."""
    nodes = Node.objects.filter(plan_id=plan_id).order_by()
    prefixes: dict[int | None, str] = {}
    if None in parent_ids:
        prefixes[None] = ""
        within = nodes
    else:
        parents = list(nodes.filter(pk__in=list(parent_ids)).values_list("pk", "path", "outline"))
        # A parent under another of them is refreshed with it.
        paths = [path for _pk, path, _outline in parents]
        kept = [
            row for row in parents if not any(row[1] != path and row[1].startswith(path) for path in paths)
        ]
        prefixes.update((pk, outline) for pk, _path, outline in kept)
        scope = Q()
        for _pk, path, _outline in kept:
            scope |= Q(path__startswith=path)
        if not kept:
            return {}
        within = nodes.filter(scope)
    rows = list(within.values_list("pk", "parent_id", "position", "code", "outline"))
    keys = outline_keys([row[:4] for row in rows], prefixes)
    changed = {pk: keys[pk] for pk, *_place, outline in rows if pk in keys and keys[pk] != outline}
    if changed:
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:  # one statement, many rows: no CASE per row
            cursor.executemany(
                f"UPDATE {quote(Node._meta.db_table)} SET {quote('outline')} = %s "  # noqa: S608
                f"WHERE {quote('id')} = %s",
                [(key, pk) for pk, key in changed.items()],
            )
    return changed


def node_markers_check(plan_id: int | None, markers: Iterable[Marker]) -> None:
    """A node bears only its own plan's markers."""
    if plan_id is not None and any(marker.plan_id != plan_id for marker in markers):
        raise ValidationError({"markers": _("A marker belongs to another plan.")})


@transaction.atomic
def node_create(node: Node, *, actor: User, markers: Iterable[Marker] = ()) -> Node:
    """Add the node (unsaved) with its ``markers``, its path set from its parent's."""
    markers = list(markers)
    node_markers_check(node.plan_id, markers)
    return row_create(node, actor=actor, many={"markers": markers}, save=node_save)


@transaction.atomic
def node_update(node: Node, *, data: Mapping[str, Any], actor: User) -> Node:
    """Change the node's fields in ``data`` (``markers`` takes the markers it bears); a new
    parent moves its subtree with it."""
    if "markers" in data:
        data = {**data, "markers": list(data["markers"])}
        node_markers_check(node.plan_id, data["markers"])
    return row_update(
        node, data, actor=actor, save=lambda row, changed: node_save(row, update_fields=changed)
    )


@transaction.atomic
def node_delete(node: Node, *, actor: User) -> None:
    """Delete the node with its subtree, targets, results and indicators."""
    row_delete(node, actor=actor)


# A node's unit roles and section texts, recorded as parts of the node.
node_unit_create, node_unit_update, node_unit_delete = row_services(NodeUnit, part_of="node")
node_section_text_create, node_section_text_update, node_section_text_delete = row_services(
    NodeSectionText, part_of="node"
)


# The plan and its vocabulary -----------------------------------------------------

# A plan is deleted with everything in it; a period that would leave recorded data
# outside it is refused (``Plan.clean``). The database refuses to delete a level on which
# a node stands, or a dimension on which a rating has been given.
plan_create, plan_update, plan_delete = row_services(Plan)
level_create, level_update, level_delete = row_services(Level, part_of="plan")
marker_create, marker_update, marker_delete = row_services(Marker, part_of="plan")
dimension_create, dimension_update, dimension_delete = row_services(Dimension, part_of="plan")
# The database refuses to delete a section that a node or result has a text of.
section_create, section_update, section_delete = row_services(Section, part_of="plan")


# Scales and organisation units ----------------------------------------------------

# The database refuses to delete a scale that a dimension uses, a scale level that a
# rating gives, or a unit with units under it or roles on nodes.
scale_create, scale_update, scale_delete = row_services(Scale)
scale_level_create, scale_level_update, scale_level_delete = row_services(ScaleLevel, part_of="scale")
org_unit_create, org_unit_update, org_unit_delete = row_services(OrgUnit)
