"""The report import's accuracy: the seed's text read and compared, field by field, with
its hand-made reading, then made-up reports in the seed's shape.

1. ``data/seeds/kawasaki-plan9.source.txt`` is read (``recognise``) and its draft compared
   with ``data/seeds/kawasaki-plan9.yaml``, the reading made by hand: the plan file is
   loaded into a throwaway SQLite database and exported as the JSON dataset, the form the
   draft has. Measure codes compare because both follow one rule (plan area number +
   programme number + order: 9-1-1).
2. ``--variants N`` reports made up by ``shinchoku.devtools.report_text`` (invented
   measures, scrambled as the seed is) are read and compared with what they hold.
3. Shinchoku's own PDF reports read back: the seed plan's report (``shinchoku report``) and
   that of a synthetic plan of ``--synthetic N`` measures (``shinchoku synth``, two years)
   are rendered, read (``read_source``, ``recognise``) and compared with the plan they were
   rendered from, exported as the JSON dataset: report → import → the same data.

For each field, precision (of what the draft holds, how much is right) and recall (of
what is right, how much the draft holds), and how many decisions were flagged for review.

    .venv/bin/python bench/report_import_accuracy.py --variants 50 --synthetic 300
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_TEXT = ROOT / "data" / "seeds" / "kawasaki-plan9.source.txt"
SEED_PLAN = ROOT / "data" / "seeds" / "kawasaki-plan9.yaml"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", type=int, default=50, help="made-up reports to read (default 50)")
    parser.add_argument("--seed", type=int, default=1, help="the first generated report's seed")
    parser.add_argument(
        "--synthetic",
        type=int,
        default=300,
        help="measures of the synthetic plan whose report is read back (default 300; 0: none)",
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        os.environ.update(
            DEBUG="false",
            SECRET_KEY="report-import-accuracy",  # noqa: S106 (a throwaway database)
            ALLOWED_HOSTS="localhost",
            DATABASE_URL=f"sqlite:///{scratch}/expected.sqlite3",
            DJANGO_SETTINGS_MODULE="shinchoku.settings",
        )
        import django

        django.setup()
        code = _bench(options.variants, options.seed)
        own = _own_reports(Path(scratch), options.synthetic)
        return code or own


def _own_reports(scratch: Path, synthetic: int) -> int:
    """Shinchoku's own reports read back: the seed's, and a synthetic plan's."""
    import time
    from io import StringIO

    from django.core.management import call_command

    from shinchoku.devtools.report_accuracy import compare, count_unflagged, dataset_facts, table
    from shinchoku.plans.formats.dataset.export import export_dataset
    from shinchoku.plans.formats.report.reading import read_source
    from shinchoku.plans.formats.report.recognise import recognise
    from shinchoku.plans.models import Plan

    plans = [Plan.objects.get().code]
    if synthetic:
        call_command(
            "synth",
            "--measures",
            str(synthetic),
            "--years",
            "2",
            "--plan-code",
            "synth-read",
            stdout=StringIO(),
        )
        plans.append("synth-read")
    failed = 0
    for code in plans:
        output = scratch / f"{code}.pdf"
        call_command("report", "--year", "2012", "--plan", code, "--output", str(output), stdout=StringIO())
        started = time.monotonic()
        source = read_source(output.read_bytes(), output.name)
        draft = recognise(source, plan_code=code)
        seconds = time.monotonic() - started
        expected = export_dataset(Plan.objects.filter(code=code))
        scores = compare(dataset_facts(draft.dataset), dataset_facts(expected))
        count_unflagged(draft, dataset_facts(expected), scores)
        print()
        print(
            f"Shinchoku's own report read back: plan {code}, {source.pages} pages, "
            f"read and recognised in {seconds:.0f} s"
        )
        print(table(scores))
        wrong = {
            name
            for name, score in scores.items()
            if score.expected and not score.right == score.expected == score.found
        }
        print(f"decisions {len(draft.decisions)}, flagged for review {len(draft.flagged)}")
        print(
            "every field whole and right"
            if not wrong
            else f"not whole or not right: {', '.join(sorted(wrong))}"
        )
        recall = scores["result text per year"].recall or 0.0
        failed = failed or int(recall < 0.95)
    return failed


def _bench(variants: int, first_seed: int) -> int:
    from django.core.management import call_command

    from shinchoku.devtools.report_accuracy import (
        compare,
        count_unflagged,
        dataset_facts,
        expected_facts,
        table,
    )
    from shinchoku.devtools.report_text import generate_report
    from shinchoku.plans.formats.dataset.export import export_dataset
    from shinchoku.plans.formats.planfile import load_plan_file
    from shinchoku.plans.formats.report.recognise import recognise
    from shinchoku.plans.formats.report.source import read_text

    call_command("migrate", verbosity=0)
    load_plan_file(SEED_PLAN)
    expected = export_dataset()
    draft = recognise(
        read_text(SEED_TEXT.read_bytes(), SEED_TEXT.name), plan_code=expected["plans"][0]["code"]
    )
    scores = compare(dataset_facts(draft.dataset), dataset_facts(expected))
    count_unflagged(draft, dataset_facts(expected), scores)
    print(f"Seed: {SEED_TEXT.relative_to(ROOT)} against {SEED_PLAN.relative_to(ROOT)}")
    print(table(scores))
    print(f"decisions {len(draft.decisions)}, flagged for review {len(draft.flagged)}")
    seed_ok = all(
        scores[name].right == scores[name].expected == scores[name].found
        for name in ("measures found", "rating", "result text per year")
    )
    if not variants:
        return 0 if seed_ok else 1
    totals = None
    wrong_year_flagged = wrong_year = 0
    for seed in range(first_seed, first_seed + variants):
        text, truth = generate_report(seed)
        draft = recognise(read_text(text.encode(), f"variant-{seed}.txt"))
        found, right = dataset_facts(draft.dataset), expected_facts(truth)
        for facts in (found, right):
            # Generated measure codes carry the generated area's number; the draft's the printed one.
            facts["measure code"] = {(title, code.split("-", 1)[1]) for title, code in facts["measure code"]}
        totals = compare(found, right, totals)
        # The codes were compared without the generated area's number (all right above).
        count_unflagged(draft, right, totals, skip=["measure code"])
        wrong_year += len(found["result text per year"] - right["result text per year"])
        wrong_year_flagged += _flagged_wrong_years(draft, right)
    assert totals is not None
    print()
    print(f"Generated variants: {variants} (seeds {first_seed}–{first_seed + variants - 1})")
    print(table(totals, [name for name in totals if totals[name].expected]))
    print(
        f"results in a wrong year or measure: {wrong_year}, of which flagged for review: {wrong_year_flagged}"
    )
    recall = totals["result text per year"].recall or 0.0
    return 0 if seed_ok and recall >= 0.95 else 1


def _flagged_wrong_years(draft, right) -> int:  # type: ignore[no-untyped-def]
    from shinchoku.devtools.report_accuracy import flat

    flagged = {d.pointer.rsplit("/", 1)[0] for d in draft.decisions if d.kind == "result_year" and d.flagged}
    nodes = {node["id"]: node for node in draft.dataset["nodes"]}
    count = 0
    for index, result in enumerate(draft.dataset["results"]):
        fact = (flat(nodes[result["node_id"]]["title"]), result["fiscal_year"], flat(result["text"]))
        if fact not in right["result text per year"] and f"/results/{index}" in flagged:
            count += 1
    return count


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
