"""Plan data files (format ``shinchoku-plan/1``): read, check, load.

A plan data file is YAML (or JSON, which YAML reads too) holding one plan: its
period, levels, scales, evaluation dimensions, markers, organisation units and
the tree of nodes with targets, results, ratings and indicators. The format is
documented in docs/plan-file.md.

``read_plan_file`` checks a whole file and names every problem with its line
(check.py, values.py); ``load_plan_file`` then writes a clean file in one
transaction, all or nothing (write.py, validate.py). spec.py holds the checked
form of a file, Problem and PlanFileError; yamlsource.py reads the YAML with the line
of every value.
"""

from shinchoku.plans.formats.planfile.check import Checker, read_plan_file
from shinchoku.plans.formats.planfile.spec import (
    FORMAT,
    IndicatorSpec,
    NodeSpec,
    Path_,
    PlanFileError,
    PlanSpec,
    Problem,
    ResultSpec,
    TargetSpec,
    UnitRoleSpec,
    ValueSpec,
    format_path,
)
from shinchoku.plans.formats.planfile.write import LoadSummary, load_plan_file

__all__ = [
    "FORMAT",
    "Checker",
    "IndicatorSpec",
    "LoadSummary",
    "NodeSpec",
    "Path_",
    "PlanFileError",
    "PlanSpec",
    "Problem",
    "ResultSpec",
    "TargetSpec",
    "UnitRoleSpec",
    "ValueSpec",
    "format_path",
    "load_plan_file",
    "read_plan_file",
]
