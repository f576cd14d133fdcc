"""With the page cache on, every kind of write of published data is seen on the public
pages at once: a round published, a result reopened and published again, a plan imported,
an edit in the admin or through the audited row services. Each test reads a page (which
is then kept), writes, and reads it again. A write to one plan leaves the other plans'
pages kept, and changes the pages that read every plan (the home page, the search)."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from shinchoku.plans import services as plan_services
from shinchoku.plans.models import Node, ScaleLevel
from shinchoku.progress import services as progress_services
from shinchoku.progress.models import Target
from shinchoku.review import services
from tests.admin.formdata import page_data
from tests.factories import make_node, make_sample, make_world
from tests.plans.formats.planfile.test_planfile import GOOD, the_measure
from tests.review.conftest import Cycle, make_cycle

pytestmark = pytest.mark.django_db

MEASURE = "/plans/plan9/nodes/9-1-1/"


@pytest.fixture(autouse=True)
def page_cache(settings: Any) -> Iterator[None]:
    settings.PUBLIC_PAGE_CACHE = True
    yield


def read(address: str, etag: str = "") -> tuple[int, str, str]:
    """A new reader's visit, with the ETag it holds: status, page, ETag."""
    response = Client().get(address, HTTP_IF_NONE_MATCH=etag) if etag else Client().get(address)
    return response.status_code, response.content.decode(), response.get("ETag", "")


def kept(address: str) -> tuple[str, str]:
    """The page read twice (the second from the cache), and its ETag."""
    status, first, etag = read(address)
    assert status == 200
    status, second, second_etag = read(address)
    assert (status, second_etag) == (200, etag)
    assert second == first
    assert read(address, etag)[0] == 304
    return first, etag


def words(page: str) -> str:
    """The text of a page, without its tags (a search marks what it matched)."""
    return re.sub(r"<[^>]+>", "", page)


def seen_after(address: str, write: Callable[[], object], before: str, after: str) -> None:
    """``address`` shows ``before``, then, once ``write`` has run, ``after``."""
    page, etag = kept(address)
    assert before in page and after not in page
    write()
    status, page, new_etag = read(address, etag)
    assert status == 200 and new_etag != etag
    assert after in page, after
    assert read(address)[1].count(after) == page.count(after)


def publish(cycle: Cycle) -> None:
    entry = cycle.fresh()
    entry = services.entry_transition(entry, "submit", actor=cycle.editor, expected_version=entry.version)
    services.entry_transition(entry, "approve", actor=cycle.reviewer, expected_version=entry.version)
    services.round_publish(cycle.round, actor=cycle.admin)


def test_a_round_published_is_seen_at_once() -> None:
    cycle = make_cycle(year=2012)
    cycle.written(text="・公開前の記述です。")
    seen_after(MEASURE, lambda: publish(cycle), "・事業一覧を9月に公表しました。", "・公開前の記述です。")


def test_a_result_reopened_and_published_again_is_seen_at_once() -> None:
    cycle = make_cycle(year=2012)
    cycle.written(text="・最初の公表です。")
    publish(cycle)
    entry = cycle.fresh()
    entry = services.entry_transition(
        entry, "reopen", actor=cycle.admin, expected_version=entry.version, comment="訂正"
    )
    services.entry_save(
        entry, {"text": "・訂正した記述です。"}, actor=cycle.editor, expected_version=entry.version
    )
    page, etag = kept(MEASURE)
    # Reopened and written again, the draft is not public: the page stays as kept.
    assert "・最初の公表です。" in page and "訂正した記述" not in page
    assert read(MEASURE, etag)[0] == 304
    seen_after(MEASURE, lambda: publish(cycle), "・最初の公表です。", "・訂正した記述です。")


def _plan_file(tmp_path: Path, change: Callable[[dict[str, Any]], None] = lambda _data: None) -> str:
    data = copy.deepcopy(GOOD)
    change(data)
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(path)


def test_a_plan_imported_again_is_seen_at_once(tmp_path: Path) -> None:
    call_command("loadplan", _plan_file(tmp_path), "--apply", stdout=None)
    retitled = _plan_file(tmp_path, lambda data: the_measure(data).update(title="協働型事業の再編"))
    seen_after(
        "/plans/t/nodes/9-1-1/",
        lambda: call_command("loadplan", retitled, "--apply", stdout=None),
        "協働型事業の推進",
        "協働型事業の再編",
    )


def test_an_edit_in_the_admin_is_seen_at_once(admin_client: Client) -> None:
    sample = make_sample()
    url = f"/admin/plans/node/{sample.measure.pk}/change/"

    def edit() -> None:
        data = page_data(admin_client, url)
        data["title"] = "協働型事業の推進（管理画面で訂正）"
        assert admin_client.post(url, data).status_code == 302

    seen_after(MEASURE, edit, "協働型事業の推進", "協働型事業の推進（管理画面で訂正）")


def test_an_edit_through_the_row_services_is_seen_at_once(admin_user: User) -> None:
    sample = make_sample()
    target = Target.objects.get(node=sample.measure, text="●説明会の開催")
    seen_after(
        MEASURE,
        lambda: progress_services.target_update(
            target, data={"text": "●説明会の開催（年2回）"}, actor=admin_user
        ),
        "●説明会の開催",
        "●説明会の開催（年2回）",
    )
    seen_after(
        "/plans/plan9/nodes/9-1/",
        lambda: plan_services.node_update(
            sample.measure, data={"title": "協働型事業の拡充"}, actor=admin_user
        ),
        "協働型事業の推進",
        "協働型事業の拡充",
    )


def test_a_write_to_one_plan_keeps_the_other_plan_s_pages_but_not_home_and_search(admin_user: User) -> None:
    sample = make_sample()
    other = make_world(code="other")
    area = make_node(other.area_level, code="1", title="別の計画の分野")
    programme = make_node(other.programme_level, area, code="1-1", title="別の計画の政策")
    make_node(other.measure_level, programme, code="1-1-1", title="別の計画の施策")
    kept_here = {address: kept(address)[1] for address in (MEASURE, "/plans/plan9/", "/en/plans/plan9/")}
    home, home_etag = kept("/")
    search, search_etag = kept("/search/?q=別の計画")
    assert "別の計画の施策" in words(search)

    node = Node.objects.get(plan=other.plan, code="1-1-1")
    plan_services.node_update(node, data={"title": "別の計画の施策（改）"}, actor=admin_user)

    assert all(read(address, etag)[0] == 304 for address, etag in kept_here.items())
    assert read("/", home_etag)[0] == 200
    status, search, _ = read("/search/?q=別の計画", search_etag)
    assert status == 200 and "別の計画の施策（改）" in words(search)
    assert sample.plan.code in home


def test_the_shared_vocabulary_changed_is_seen_on_every_plan_s_pages(admin_user: User) -> None:
    sample = make_sample()
    level = ScaleLevel.objects.get(scale=sample.scale, code="3")
    label = level.label

    def relabel() -> None:
        level.label = "目標をおおむね達成"
        level.save()

    seen_after(MEASURE, relabel, label, "目標をおおむね達成")


def test_a_plan_never_derived_has_its_pages_answered_without_an_etag() -> None:
    sample = make_sample()
    sample.plan.data_version.delete()
    status, page, etag = read(MEASURE)
    assert status == 200 and "協働型事業の推進" in page and etag == ""
