"""The people of the soak test, each a thread with its own browser (``soak_client``):
citizens reading and searching, downloaders of reports and open data, editors saving
entries (some pairs the same entry at once, some from a version already overtaken),
and the round's people who submit, approve and publish in the middle of the run.

Each records what it was answered; ``bench/soak.py`` checks it all at the end."""

from __future__ import annotations

import random
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

from soak_client import Browser, Recorder, form_fields

#: The answer to a save that was taken (the entry page again, by redirect) and to one
#: refused because the entry changed since the form was read.
ACCEPTED, CONFLICT = 302, 409
#: The answer to a submit of an entry not complete enough to be submitted.
INCOMPLETE = 400


@dataclass(frozen=True)
class Save:
    """One save posted through the entry form, and what it was answered."""

    entry_id: int
    text: str
    status: int
    #: "save" (an editor alone), "pair" (two editors at once), "stale" (an old version).
    kind: str
    pair: int | None = None


@dataclass
class Ledger:
    """Everything the checks need besides the timings."""

    saves: list[Save] = field(default_factory=list)
    #: Entry id → the text it was submitted, approved and published with.
    published: dict[int, str] = field(default_factory=dict)
    #: Node code of each published entry, for the public page.
    codes: dict[int, str] = field(default_factory=dict)
    #: What went wrong in the publishing sequence (empty when it all went through).
    publish_problems: list[str] = field(default_factory=list)
    publish_seconds: float | None = None
    #: Published measure pages read after the publish: (code, showed the new text).
    after_publish: list[tuple[str, bool]] = field(default_factory=list)
    #: The same pages read before it: (code, showed the new text already).
    before_publish: list[tuple[str, bool]] = field(default_factory=list)
    search_after_publish: bool | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, save: Save) -> None:
        with self.lock:
            self.saves.append(save)


@dataclass
class Plan:
    """What the readers ask for."""

    code: str
    year: int
    areas: list[str]
    programmes: list[str]
    measures: list[str]
    terms: list[str]


class Run:
    """The shared clock: threads work while ``going`` and wait on ``stop``."""

    def __init__(self, base: str, recorder: Recorder, seconds: float, seed: int) -> None:
        self.base = base
        self.recorder = recorder
        self.ends = time.monotonic() + seconds
        self.started = time.monotonic()
        self.stop = threading.Event()
        self.seed = seed
        self._addresses = 0
        self._lock = threading.Lock()

    def going(self) -> bool:
        return not self.stop.is_set() and time.monotonic() < self.ends

    def pause(self, rng: random.Random, low: float, high: float) -> None:
        self.stop.wait(rng.uniform(low, high))

    def browser(self) -> Browser:
        """A browser of its own address (one person each, for the per-client limits)."""
        with self._lock:
            self._addresses += 1
            n = self._addresses
        return Browser(self.base, self.recorder, address=f"10.{n // 250}.{n % 250}.{1 + n % 7}")


# ------------------------------------------------------------------ the public


def reader(run: Run, plan: Plan, number: int) -> None:
    """A citizen: the home page, the plan, plan areas, programmes and (mostly) measures,
    and searches, with a short pause between pages."""
    rng = random.Random(f"{run.seed}:reader:{number}")  # noqa: S311 - a reproducible draw
    browser = run.browser()
    kinds = ["home", "plan", "area", "programme", "measure", "search"]
    weights = [8, 3, 8, 12, 54, 15]
    while run.going():
        kind = rng.choices(kinds, weights)[0]
        if kind == "home":
            browser.get(kind, "/")
        elif kind == "plan":
            browser.get(kind, f"/plans/{plan.code}/")
        elif kind == "search":
            query = urllib.parse.urlencode({"q": rng.choice(plan.terms)})
            browser.get(kind, f"/search/?{query}")
        else:
            codes = {"area": plan.areas, "programme": plan.programmes, "measure": plan.measures}[kind]
            # Some pages are read far more than others.
            code = (
                codes[min(len(codes) - 1, int(rng.paretovariate(1.2)) - 1)]
                if rng.random() < 0.5
                else rng.choice(codes)
            )
            browser.get(kind, f"/plans/{plan.code}/nodes/{urllib.parse.quote(code)}/")
        run.pause(rng, 0.0, 1.0)


