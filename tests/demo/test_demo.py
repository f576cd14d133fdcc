"""``shinchoku demo``: made-up units responsible for the demonstration plan's measures, one
login per role, the FY2013 results round open for entry; twice changes nothing."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.utils import timezone

from shinchoku.accounts import permissions
from shinchoku.accounts.models import Role, StaffRole
from shinchoku.audit.models import AuditEvent
from shinchoku.demo.services import DEMO_PLAN, demo_password
from shinchoku.plans.models import Node, NodeUnit, OrgUnit
from shinchoku.review.models import Entry, EntryRating, Round


@pytest.fixture(autouse=True)
def _development(settings) -> None:
    """The demonstration is for development installs (DEBUG true) only."""
    settings.DEBUG = True


def run_demo() -> str:
    out = StringIO()
    call_command("demo", "--url", "http://127.0.0.1:8000", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_production_install_refuses_the_demonstration(settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=true installs only"):
        call_command("demo", stdout=StringIO())
    assert not StaffRole.objects.exists()


def roles(username: str) -> list[tuple[str, str | None]]:
    return [
        (role.role, role.unit.name if role.unit else None)
        for role in StaffRole.objects.filter(user__username=username).select_related("unit")
    ]


def test_one_login_per_role(demo_loaded: Path) -> None:
    run_demo()
    password = demo_password(demo_loaded)
    assert roles("admin") == [(Role.ADMINISTRATOR, None)]
    assert roles("editor") == [(Role.EDITOR, "（デモ）地域づくり担当課")]
    assert roles("editor2") == [(Role.EDITOR, "（デモ）区役所機能担当課")]
    assert roles("reviewer") == [(Role.REVIEWER, None)]
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    for name in ("editor", "editor2", "reviewer"):
        user = User.objects.get(username=name)
        assert not user.is_superuser and not user.is_staff
    for name in ("admin", "editor", "editor2", "reviewer"):
        assert User.objects.get(username=name).check_password(password)
    assert len(password) >= 16


def test_the_made_up_units_share_the_measures(demo_loaded: Path) -> None:
    run_demo()
    units = OrgUnit.objects.filter(code__startswith="demo-").order_by("code")
    assert [unit.name for unit in units] == ["（デモ）地域づくり担当課", "（デモ）区役所機能担当課"]
    assert all(unit.name.startswith("（デモ）") for unit in units)
    measures = Node.objects.filter(plan__code=DEMO_PLAN, level__rated=True)
    assert measures.count() == 8
    responsible = NodeUnit.objects.filter(node__in=measures, role=NodeUnit.Role.RESPONSIBLE)
    assert responsible.count() == 8  # every measure, one unit each
    editor, editor2 = User.objects.get(username="editor"), User.objects.get(username="editor2")
    assert sorted(permissions.editable_nodes(editor).values_list("code", flat=True)) == [
        "9-1-1",
        "9-1-2",
        "9-2-1",
    ]
    assert sorted(permissions.editable_nodes(editor2).values_list("code", flat=True)) == [
        f"9-3-{n}" for n in range(1, 6)
    ]
    assert not permissions.editable_nodes(User.objects.get(username="reviewer")).exists()


def test_the_fy2013_results_round_is_open_for_entry(demo_loaded: Path) -> None:
    output = run_demo()
    round_ = Round.objects.get(plan__code=DEMO_PLAN)
    assert (round_.fiscal_year, round_.kind, round_.state) == (2013, Round.Kind.RESULTS, Round.State.OPEN)
    assert round_.deadline == timezone.localdate() + timedelta(days=30)
    assert round_.opened_by.username == "admin"
    entries = Entry.objects.filter(round=round_)
    assert entries.count() == 8
    assert set(entries.values_list("state", flat=True)) == {Entry.State.DRAFT}
    assert f"deadline {round_.deadline.isoformat()}, 8 entries" in output


def test_the_logins_are_printed_with_what_they_may_do(demo_loaded: Path) -> None:
    output = run_demo()
    password = demo_password(demo_loaded)
    lines = output.splitlines()
    for name, does in [
        ("admin", "planning administrator and Django admin superuser"),
        (
            "editor",
            "section editor of （デモ）地域づくり担当課: writes and submits the entries of its 3 measures",
        ),
        (
            "editor2",
            "section editor of （デモ）区役所機能担当課: writes and submits the entries of its 5 measures",
        ),
        ("reviewer", "reviewer: returns (with a comment) or approves submitted entries"),
    ]:
        assert any(line.split()[:3] == [name, "/", password] and does in line for line in lines), name
    assert "Staff pages: http://127.0.0.1:8000/staff/" in output
    assert "sign in at http://127.0.0.1:8000/staff/login/" in output
    assert "Django admin: http://127.0.0.1:8000/admin/" in output


def _state() -> dict[str, object]:
    return {
        "users": sorted(User.objects.values_list("pk", "username", "password", "is_superuser", "email")),
        "roles": sorted(StaffRole.objects.values_list("pk", "user_id", "role", "unit_id")),
        "units": sorted(OrgUnit.objects.values_list("pk", "code", "name")),
        "node_units": sorted(NodeUnit.objects.values_list("pk", "node_id", "unit_id", "role")),
        "rounds": sorted(Round.objects.values_list("pk", "fiscal_year", "kind", "deadline", "state")),
        "entries": sorted(Entry.objects.values_list("pk", "version", "state")),
        "ratings": EntryRating.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def test_twice_changes_nothing_and_prints_the_same(demo_loaded: Path) -> None:
    first = run_demo()
    before = _state()
    second = run_demo()
    assert second == first
    assert _state() == before


def test_an_existing_round_is_left_as_it_is(demo_loaded: Path) -> None:
    run_demo()
    round_ = Round.objects.get()
    Round.objects.filter(pk=round_.pk).update(deadline=timezone.localdate() + timedelta(days=3))
    run_demo()
    assert Round.objects.get().deadline == timezone.localdate() + timedelta(days=3)


def test_changed_demo_accounts_are_put_back(demo_loaded: Path) -> None:
    run_demo()
    editor = User.objects.get(username="editor")
    editor.set_password("something-else-entirely")
    editor.is_active = False
    editor.save()
    StaffRole.objects.create(user=editor, role=Role.REVIEWER)
    run_demo()
    editor.refresh_from_db()
    assert editor.is_active and editor.check_password(demo_password(demo_loaded))
    assert roles("editor") == [(Role.EDITOR, "（デモ）地域づくり担当課")]


def test_reloading_the_demo_data_then_the_demo_restores_the_units(demo_loaded: Path) -> None:
    """bin/serve runs loaddemo (which rewrites the nodes' units from the file) then demo."""
    run_demo()
    call_command("loaddemo", stdout=StringIO())
    assert not NodeUnit.objects.exists()
    run_demo()
    assert NodeUnit.objects.filter(role=NodeUnit.Role.RESPONSIBLE).count() == 8
    assert Round.objects.count() == 1 and Entry.objects.count() == 8


@pytest.mark.django_db
def test_without_the_demonstration_data_it_says_what_to_run(settings, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    with pytest.raises(CommandError, match="run `shinchoku loaddemo` first"):
        run_demo()


@pytest.mark.django_db
def test_the_demonstration_password_keeps_the_password_rules(demo_loaded: Path) -> None:
    run_demo()
    password = demo_password(demo_loaded)
    for name in ("admin", "editor", "editor2", "reviewer"):
        validate_password(password, User.objects.get(username=name))


@pytest.mark.django_db
def test_a_kept_password_that_breaks_the_rules_is_refused(demo_loaded: Path) -> None:
    """A var/demo-password written by hand, shorter than 12 characters: nothing is set up."""
    (demo_loaded / "demo-password").write_text("tanjikan-1\n")
    with pytest.raises(CommandError) as refused:
        run_demo()
    message = str(refused.value)
    assert "demo-password: the demonstration password breaks the password rules" in message
    assert "at least 12 characters" in message
    assert not User.objects.exists() and not StaffRole.objects.exists()
