"""Writes to a plan's structure. Every change to the tree goes through here so
that ``Node.path`` stays true."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from shinchoku.plans.models import Node


def path_for(node: Node) -> str:
    """The path a saved node should have, from its parent's path."""
    prefix = node.parent.path if node.parent_id and node.parent is not None else "/"
    return f"{prefix}{node.pk}/"


@transaction.atomic
def node_save(node: Node) -> Node:
    """Validate and save a node (new or changed), keeping the paths of it and its
    subtree true when it moves. Raises ValidationError and writes nothing on bad input."""
    node.full_clean(exclude=["path"])
    old_path = None
    if node.pk:
        old_path = Node.objects.filter(pk=node.pk).values_list("path", flat=True).first()
    if node.pk is None:
        node.path = ""
        node.save()
    new_path = path_for(node)
    if old_path is not None and new_path != old_path:
        # Move the subtree: replace the old prefix of every descendant's path.
        Node.objects.filter(plan_id=node.plan_id, path__startswith=old_path).exclude(pk=node.pk).update(
            path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1))
        )
    node.path = new_path
    node.save()
    return node
