"""What the soak test prints at its end: the latencies per kind of request, the
processor time the stack took, and the checks, each PASS or FAIL with what failed."""

from __future__ import annotations

import collections
import dataclasses
import json
import os
import re
import statistics
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from soak_client import Sample
from soak_traffic import ACCEPTED, CONFLICT, Ledger, Save

TICKS = os.sysconf("SC_CLK_TCK")
SOURCE = str(Path(__file__).resolve().parent.parent / "src")

ORDER = (
    "home",
    "plan",
    "area",
    "programme",
    "measure",
    "search",
    "report html",
    "report pdf",
    "open data zip",
    "login",
    "entry page",
    "save",
    "save (pair)",
    "save (stale)",
    "submit",
    "approve",
    "publish page",
    "publish",
    "job page",
)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# ------------------------------------------------------------------ the server's log


def _server_kind(method: str, path: str) -> str:
    """The kind of request a line of the access log is, as the clients name them."""
    if path == "/":
        return "home"
    if path.startswith("/search/"):
        return "search"
    if match := re.fullmatch(r"/plans/[^/]+/nodes/([^/]+)/", path):
        return ("area", "programme", "measure")[min(2, match.group(1).count("-"))]
    if re.fullmatch(r"/plans/[^/]+/", path):
        return "plan"
    if "/report/" in path:
        return "report pdf" if path.endswith(".pdf") else "report html"
    if "opendata" in path:
        return "open data zip"
    if path.startswith("/staff/login/"):
        return "login"
    if re.fullmatch(r"/staff/entries/\d+/", path):
        return "save" if method == "POST" else "entry page"
    if re.fullmatch(r"/staff/entries/\d+/actions/", path):
        return "approve"
    if re.fullmatch(r"/staff/rounds/\d+/publish/", path):
        return "publish" if method == "POST" else "publish page"
    if path.startswith("/staff/jobs/"):
        return "job page"
    return "other"


def _log_lines(log: Path, since: float) -> list[dict[str, Any]]:
    lines = []
    with log.open(encoding="utf-8", errors="replace") as file:
        for raw in file:
            try:
                line = json.loads(raw)
            except ValueError:
                lines.append({"level": "TEXT", "message": raw.rstrip()})
                continue
            stamp = line.get("time")
            if stamp and datetime.fromisoformat(stamp).timestamp() < since:
                continue
            lines.append(line)
    return lines


def server_times(log: Path, since: float) -> dict[str, list[float]]:
    """Milliseconds the site took per kind of request, from its access log."""
    times: dict[str, list[float]] = collections.defaultdict(list)
    for line in _log_lines(log, since):
        if line.get("logger") == "shinchoku.access" and "duration_ms" in line:
            times[_server_kind(line.get("method", ""), line.get("path", ""))].append(
                float(line["duration_ms"])
            )
    return times


# ------------------------------------------------------------------ the table


def table(samples: list[Sample], seconds: float, server: dict[str, list[float]]) -> None:
    by_kind: dict[str, list[Sample]] = collections.defaultdict(list)
    for sample in samples:
        by_kind[sample.kind].append(sample)
    kinds = [k for k in ORDER if k in by_kind] + sorted(k for k in by_kind if k not in ORDER)
    print(
        f"\n{'request':<15} {'count':>6} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}"
        f" {'site ms':>8}  answers"
    )
    for kind in kinds:
        rows = by_kind[kind]
        ms = [s.seconds * 1000 for s in rows]
        answers = collections.Counter(s.status for s in rows)
        site = server.get(kind.split(" (")[0], [])
        print(
            f"{kind:<15} {len(rows):>6} {len(rows) / seconds:>6.2f} {_percentile(ms, 0.5):>7.0f}"
            f" {_percentile(ms, 0.95):>7.0f} {_percentile(ms, 0.99):>7.0f} {max(ms):>7.0f}"
            f" {statistics.mean(site) if site else 0:>8.0f}  "
            + ", ".join(f"{status}×{n}" for status, n in sorted(answers.items()))
        )
    print("(site ms: the mean the site itself logged for that kind of request, all its variants together)")


