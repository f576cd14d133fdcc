"""The one way a plan's content is written to the database, whatever file it came from.

Every file format converts its bytes into a ``shinchoku.plans.content.PlanContent``;
here it is compared with the database and written:

- ``plan_diff(content)`` says, reading only, what writing it would do: each object new,
  changed (each field before → after) or unchanged, and each stored object the content
  no longer holds removed, each with its item's ``source`` (``diff.py``). An importer's
  preview is made of it (``PlanDiff.rows``).
- ``plan_apply(content, actor=, origin=)`` writes it in one transaction, each object
  validated with its model's rules, and records one audit row for the plan, as the
  acting person, whose ``changes`` hold the diff's changes before → after
  (``apply.py``). A content that changes nothing writes nothing. Any problem raises
  ``PlanWriteRefused`` carrying every problem (``WriteProblem``: the item's kind, its
  ``source``, the field and why), and nothing is written; the converter tells each
  where it stands in its file.
- ``plan_check(contents)`` tries writing and takes it back: what applying would refuse,
  for a preview.

Rows are matched by their natural keys (plan code, level key, node code, year …) and
updated in place when they change; what the content no longer holds of the parts it
carries (``PlanContent.parts``) is removed, and the parts it does not carry are left as
they are. A content that speaks for some years only (``PlanContent.years``: one year's
sheet read with an import profile) removes only what is stored of those years: the rows of
the other years are added to it as stored before it is compared and written
(``scope.py``), and show as unchanged. Scales and units are shared: they are added and
changed, never removed, and a scale used by a plan written apart from this one may not
change.

The target rule
---------------

A node's stored target is matched with the content's by its row and years (``row``,
``start_year``, ``end_year``, ``open_end``); several of one node sharing them are
matched in order of position, those of equal text first (``pairing.py``). A matched
target is updated in place (its text, revised text, reason, note and position) and
keeps its proposed revisions (the review round's ``EntryTarget`` rows point at it). A
stored target that nothing matches is removed — unless a revision of it is pending in
an open round (proposed in an entry of a round that is open, the entry not published):
then the review app refuses the deletion (``shinchoku.review.guards``, on every path
that deletes a target), and the write is refused with a problem naming the round.
Indicators are matched by name, then in order of position, and updated in place; their
values by fiscal year. Sections are matched by their level and key, a node's or result's
section texts by section, ratings (with their reasons) by dimension, costs by fiscal year
and basis, hourly staff costs by fiscal year. A cost is compared and written as it comes
to once written: its staff cost (B), when not given, priced from its staff hours at the
content's hourly staff cost of the year, its total A + B (``costs.py``).
"""

from shinchoku.plans.writing.apply import Origin, WriteSummary, plan_apply, plan_check
from shinchoku.plans.writing.diff import ObjectDiff, PlanDiff, plan_diff
from shinchoku.plans.writing.problems import PlanWriteRefused, WriteProblem

__all__ = [
    "ObjectDiff",
    "Origin",
    "PlanDiff",
    "PlanWriteRefused",
    "WriteProblem",
    "WriteSummary",
    "plan_apply",
    "plan_check",
    "plan_diff",
]
