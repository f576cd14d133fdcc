"""The open data's ZIPs built once per data version of a plan: by a background job once a
write is committed, or by the first download that finds none; served from their file with
their size; a reader who has one answered 304 after one query, the dataset never read for
it; the ZIPs of older versions removed; none of them in a backup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from shinchoku.backup import varfiles
from shinchoku.jobs.kinds import KINDS, Link
from shinchoku.jobs.models import Job
from shinchoku.opendata import bundles
from shinchoku.opendata import files as opendata_files
from shinchoku.plans.formats.dataset.export import export_dataset
from shinchoku.plans.models import Plan
from shinchoku.published import changes
from shinchoku.published.models import DataVersion
from tests.factories import Sample, make_sample
from tests.jobs.conftest import work_off
from tests.opendata.test_opendata import body, opendata_url, read, unzip

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(settings: Any, tmp_path: Path) -> Path:
    settings.OPENDATA_DIR = tmp_path / "opendata"
    return settings.OPENDATA_DIR


@pytest.fixture
def sample(folder: Path) -> Sample:
    return make_sample()


@pytest.fixture
def no_build(monkeypatch: pytest.MonkeyPatch) -> list[int | None]:
    """The years of every ZIP written from now on (None: the whole plan's), each time the
    data is read for some: one ZIP by a download, every missing one by the job."""
    made: list[int | None] = []
    real, real_all = opendata_files.write_zip, opendata_files.write_zips

    def counted(parts: Any, out: Any, *, year: int | None = None) -> None:
        made.append(year)
        real(parts, out, year=year)

    def counted_all(parts: Any, outs: dict[int | None, Any]) -> None:
        made.append(tuple(outs))  # type: ignore[arg-type]
        real_all(parts, outs)

    monkeypatch.setattr(opendata_files, "write_zip", counted)
    monkeypatch.setattr(opendata_files, "write_zips", counted_all)
    return made


def zips(folder: Path) -> list[str]:
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*.zip"))


def change(sample: Sample, text: str) -> None:
    result = sample.measure.results.get(fiscal_year=2012)
    result.text = text
    result.save()


def result_text(zip_data: bytes) -> str:
    """The text of the measure's result of 2012 in a ZIP."""
    rows = read(unzip(zip_data)["csv/results.csv"])
    [text] = [row["text"] for row in rows if row["node_id"] == "plan9:9-1-1" and row["fiscal_year"] == "2012"]
    return text


def version(sample: Sample) -> int:
    return DataVersion.objects.get(plan=sample.plan).version


def test_a_reader_who_has_the_zip_is_answered_from_the_version_alone(
    client: Client, sample: Sample, no_build: list[int | None], django_assert_num_queries: Any
) -> None:
    etag = bundles.bundle_for("plan9", 2012).etag
    assert str(version(sample)) in etag
    with django_assert_num_queries(1):
        response = client.get(opendata_url(year=2012), headers={"If-None-Match": etag})
    assert response.status_code == 304 and response["ETag"] == etag
    assert no_build == []  # not even built: the reader has it


def test_a_built_zip_is_served_from_its_file_in_one_query(
    client: Client, sample: Sample, folder: Path, no_build: list[int | None], django_assert_num_queries: Any
) -> None:
    first = client.get(opendata_url())
    content = body(first)
    assert no_build == [None] and zips(folder) == [
        f"{sample.plan.pk}/{bundles.bundle_for('plan9').folder.name}/all.zip"
    ]
    with django_assert_num_queries(1):
        again = client.get(opendata_url())
        assert body(again) == content
    assert again["Content-Length"] == str(len(content))
    assert again["ETag"] == first["ETag"] == bundles.bundle_for("plan9").etag
    assert no_build == [None]
    assert content == opendata_files.zip_bundle(export_dataset([sample.plan]))


def test_a_write_makes_a_new_zip_and_the_old_one_goes(
    client: Client, sample: Sample, folder: Path, no_build: list[int | None]
) -> None:
    before = client.get(opendata_url(year=2012))
    old = zips(folder)
    change(sample, "・書き換えた実施結果")
    after = client.get(opendata_url(year=2012), headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    content = body(after)
    assert no_build == [2012, 2012]
    assert result_text(content) == "・書き換えた実施結果"
    assert content == opendata_files.zip_bundle(
        opendata_files.for_year(export_dataset([sample.plan]), 2012), year=2012
    )
    new = zips(folder)
    assert len(old) == len(new) == 1 and old != new


def test_a_zip_asked_for_an_older_version_is_built_from_the_newest_data(sample: Sample) -> None:
    stale = bundles.bundle_for("plan9")
    change(sample, "・新しい実施結果")
    served = bundles.built(stale)
    assert served.version == version(sample) > stale.version
    assert served.path.is_file() and not stale.path.exists()


@pytest.fixture
def queue(settings: Any) -> None:
    """Jobs wait in the database for a worker, as on a site (``work_off`` is the worker)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def jobs(settings: Any, queue: None) -> None:
    settings.OPENDATA_BUILD_AFTER_WRITE = True


def test_a_committed_write_queues_one_job_that_builds_every_zip(
    client: Client,
    sample: Sample,
    folder: Path,
    jobs: None,
    django_capture_on_commit_callbacks: Any,
    no_build: list[int | None],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        change(sample, "・一度目")
    with django_capture_on_commit_callbacks(execute=True):
        change(sample, "・二度目")
    # One job waits for the plan, whatever the number of writes: it reads the newest data.
    [job] = Job.objects.filter(kind=bundles.KIND)
    assert job.params == {"plan": sample.plan.pk} and job.state == Job.State.QUEUED
    assert zips(folder) == []
    work_off()
    job.refresh_from_db()
    years = list(sample.plan.fiscal_years)
    assert job.state == Job.State.SUCCEEDED
    assert job.result == {"plan": "plan9", "version": version(sample), "files": 1 + len(years)}
    assert no_build == [(None, *years)]  # the data read once for every ZIP
    assert len(zips(folder)) == 1 + len(years)
    # The readers after it get the files the job built.
    for year in [None, *years]:
        response = client.get(opendata_url(year=year))
        assert response.status_code == 200 and response["ETag"] == bundles.bundle_for("plan9", year).etag
    assert no_build == [(None, *years)]
    assert result_text(body(client.get(opendata_url(year=2012)))) == "・二度目"
    # Its page says what it built and links to it.
    kind = KINDS[bundles.KIND]
    with translation.override("en"):
        assert kind.title(job) == f"Building the open data of {sample.plan.title}"
        assert kind.result(job) == Link("/en/plans/plan9/opendata.zip", "The open data (ZIP)")


def test_no_job_unless_asked(
    sample: Sample, queue: None, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.OPENDATA_BUILD_AFTER_WRITE = False
    with django_capture_on_commit_callbacks(execute=True):
        change(sample, "・書き換え")
    assert not Job.objects.filter(kind=bundles.KIND).exists()


def test_the_job_of_a_plan_gone_removes_its_zips(
    sample: Sample, folder: Path, jobs: None, django_capture_on_commit_callbacks: Any
) -> None:
    bundles.built(bundles.bundle_for("plan9"))
    plan_id = sample.plan.pk
    assert (folder / str(plan_id)).is_dir()
    with django_capture_on_commit_callbacks(execute=True):
        Plan.objects.get(pk=plan_id).delete()
        changes.plan_changed(plan_id)
    work_off()
    assert not (folder / str(plan_id)).exists()


def test_a_backup_leaves_the_zips_out(sample: Sample, folder: Path) -> None:
    bundles.built(bundles.bundle_for("plan9"))
    assert str(folder) in varfiles.left_out()
    carried = [path for place in varfiles.places() for _member, path in varfiles.files_of(place)]
    assert not any(path.suffix == ".zip" for path in carried)


def test_a_zip_not_built_yet_is_asked_of_the_job_and_the_reader_told_to_come_back(
    client: Client,
    sample: Sample,
    folder: Path,
    jobs: None,
    django_capture_on_commit_callbacks: Any,
    no_build: list[int | None],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        change(sample, "・新しい結果")
    Job.objects.filter(kind=bundles.KIND).delete()  # a job lost: asked for again

    waiting = client.get(opendata_url())
    again = client.get(opendata_url(year=2012))

    # Nothing read in the request: 503, come back in 30 s, never kept by a cache.
    assert (waiting.status_code, again.status_code) == (503, 503)
    assert waiting["Retry-After"] == "30" and "no-store" in waiting["Cache-Control"]
    assert "公開データを作成しています" in waiting.content.decode()
    assert no_build == []
    [job] = Job.objects.filter(kind=bundles.KIND)  # one job, however many readers
    assert job.state == Job.State.QUEUED
    work_off()
    ready = client.get(opendata_url(year=2012))
    assert ready.status_code == 200 and result_text(body(ready)) == "・新しい結果"


def test_while_the_job_builds_the_zip_of_the_version_before_is_served(
    client: Client,
    sample: Sample,
    folder: Path,
    jobs: None,
    django_capture_on_commit_callbacks: Any,
    no_build: list[int | None],
) -> None:
    bundles.built(bundles.bundle_for("plan9", 2012))  # as a job built it for this version
    before = client.get(opendata_url(year=2012))
    assert before.status_code == 200
    before_zip = body(before)
    with django_capture_on_commit_callbacks(execute=True):
        change(sample, "・新しい結果")
    made = list(no_build)

    meanwhile = client.get(opendata_url(year=2012))

    # The earlier file, as it was, under its own tag; nothing read for it.
    assert meanwhile.status_code == 200 and meanwhile["ETag"] == before["ETag"]
    meanwhile_zip = body(meanwhile)
    assert meanwhile_zip == before_zip and result_text(meanwhile_zip) != "・新しい結果"
    assert no_build == made
    # A year with no earlier file waits for the job.
    assert client.get(opendata_url(year=2013)).status_code == 503
    work_off()
    after = client.get(opendata_url(year=2012))
    assert after["ETag"] != before["ETag"] and result_text(body(after)) == "・新しい結果"