# ------------------------------------------------------------------ processor time


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()


def _own_and_children(pid: int) -> float:
    """Processor seconds of a process and of its children (live, and reaped)."""
    fields = _stat(pid)
    if fields is None:
        return 0.0
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            child = _stat(int(entry))
            if child is not None and int(child[1]) == pid:
                ticks += sum(int(child[i]) for i in (11, 12))
    return ticks / TICKS


class DatabaseCpu:
    """Processor seconds of the PostgreSQL backends serving one database, sampled every
    few seconds (a backend leaves with its connection; its last sample is kept)."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.stop = threading.Event()

    def sample(self) -> None:
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                command = Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if command.startswith("postgres:") and f" {self.database} " in command:
                fields = _stat(int(entry))
                if fields is not None:
                    seconds = (int(fields[11]) + int(fields[12])) / TICKS
                    self.first.setdefault(int(entry), seconds)
                    self.last[int(entry)] = seconds

    def run(self) -> None:
        self.sample()
        # Backends that exist now started before the traffic: only their growth counts.
        self.first = dict(self.last)
        new: set[int] = set()
        while not self.stop.wait(2.0):
            known = set(self.last)
            self.sample()
            new |= set(self.last) - known - set(self.first)
        for pid in new:
            self.first[pid] = 0.0

    @property
    def seconds(self) -> float:
        return sum(self.last[pid] - self.first.get(pid, 0.0) for pid in self.last)


def cpu_seconds(server_pid: int, worker_pid: int) -> dict[str, float]:
    return {"web (gunicorn)": _own_and_children(server_pid), "job worker": _own_and_children(worker_pid)}


def cpu_report(
    before: dict[str, float], after: dict[str, float], seconds: float, extra: dict[str, float]
) -> None:
    print("\nprocessor time during the traffic (seconds, and cores busy on average):")
    for name in before:
        used = after[name] - before[name]
        print(f"  {name:<22} {used:8.1f} s  {used / seconds:5.2f} cores")
    for name, used in extra.items():
        print(f"  {name:<22} {used:8.1f} s  {used / seconds:5.2f} cores")


# ------------------------------------------------------------------ the checks


def _saved_rows(entry_ids: set[int], since: datetime) -> dict[int, list[tuple[int, str]]]:
    """The saves the audit holds per entry since ``since``: (version, text)."""
    from django.contrib.contenttypes.models import ContentType

    from shinchoku.audit.models import AuditEvent, EventType
    from shinchoku.review.models import Entry

    rows: dict[int, list[tuple[int, str]]] = collections.defaultdict(list)
    events = AuditEvent.objects.filter(
        subject_type=ContentType.objects.get_for_model(Entry),
        subject_id__in=entry_ids,
        event_type=EventType.ENTRY_SAVED,
        created_at__gte=since,
    ).values_list("subject_id", "subject_version", "snapshot")
    for entry_id, version, snapshot in events.iterator():
        rows[entry_id].append((version, (snapshot or {}).get("text", "")))
    return rows


def _distinct_errors(lines: list[dict[str, Any]]) -> str:
    """Each different error once: its first time, message and the end of its traceback."""
    seen: dict[str, tuple[int, str]] = {}
    for line in lines:
        trace = (line.get("exc_info") or "").strip().splitlines()
        message = re.sub(r"\d+", "N", str(line.get("message", "")).split("?")[0])[:80]
        key = f"{message} {trace[-1] if trace else ''}"
        count, text = seen.get(key, (0, ""))
        if not text:
            where = next((t.strip() for t in reversed(trace) if t.strip().startswith(f'File "{SOURCE}')), "")
            text = f"{line.get('time', '')[11:19]} {str(line.get('message', ''))[:120]}"
            if trace:
                text += f"\n    {where}\n    {trace[-1][:300]}"
        seen[key] = (count + 1, text)
    return "\n".join(f"×{count} {text}" for count, text in seen.values())


def run_checks(
    samples: list[Sample], ledger: Ledger, *, plan_code: str, fiscal_year: int, log: Path, since: float
) -> bool:
    from shinchoku.progress.models import Result
    from shinchoku.review.models import Entry
    from shinchoku.text import normalize

    results: list[tuple[str, bool, str]] = []

    def check(name: str, passed: bool, detail: str = "") -> None:
        results.append((name, passed, detail))

    # No server error, in the answers or in the log.
    failed = [s for s in samples if s.status >= 500 or s.status == 0]
    check(
        "no 5xx or unanswered request",
        not failed,
        "; ".join(f"{s.kind} {s.url} → {s.status}" for s in failed[:10]),
    )
    lines = _log_lines(log, since)
    errors = [
        line
        for line in lines
        if line.get("level") in {"ERROR", "CRITICAL"}
        or (line.get("logger") == "shinchoku.access" and int(line.get("status", 0)) >= 500)
    ]
    check(f"no error in the server's log ({len(errors)} lines)", not errors, _distinct_errors(errors))

    # Every save answered 302 or 409, and nothing else.
    saves = list(ledger.saves)
    other = [s for s in saves if s.status not in {ACCEPTED, CONFLICT}]
    check(
        f"every save answered 302 or 409 ({len(saves)} saves)",
        not other,
        "; ".join(f"entry {s.entry_id} {s.kind} → {s.status}" for s in other[:10]),
    )
    pairs: dict[int, list[int]] = collections.defaultdict(list)
    for save in saves:
        if save.kind == "pair" and save.pair is not None:
            pairs[save.pair].append(save.status)
    uneven = {key: statuses for key, statuses in pairs.items() if sorted(statuses) != [ACCEPTED, CONFLICT]}
    check(
        f"of each pair saving at once, one taken and one 409 ({len(pairs)} pairs)",
        bool(pairs) and not uneven,
        str(list(uneven.items())[:10]),
    )
    stale = [s for s in saves if s.kind == "stale"]
    check(
        f"every save from an overtaken version answered 409 ({len(stale)})",
        bool(stale) and all(s.status == CONFLICT for s in stale),
    )

    # Every taken save written once; no refused one written; each entry holds its last.
    written = _saved_rows({s.entry_id for s in saves}, datetime.fromtimestamp(since, UTC))
    taken = [s for s in saves if s.status == ACCEPTED]
    refused = [s for s in saves if s.status == CONFLICT]
    missing: list[Save] = []
    doubled: list[Save] = []
    for save in taken:
        found = [v for v, text in written.get(save.entry_id, []) if text == normalize(save.text)]
        (missing if not found else doubled if len(found) > 1 else []).append(save)
    check(
        f"every taken save in the database, once ({len(taken)} taken)",
        not missing and not doubled,
        f"missing {[(s.entry_id, s.text) for s in missing[:5]]}; "
        f"twice {[(s.entry_id, s.text) for s in doubled[:5]]}",
    )
    extra = sum(len(rows) for rows in written.values()) - len(taken)
    leaked = [
        s for s in refused if any(text == normalize(s.text) for _v, text in written.get(s.entry_id, []))
    ]
    check(
        f"no refused save written ({len(refused)} refused), no save written unasked",
        not leaked and extra == 0,
        f"written though refused: {[(s.entry_id, s.text) for s in leaked[:5]]}; "
        f"audit rows beyond the taken: {extra}",
    )
    entries = {e.pk: e for e in Entry.objects.filter(pk__in=written)}
    wrong = []
    for entry_id, rows in written.items():
        version, text = max(rows)
        entry = entries[entry_id]
        if entry_id not in ledger.published and (entry.version != version or entry.text != text):
            wrong.append((entry_id, entry.version, version, entry.text[:60], text[:60]))
    check(f"each entry holds its last taken save ({len(written)} entries)", not wrong, str(wrong[:5]))

    # The publish: through the pages, then seen by the public.
    check(
        "submitted, approved and published through the staff pages",
        not ledger.publish_problems and ledger.publish_seconds is not None and bool(ledger.published),
        "; ".join(ledger.publish_problems),
    )
    check(
        f"no draft on a public page before the publish ({len(ledger.before_publish)} pages)",
        bool(ledger.before_publish) and not any(shown for _c, shown in ledger.before_publish),
    )
    check(
        f"no stale public page after the publish ({len(ledger.after_publish)} pages)",
        bool(ledger.after_publish) and all(shown for _c, shown in ledger.after_publish),
        str([code for code, shown in ledger.after_publish if not shown][:10]),
    )
    stored = (
        dict(
            Result.objects.filter(
                node__plan__code=plan_code,
                fiscal_year=fiscal_year,
                node__entries__pk__in=ledger.published,
            ).values_list("node__entries__pk", "text")
        )
        if ledger.published
        else {}
    )
    check(
        "the published results hold the approved text",
        bool(ledger.published) and all(stored.get(pk) == normalize(t) for pk, t in ledger.published.items()),
    )
    check("the search finds the published text", bool(ledger.search_after_publish))
    if ledger.publish_seconds is not None:
        print(
            f"\npublish: {len(ledger.published)} entries, "
            f"job done in {ledger.publish_seconds:.1f} s after the post"
        )

    print()
    for name, passed, detail in results:
        print(f"{'PASS' if passed else 'FAIL'}  {name}")
        if not passed and detail:
            print("      " + detail.replace("\n", "\n      "))
    return all(passed for _n, passed, _d in results)


# ------------------------------------------------------------------ the record


def record_write(path: Path, *, samples: list[Sample], ledger: Ledger, facts: dict[str, Any]) -> None:
    """What a run saw, kept beside the server's log, so that the figures and the checks
    can be printed again (``--report``) without running the traffic again."""
    kept = {
        "facts": facts,
        "samples": [dataclasses.astuple(sample) for sample in samples],
        "ledger": {
            name: getattr(ledger, name)
            for name in (
                "published",
                "codes",
                "publish_problems",
                "publish_seconds",
                "after_publish",
                "before_publish",
                "search_after_publish",
            )
        }
        | {"saves": [dataclasses.astuple(save) for save in ledger.saves]},
    }
    path.write_text(json.dumps(kept, ensure_ascii=False))


def report(var: Path) -> bool:
    """Print the table, the processor time and the checks of the run recorded in ``var``."""
    kept = json.loads((var / "soak.json").read_text())
    facts = kept["facts"]
    samples = [Sample(*row) for row in kept["samples"]]
    book = kept["ledger"]
    ledger = Ledger(
        saves=[Save(*row) for row in book["saves"]],
        published={int(k): v for k, v in book["published"].items()},
        codes={int(k): v for k, v in book["codes"].items()},
        publish_problems=book["publish_problems"],
        publish_seconds=book["publish_seconds"],
        after_publish=[tuple(pair) for pair in book["after_publish"]],
        before_publish=[tuple(pair) for pair in book["before_publish"]],
        search_after_publish=book["search_after_publish"],
    )
    log = var / "server.log"
    traffic = facts.get("traffic", facts["elapsed"])
    print(
        f"\n{len(samples):,} requests in {traffic:.0f} s of traffic (and {facts['elapsed'] - traffic:.0f} s "
        f"for the last answers and the publish to end); server log: {log}"
    )
    table(samples, traffic, server_times(log, facts["began"]))
    cpu_report(facts["cpu_before"], facts["cpu_after"], facts["elapsed"], facts["cpu_other"])
    return run_checks(
        samples,
        ledger,
        plan_code=facts["plan_code"],
        fiscal_year=facts["fiscal_year"],
        log=log,
        since=facts["began"],
    )
