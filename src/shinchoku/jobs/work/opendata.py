"""Building a plan's open data ZIPs of its newest data version (``opendata.bundles``),
queued once a write of the plan is committed, so that the first reader after a publish or
an import downloads them at once: the whole plan's and each fiscal year's, in one reading
of the data (one step).
"""

from __future__ import annotations

from shinchoku.jobs.models import Job
from shinchoku.jobs.progress import Outcome, Progress
from shinchoku.opendata import bundles
from shinchoku.plans.models import Plan

KIND = bundles.KIND


def opendata_run(job: Job, progress: Progress) -> Outcome:
    plan_id = int(job.params["plan"])
    code = Plan.objects.filter(pk=plan_id).values_list("code", flat=True).first()
    progress.total(1)
    try:
        if code is None:
            raise bundles.NoBundle(plan_id)
        whole, made = bundles.built_all(code)
    except bundles.NoBundle:
        bundles.remove(plan_id)
        return Outcome({"plan": None, "files": 0})
    progress.step(1)
    return Outcome({"plan": code, "version": whole.version, "files": made})
