"""Synthetic plans for scale tests and the report benchmark (``shinchoku synth``).

``plan_synthesize`` writes one plan shaped like the demonstration data (プラン /
アクションプログラム / 施策計画, the Kawasaki 1–5 achievement scale, the ○ and 重点
markers, bureaus with their sections in three roles) with any number of measures
and fiscal years; beside it, each measure has sections of text of its own, further
judgements with their reasons (one on a verdict scale printed as a matrix), indicators
of the three kinds and costs (funding sources, staff, the staff cost priced at the
plan's hourly staff cost, budgets and the whole period's plan), amounts printed in 千円.
Its Japanese text is not copied: the texts of the demonstration data
(data/seeds/kawasaki-plan9.yaml, read at run time) are cut into clauses at
、 and 。 and the clauses are recombined into new sentences; noun phrases
(●-items, titles) are cut at their last の into an object and an action and
recombined the same way. Dates in a clause (平成24年1月, 2013年度以降) are kept
relative to the fiscal year of the text they came from and rewritten for the year
they are used in, so a result still dates itself correctly.

Every text cell carries a serial number (第12号 …) or a unique title, so a test can
find each cell in a rendered report. Texts are normalised like imported ones.

The output depends only on the arguments and on the seed file: the same call
gives the same rows, and so the same export, on any database. Everything is
generated before it is written (nothing random depends on ids), 500 measures at a
time, in one transaction. Every row is valid by construction; the tests run
``full_clean`` on a sample.

The parts:

- ``base``: the error, the arguments' limits, the first year, the seed's scale;
- ``vocabulary``: reading the seed and cutting its texts into parts, date tokens;
- ``text``: the ``Writer``, which recombines the parts into titles and sentences;
- ``shape``: the plan's structure and each measure's rows, decided as plain data;
- ``extras``: the sections, further judgements, hourly staff costs and each measure's
  costs, texts of its sections and reasons, decided as plain data from a stream of their own;
- ``store``: writing those rows in bulk (``bulk_create``, raw ``executemany``),
  node paths, the synthetic organisation units, and deleting a plan;
- ``generate``: ``plan_synthesize``, which runs the others in one transaction.
"""

from .base import MAX_YEARS, SCALE_CODE, SynthError, check_arguments
from .generate import plan_synthesize
from .store import delete_plan
from .vocabulary import SOURCE, Vocabulary, read_vocabulary, wareki_date

__all__ = [
    "MAX_YEARS",
    "SCALE_CODE",
    "SOURCE",
    "SynthError",
    "Vocabulary",
    "check_arguments",
    "delete_plan",
    "plan_synthesize",
    "read_vocabulary",
    "wareki_date",
]