def downloader(run: Run, plan: Plan) -> None:
    """Reports of one plan area (HTML or PDF) and the open-data ZIPs, one every few seconds."""
    rng = random.Random(f"{run.seed}:downloads")  # noqa: S311 - a reproducible draw
    browser = run.browser()
    while run.going():
        roll = rng.random()
        area = urllib.parse.quote(rng.choice(plan.areas))
        if roll < 0.4:
            browser.get("report html", f"/plans/{plan.code}/report/{plan.year}.html?area={area}")
        elif roll < 0.6:
            browser.get("report pdf", f"/plans/{plan.code}/report/{plan.year}.pdf?area={area}")
        elif roll < 0.8:
            browser.get("open data zip", f"/plans/{plan.code}/opendata.zip")
        else:
            browser.get("open data zip", f"/plans/{plan.code}/opendata/{plan.year}.zip")
        run.pause(rng, 8.0, 16.0)


# ------------------------------------------------------------------ the editors


_VERSION = re.compile(r'name="version" value="(\d+)"')


def _read_form(browser: Browser, entry_id: int) -> dict[str, str]:
    page = browser.get("entry page", f"/staff/entries/{entry_id}/")
    return form_fields(page.text, action_contains=f"/staff/entries/{entry_id}/", having="version")


def _save(
    browser: Browser,
    ledger: Ledger,
    entry_id: int,
    form: dict[str, str],
    text: str,
    kind: str,
    pair: int | None = None,
) -> int:
    data = {**form, "text": text, "action": "save"}
    answer = browser.post(f"save ({kind})" if kind != "save" else "save", f"/staff/entries/{entry_id}/", data)
    ledger.add(Save(entry_id, text, answer.status, kind, pair))
    return answer.status


def editor(run: Run, ledger: Ledger, username: str, password: str, entries: list[int], tag: str) -> None:
    """An editor saving entries of their unit one after another; after every fourth save
    the same form is posted again (its version now overtaken), which must be refused."""
    rng = random.Random(f"{run.seed}:{username}")  # noqa: S311 - a reproducible draw
    browser = run.browser()
    if not browser.sign_in(username, password):
        ledger.publish_problems.append(f"{username} could not sign in")
        return
    count = 0
    while run.going():
        entry_id = rng.choice(entries)
        form = _read_form(browser, entry_id)
        if not form:
            run.pause(rng, 0.5, 1.0)
            continue
        count += 1
        text = f"・{tag} {username} の記入 {count}。取組を実施しました。"
        status = _save(browser, ledger, entry_id, form, text, "save")
        if status == ACCEPTED:
            browser.get("entry page", f"/staff/entries/{entry_id}/")
            if count % 4 == 1:
                _save(browser, ledger, entry_id, form, f"{text}(古い版から)", "stale")
        run.pause(rng, 0.5, 2.0)


def _save_together(
    start: threading.Barrier,
    browser: Browser,
    ledger: Ledger,
    entry_id: int,
    form: dict[str, str],
    *,
    text: str,
    pair: int,
) -> None:
    start.wait()
    _save(browser, ledger, entry_id, form, text, "pair", pair)


