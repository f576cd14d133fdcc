"""What a round's publication made public, recorded in the publishing transaction.

``review.services.round_publish`` publishes the approved entries of a round inside
``publication_recorded``: it reads, before they are published, what each entry will be
(a result of the fiscal year published for the first time, or one published again after
a reopening: a correction; in a targets round, the node's targets as they stand), and
after, writes one ``Publication`` with its ``PublicationEntry`` rows: one per kind for
each published node, each node above it and the plan, counting the published nodes
under it. Only what a round publishes is listed: a draft never is, nor an import of a
whole plan (which is not news of a measure) nor an edit made in the Django admin.

Once the transaction commits, and when anyone follows anything by e-mail, the mails of
the publication are queued (``shinchoku.follow.notify``): one job for the whole round.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone

from shinchoku.follow.models import Follow, Publication, PublicationEntry
from shinchoku.follow.notify import publication_notify
from shinchoku.plans.models import Node
from shinchoku.progress.models import Target
from shinchoku.review.models import Entry, Round

Kind = PublicationEntry.Kind

#: Rows written by one statement.
BATCH = 2000

TargetState = tuple[tuple[int, str, str], ...]


def _targets(round_: Round) -> dict[int, TargetState]:
    """The revisions of the targets of the round's nodes, by node: one query."""
    state: dict[int, list[tuple[int, str, str]]] = {}
    rows = Target.objects.filter(node__entries__round=round_).values_list(
        "node_id", "pk", "revised_text", "revision_reason"
    )
    for node_id, pk, revised, reason in rows:
        state.setdefault(node_id, []).append((pk, revised, reason))
    return {node_id: tuple(sorted(targets)) for node_id, targets in state.items()}


@contextmanager
def publication_recorded(round_: Round, entries: Sequence[Entry]) -> Iterator[None]:
    """Around the publishing of ``entries`` (approved, of ``round_``, each with its node
    read): records what the block made public (see the module). An entry of a targets
    round whose targets the block left as they were is not listed."""
    if round_.kind == Round.Kind.TARGETS:
        before = _targets(round_)
        yield
        after = _targets(round_)
        kinds = {
            entry.node: Kind.TARGETS
            for entry in entries
            if after.get(entry.node_id, ()) != before.get(entry.node_id, ())
        }
    else:
        kinds = {
            entry.node: Kind.RESULT if entry.published_version is None else Kind.CORRECTION
            for entry in entries
        }
        yield
    publication_record(round_, kinds)


def publication_record(round_: Round, kinds: Mapping[Node, str]) -> Publication | None:
    """Record that ``round_`` made public what ``kinds`` says of each node (a ``Kind``),
    in the caller's transaction; None when it says nothing."""
    if not kinds:
        return None
    counts: Counter[tuple[int | None, str]] = Counter()
    for node, kind in kinds.items():
        for node_id in (None, *node.ancestor_ids(), node.pk):
            counts[node_id, kind] += 1
    plan_id = round_.plan_id
    publication = Publication.objects.create(
        plan_id=plan_id, round=round_, fiscal_year=round_.fiscal_year, published_at=timezone.now()
    )
    PublicationEntry.objects.bulk_create(
        (
            PublicationEntry(publication=publication, plan_id=plan_id, node_id=node, kind=kind, count=n)
            for (node, kind), n in counts.items()
        ),
        batch_size=BATCH,
    )
    if Follow.objects.exists():
        transaction.on_commit(lambda: publication_notify.enqueue(publication.pk), robust=True)
    return publication
