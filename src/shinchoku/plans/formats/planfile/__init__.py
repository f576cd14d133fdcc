"""Plan data files (format ``shinchoku-plan/1``): a converter to and from the plan's content.

A plan data file is YAML (or JSON, which YAML reads too) holding one plan: its
period, levels, scales, evaluation dimensions, markers, organisation units and
the tree of nodes with targets, results, ratings and indicators. The format is
documented in docs/plan-file.md.

``read_plan_file`` checks a whole file and names every problem with its line
(check.py, values.py; yamlsource.py reads the YAML with the line of every value)
and gives the plan's content (``shinchoku.plans.content``); ``preview_plan_file``
and ``load_plan_file`` compare and write it through ``shinchoku.plans.writing``
(load.py). spec.py holds the file as read, Problem and PlanFileError, and where each
field of the content stands in a file.
"""

from shinchoku.plans.formats.planfile.check import Checker, read_plan_file
from shinchoku.plans.formats.planfile.load import NAME, load_plan_file, preview_plan_file
from shinchoku.plans.formats.planfile.spec import FORMAT, Path_, PlanFile, PlanFileError, Problem, format_path

__all__ = [
    "FORMAT",
    "NAME",
    "Checker",
    "Path_",
    "PlanFile",
    "PlanFileError",
    "Problem",
    "format_path",
    "load_plan_file",
    "preview_plan_file",
    "read_plan_file",
]