def pair(
    run: Run,
    ledger: Ledger,
    usernames: tuple[str, str],
    password: str,
    entries: list[int],
    tag: str,
    number: int,
) -> None:
    """Two editors of one unit who open the same entry and save it at the same moment:
    one save is taken, the other refused (409)."""
    rng = random.Random(f"{run.seed}:pair:{number}")  # noqa: S311 - a reproducible draw
    browsers = [run.browser(), run.browser()]
    for browser, username in zip(browsers, usernames, strict=True):
        if not browser.sign_in(username, password):
            ledger.publish_problems.append(f"{username} (pair) could not sign in")
            return
    round_number = 0
    while run.going():
        entry_id = rng.choice(entries)
        forms = [_read_form(browser, entry_id) for browser in browsers]
        if not all(forms) or forms[0].get("version") != forms[1].get("version"):
            run.pause(rng, 0.5, 1.0)
            continue
        round_number += 1
        key = number * 100_000 + round_number
        start = threading.Barrier(2)
        threads = [
            threading.Thread(
                target=_save_together,
                args=(start, browsers[side], ledger, entry_id, forms[side]),
                kwargs={"text": f"・{tag} 同時保存 {number}-{round_number} {usernames[side]}。", "pair": key},
            )
            for side in (0, 1)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        run.pause(rng, 2.0, 5.0)


# ------------------------------------------------------------------ the round


def _act(browser: Browser, entry_id: int, action: str) -> int:
    page = browser.get("entry page", f"/staff/entries/{entry_id}/")
    match = _VERSION.search(page.text)
    token = form_fields(page.text, having="csrfmiddlewaretoken").get("csrfmiddlewaretoken", "")
    data = {
        "csrfmiddlewaretoken": token,
        "version": match.group(1) if match else "",
        "action": action,
        "comment": "",
    }
    return browser.post(action, f"/staff/entries/{entry_id}/actions/", data).status


def publisher(
    run: Run,
    ledger: Ledger,
    plan: Plan,
    round_id: int,
    password: str,
    submitters: dict[int, str],
    reviewer_name: str,
    admin_name: str,
    tag: str,
    publish_at: float,
    wanted: int,
) -> None:
    """The round's own people: editors submit entries with a new text (``wanted`` of them,
    taken from ``submitters`` in turn, until shortly before the publish), the reviewer
    approves them, and in the middle of the run the planning administrator publishes the
    round through its page and follows the job; then the published measure pages are
    read, as a citizen would, and must show the new text."""
    rng = random.Random(f"{run.seed}:publisher")  # noqa: S311 - a reproducible draw
    problems = ledger.publish_problems
    browsers: dict[str, Browser] = {}

    def signed_in(username: str) -> Browser:
        if username not in browsers:
            browsers[username] = run.browser()
            if not browsers[username].sign_in(username, password):
                problems.append(f"{username} could not sign in")
        return browsers[username]

    for entry_id, username in submitters.items():
        if (
            len(ledger.published) >= wanted
            or time.monotonic() > run.started + publish_at - 5
            or not run.going()
        ):
            break
        browser = signed_in(username)
        form = _read_form(browser, entry_id)
        text = f"・{tag} 公開確認 {entry_id}。取組を実施しました。"
        answer = browser.post(
            "submit", f"/staff/entries/{entry_id}/", {**form, "text": text, "action": "submit"}
        )
        if answer.status == INCOMPLETE:
            # Not complete enough to submit (a rating's reason missing…): refused, as it
            # must be, and nothing saved; another entry is taken instead.
            continue
        if answer.status != ACCEPTED:
            problems.append(f"submit of entry {entry_id} answered {answer.status}")
            continue
        status = _act(signed_in(reviewer_name), entry_id, "approve")
        if status != ACCEPTED:
            problems.append(f"approval of entry {entry_id} answered {status}")
            continue
        ledger.published[entry_id] = text
        run.pause(rng, 0.5, 1.5)

    def read_published(into: list[tuple[str, bool]]) -> None:
        reader_browser = run.browser()
        for entry_id, text in ledger.published.items():
            code = ledger.codes[entry_id]
            page = reader_browser.get("measure", f"/plans/{plan.code}/nodes/{urllib.parse.quote(code)}/")
            into.append((code, text.strip("・。") in page.text))

    # The public pages of these measures read (and so cached) before the publish.
    while run.going() and time.monotonic() < run.started + publish_at:
        run.stop.wait(1.0)
    read_published(ledger.before_publish)
    admin = signed_in(admin_name)
    page = admin.get("publish page", f"/staff/rounds/{round_id}/publish/")
    form = form_fields(page.text, action_contains=f"/staff/rounds/{round_id}/publish/", having="entries")
    if not form:
        problems.append(f"the publish page (status {page.status}) offered no form")
        return
    if form["entries"] != str(len(ledger.published)):
        problems.append(
            f"the publish page offered {form['entries']} entries, {len(ledger.published)} were approved"
        )
    started = time.perf_counter()
    answer = admin.post("publish", f"/staff/rounds/{round_id}/publish/", form)
    if answer.status != 302 or "/jobs/" not in answer.location:
        problems.append(f"publishing answered {answer.status} → {answer.location!r}")
        return
    while True:
        job = admin.get("job page", answer.location)
        if 'data-finished="true"' in job.text:
            break
        if time.perf_counter() - started > 600:
            problems.append("the publish job did not finish in 10 minutes")
            return
        time.sleep(3.0)
    ledger.publish_seconds = time.perf_counter() - started
    if "job-state--succeeded" not in job.text:
        error = re.search(r'class="job-error">(.*?)</span>', job.text, re.DOTALL)
        problems.append(f"the publish job did not succeed: {error.group(1).strip() if error else job.status}")
    read_published(ledger.after_publish)
    searcher = run.browser()
    found = []
    for entry_id in list(ledger.published)[:3]:
        query = urllib.parse.urlencode({"q": f"{tag} 公開確認 {entry_id}"})
        code = urllib.parse.quote(ledger.codes[entry_id])
        found.append(f"/nodes/{code}/" in searcher.get("search", f"/search/?{query}").text)
    ledger.search_after_publish = bool(found) and all(found)
