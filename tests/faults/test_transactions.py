"""A connection killed inside an import's or a publishing's transaction, on PostgreSQL: the
process under test runs as on a server (``shinchoku import``, the publishing service) and
its backend is ended with ``pg_terminate_backend`` from another connection at the moment it
has written everything but its last row. The moment is found, not guessed: the test holds a
SHARE lock on the table of that last row, so the process, having written the rest, waits on
it (``pg_stat_activity`` shows it waiting on the lock, ``pg_locks`` the tables it wrote).
Then every table holds as many rows as before, and the next attempt succeeds and leaves
the same data as an undisturbed run in a copy of the same database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from psycopg import sql

from tests.faults.postgres import BIN, ROOT, Database, Server, wait_for

WROTE = """
    select c.relname from pg_locks l join pg_class c on c.oid = l.relation
    where l.pid = %s and l.granted and l.mode = 'RowExclusiveLock' and c.relkind = 'r'
"""
WAITING = """
    select pid, query from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid() and pid <> %s
      and wait_event_type = 'Lock' and query like %s
"""


def killed_inside(database: Database, last_table: str, last_write: str, command: list[str]) -> set[str]:
    """Runs ``command`` against ``database`` and ends its connection while it waits to write
    ``last_write`` into ``last_table`` (a statement's start, e.g. ``INSERT INTO "t"``), inside its
    transaction; the tables it had written then."""
    with database.server.connect(database.name) as holder, holder.transaction():
        holder.execute(sql.SQL("lock table {} in share mode").format(sql.Identifier(last_table)))
        process = subprocess.Popen(
            command, cwd=ROOT, env=database.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            with database.server.connect(database.name) as watcher:
                found = wait_for(
                    lambda: (
                        watcher.execute(WAITING, (holder.info.backend_pid, f"{last_write}%")).fetchone()
                        or process.poll() is not None
                    ),
                    f"the process to wait on {last_table}",
                )
                assert found is not True, f"the process ended before it waited on {last_table}"
                pid = found[0]
                wrote = {row[0] for row in watcher.execute(WROTE, (pid,))}
                assert watcher.execute("select pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)
        finally:
            _out, err = process.communicate(timeout=120)
    assert process.returncode != 0 and "terminating connection due to administrator command" in err, err[
        -3000:
    ]
    return wrote


def test_an_import_cut_off_inside_its_transaction_writes_nothing_and_the_next_one_imports_all(
    server: Server, base: Database, tmp_path: Path
) -> None:
    source = server.create(f"shinchoku_faults_source_{os.getpid()}", template=base.name)
    source.run("synth", "--measures", "12", "--years", "3", "--seed", "5")
    dataset = tmp_path / "dataset.json"
    dataset.write_bytes(source.export(tmp_path))
    target = server.create(f"shinchoku_faults_import_{os.getpid()}", template=base.name)
    control = server.create(f"shinchoku_faults_import_control_{os.getpid()}", template=base.name)
    importing = ["import", str(dataset), "--apply", "--user", "kikaku"]
    before = target.counts()

    wrote = killed_inside(
        target,
        "audit_auditevent",
        'INSERT INTO "audit_auditevent"',
        [str(BIN / "shinchoku"), *importing],
    )

    assert target.counts() == before
    assert {"plans_plan", "plans_node", "progress_target", "progress_result", "progress_cost"} <= wrote
    target.run(*importing)
    control.run(*importing)
    assert target.export(tmp_path) == control.export(tmp_path) == dataset.read_bytes()
    assert target.counts() == control.counts() != before


def test_a_publishing_cut_off_inside_its_transaction_writes_nothing_and_the_next_one_publishes_all(
    server: Server, base: Database, tmp_path: Path
) -> None:
    world = server.create(f"shinchoku_faults_round_{os.getpid()}", template=base.name)
    world.run("scenario", "round", "30")
    target = server.create(f"shinchoku_faults_publish_{os.getpid()}", template=world.name)
    control = server.create(f"shinchoku_faults_publish_control_{os.getpid()}", template=world.name)
    before = target.counts()
    unpublished = target.export(tmp_path)

    wrote = killed_inside(
        target,
        "review_round",
        'UPDATE "review_round"',
        [sys.executable, "-m", "tests.faults.scenario", "publish"],
    )

    assert target.counts() == before
    assert {"review_entry", "progress_result", "audit_auditevent"} <= wrote
    assert target.query("select state, count(*) from review_entry group by state") == [("approved", 30)]
    assert target.export(tmp_path) == unpublished
    target.run("scenario", "publish")
    control.run("scenario", "publish")
    assert target.query("select state, count(*) from review_entry group by state") == [("published", 30)]
    assert target.export(tmp_path) == control.export(tmp_path) != unpublished
    assert target.counts() == control.counts()
