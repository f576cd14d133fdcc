"""Every staff page and every public page, on a phone and on a desktop, in Chromium.

A phone here is 390×844 CSS px at device scale 2, with touch. On each page, as the
person who uses it:

- the page itself never scrolls sideways (a wide table scrolls inside its own region);
- no text is squeezed: no table cell holding text is narrower than 4em, none has its
  content sticking out of it, and no text runs at fewer than three characters a line;
- buttons and the staff navigation's links stay on one line (ログアウト is one line high);
- every target is at least 24×24 CSS px, or has the spacing WCAG 2.2 (2.5.8) allows
  instead; a link inside a sentence is exempt, as 2.5.8 says;
- on the phone, form fields take the width of the page.

The same pages at 1280 px are held to the same rules, so that what serves the phone does
not spoil the desktop. Full-page screenshots go to test-artifacts/phone/ for a person to
look at.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Browser, BrowserContext, Page

from shinchoku.interchange.models import ReportDraft
from shinchoku.interchange.reportdrafts import store_draft
from shinchoku.review import services
from shinchoku.review.models import Entry, Round
from shinchoku.review.workbook import writer as template
from tests.browser import ARTIFACTS
from tests.factories import add_unit
from tests.interchange.report_drafts import make_draft
from tests.review.conftest import Cycle, make_cycle

# What is checked here does not depend on the database: once, in one pass (tests/conftest.py).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.one_database]

SHOTS = ARTIFACTS / "phone"
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}}

#: A measure name as long as the real plans' longer ones.
LONG_TITLE = "地域の課題を自ら解決する市民活動の支援と区役所・市民館等の活動拠点の計画的な整備"
RETURN_COMMENT = (
    "実施結果に、説明会の開催回数と参加者数を書いてください。"
    "評価の理由も、目標と比べて分かるように記述をお願いします。"
)

#: What the page is measured for, in the page: returns the problems it finds.
MEASURE = r"""
({phone}) => {
  const problems = [];
  const doc = document.documentElement;
  const width = doc.clientWidth;
  if (doc.scrollWidth > width) {
    problems.push(`the page scrolls sideways: ${doc.scrollWidth}px wide in ${width}px`);
  }
  const shown = (el) => {
    if (el.closest('.visually-hidden, [hidden], .skip-link')) return false;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return false;
    const style = getComputedStyle(el);
    return style.visibility !== 'hidden' && style.display !== 'none';
  };
  const em = (el) => parseFloat(getComputedStyle(el).fontSize);
  const name = (el) => (el.innerText || el.value || el.getAttribute('aria-label') || el.tagName)
    .trim().replace(/\s+/g, ' ').slice(0, 40);
  // The lines a node's content runs over: boxes that overlap vertically share a line.
  const lines = (node) => {
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter(r => r.width > 0).sort((a, b) => a.top - b.top);
    let count = 0, bottom = -Infinity;
    for (const r of rects) {
      if (r.top >= bottom - 1) { count += 1; bottom = r.bottom; } else bottom = Math.max(bottom, r.bottom);
    }
    return count;
  };

  // Table cells holding text are at least 4em wide.
  for (const cell of document.querySelectorAll('td, th')) {
    if (!shown(cell)) continue;
    const text = cell.innerText.trim();
    if (text.length < 4) continue;
    const w = cell.getBoundingClientRect().width;
    if (w < 4 * em(cell) - 0.5) problems.push(`a cell squeezed to ${w.toFixed(0)}px: ${name(cell)}`);
    if (cell.scrollWidth > cell.clientWidth + 1) {
      problems.push(`sticks out of its cell by ${cell.scrollWidth - cell.clientWidth}px: ${name(cell)}`);
    }
  }

  // No text runs at fewer than three characters a line, and no box narrower than 4em
  // wraps the text in it.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.replace(/\s+/g, '');
    if (text.length < 2 || !node.parentElement || !shown(node.parentElement)) continue;
    const count = lines(node);
    if (count < 2) continue;
    if (count >= 3 && text.length / count < 3) {
      problems.push(`text squeezed to ${count} lines: ${text.slice(0, 30)}`);
      continue;
    }
    let box = node.parentElement;
    while (box.parentElement && ['inline', 'contents'].includes(getComputedStyle(box).display)) box = box.parentElement;
    const style = getComputedStyle(box);
    const inner = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (inner < 4 * em(box)) problems.push(`a box ${inner.toFixed(0)}px wide wraps its text: ${text.slice(0, 30)}`);
  }

  // A table wider than its place scrolls in a region a keyboard can reach, with a name;
  // a table laid out as cards shows each value's heading beside it.
  for (const table of document.querySelectorAll('main table')) {
    if (!shown(table)) continue;
    const region = table.parentElement.closest('.table-scroll');
    if (region && region.scrollWidth > region.clientWidth) {
      const named = region.getAttribute('aria-label') || region.getAttribute('aria-labelledby');
      if (region.getAttribute('role') !== 'region' || region.tabIndex !== 0 || !named) {
        problems.push(`a table scrolls in a region without a name or focus: ${name(table)}`);
      }
    } else if (!region && table.getBoundingClientRect().right > width + 0.5) {
      problems.push(`a table runs off the page: ${name(table)}`);
    }
  }
  for (const cell of document.querySelectorAll('td[data-label]')) {
    if (!shown(cell) || getComputedStyle(cell).display !== 'block') continue;
    const label = getComputedStyle(cell, '::before').content;
    if (label !== JSON.stringify(cell.dataset.label)) problems.push(`a card value without its heading: ${name(cell)}`);
  }

  // Buttons and the staff navigation's links do not wrap.
  const controls = document.querySelectorAll(
    'button, .button, input[type=submit], .staff-bar a, .pagination a, .language-switch a'
  );
  for (const el of controls) {
    if (!shown(el)) continue;
    if (lines(el) > 1) problems.push(`wraps over ${lines(el)} lines: ${name(el)}`);
  }
  const signOut = document.querySelector('.staff-bar button[type=submit]');
  if (signOut && shown(signOut)) {
    const style = getComputedStyle(signOut);
    const inner = signOut.getBoundingClientRect().height
      - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom)
      - parseFloat(style.borderTopWidth) - parseFloat(style.borderBottomWidth);
    const line = parseFloat(style.lineHeight);
    if (inner > line * 1.5) problems.push(`the sign-out button is ${inner.toFixed(0)}px high, a line is ${line}px`);
  }

  // Targets: 24×24 CSS px, or spaced as WCAG 2.2's 2.5.8 allows; links in a sentence
  // are exempt. A radio button or checkbox inside its label is the label.
  const inSentence = (a) => {
    let block = a.parentElement;
    while (block && getComputedStyle(block).display.startsWith('inline')) block = block.parentElement;
    return block && block.innerText.trim().length > a.innerText.trim().length;
  };
  const targets = [];
  for (const el of document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary'
  )) {
    let target = el;
    if (el.matches('input[type=radio], input[type=checkbox]') && el.closest('label')) target = el.closest('label');
    if (!shown(target)) continue;
    const r = target.getBoundingClientRect();
    if (r.bottom + window.scrollY <= 0) continue;
    if (el.matches('a') && inSentence(el)) continue;
    targets.push({el: target, r});
  }
  const small = targets.filter(t => t.r.width < 23.5 || t.r.height < 23.5);
  for (const t of small) {
    const cx = t.r.left + t.r.width / 2, cy = t.r.top + t.r.height / 2;
    const clash = targets.some(o => {
      if (o === t) return false;
      if (small.includes(o)) {
        const ox = o.r.left + o.r.width / 2, oy = o.r.top + o.r.height / 2;
        return Math.hypot(cx - ox, cy - oy) < 24;
      }
      const dx = Math.max(o.r.left - cx, 0, cx - o.r.right);
      const dy = Math.max(o.r.top - cy, 0, cy - o.r.bottom);
      return Math.hypot(dx, dy) < 12;
    });
    if (clash) problems.push(`a target of ${t.r.width.toFixed(0)}×${t.r.height.toFixed(0)}px too close to another: ${name(t.el)}`);
  }

  // On a phone, form fields take the page's width.
  const main = document.querySelector('main .wrap');
  if (phone && main) {
    const room = main.clientWidth - parseFloat(getComputedStyle(main).paddingLeft)
      - parseFloat(getComputedStyle(main).paddingRight);
    for (const field of document.querySelectorAll(
      'main textarea, main select, main input:not([type=hidden]):not([type=radio]):not([type=checkbox])'
    )) {
      if (!shown(field) || field.closest('table')) continue;
      const box = field.closest('.search-box__row') || field;
      const w = box.getBoundingClientRect().width;
      if (w < 0.9 * room) problems.push(`a form field ${w.toFixed(0)}px wide of ${room.toFixed(0)}px: ${field.name || field.id}`);
    }
  }
  return problems;
}
"""


@dataclass
class World:
    cycle: Cycle
    targets_entry: Entry
    workbook: bytes
    report_draft: ReportDraft


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def filled_workbook(cycle: Cycle) -> bytes:
    """The section's workbook with a new result on its first row and, on its last, the
    locked measure name changed: the preview shows a change and a problem."""
    response = signed_in(cycle.editor).get(reverse("staff:workbook", args=[cycle.round.pk, cycle.unit.code]))
    book = load_workbook(io.BytesIO(response.content))
    sheet = book[template.ENTRY_SHEET]
    headings = {cell.value: cell.column for cell in sheet[1] if cell.column is not None}
    sheet.cell(
        row=2,
        column=headings["実施結果"],
        value="・協働型事業を12件実施しました。\n・説明会を2回開催し、延べ85人が参加しました。",
    )
    sheet.cell(row=sheet.max_row, column=headings["施策名"], value="書き換えた施策名")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def make_world() -> World:
    """The results round of ``make_cycle`` with entries in every state a page shows, a
    history of several versions, and a targets round for the next year."""
    cycle = make_cycle()
    sample = cycle.sample
    sample.other_measure.title = LONG_TITLE
    sample.other_measure.save(update_fields=["title"])
    add_unit(sample.measure3, cycle.unit)

    # 9-1-1: written twice, submitted, returned with a comment: on the editor's to-do list.
    entry = cycle.written(text="・説明会を開催しました。")
    entry = services.entry_save(
        entry,
        {
            "text": "・協働型事業の説明会を5月と1月に開催しました。\n・ルールを改訂しました。",
            "context_change": "・相談件数が増えています。",
        },
        actor=cycle.editor,
        expected_version=entry.version,
    )
    entry = services.entry_transition(entry, "submit", actor=cycle.editor, expected_version=entry.version)
    services.entry_transition(
        entry, "return", actor=cycle.reviewer, expected_version=entry.version, comment=RETURN_COMMENT
    )
    # 9-3-1: handed in, waiting for review; 9-1-2 (the long name): handed in by its section.
    third = Entry.objects.get(round=cycle.round, node=sample.measure3)
    third = services.entry_save(
        third,
        {"text": "・区民会議を3回開催しました。", "ratings": cycle.rating("3")},
        actor=cycle.editor,
        expected_version=third.version,
    )
    services.entry_transition(third, "submit", actor=cycle.editor, expected_version=third.version)
    other = Entry.objects.get(pk=cycle.other_entry.pk)
    other = services.entry_save(
        other,
        {"text": "・市民活動基礎講座を4回実施しました。", "ratings": cycle.rating("2")},
        actor=cycle.other_editor,
        expected_version=other.version,
    )
    services.entry_transition(other, "submit", actor=cycle.other_editor, expected_version=other.version)

    targets_round = services.round_open(
        sample.plan,
        2014,
        Round.Kind.TARGETS,
        timezone.localdate() + timedelta(days=21),
        actor=cycle.admin,
    )
    targets_entry = Entry.objects.get(round=targets_round, node=sample.measure)
    return World(
        cycle=cycle,
        targets_entry=targets_entry,
        workbook=filled_workbook(cycle),
        report_draft=store_draft(make_draft(3), cycle.admin),
    )


def pages(world: World) -> list[tuple[str, User | None, str]]:
    """(screenshot name, who opens it, path): every page the checks visit."""
    cycle, plan = world.cycle, world.cycle.sample.plan.code
    entry = reverse("staff:entry", args=[cycle.entry.pk])
    return [
        ("staff-login", None, reverse("accounts:login")),
        ("staff-home-editor", cycle.editor, reverse("staff:home")),
        ("staff-home-reviewer", cycle.reviewer, reverse("staff:home")),
        ("staff-home-administrator", cycle.admin, reverse("staff:home")),
        ("staff-entry-results", cycle.editor, entry),
        ("staff-entry-review", cycle.reviewer, reverse("staff:entry", args=[cycle.other_entry.pk])),
        ("staff-entry-targets", cycle.editor, reverse("staff:entry", args=[world.targets_entry.pk])),
        ("staff-history", cycle.admin, reverse("staff:history", args=[cycle.entry.pk])),
        ("staff-queue", cycle.reviewer, reverse("staff:queue")),
        ("staff-rounds", cycle.admin, reverse("staff:rounds")),
        ("staff-round", cycle.admin, reverse("staff:round", args=[cycle.round.pk])),
        ("staff-round-open", cycle.admin, reverse("staff:round_open")),
        ("staff-import", cycle.editor, reverse("interchange:import")),
        ("staff-report-drafts", cycle.admin, reverse("interchange:report_drafts")),
        (
            "staff-report-draft",
            cycle.admin,
            reverse("interchange:report_draft", args=[world.report_draft.pk]),
        ),
        (
            "staff-report-draft-accept",
            cycle.admin,
            reverse("interchange:report_draft_accept", args=[world.report_draft.pk]),
        ),
        ("public-home", None, reverse("portal:home")),
        ("public-plan", None, reverse("portal:plan", args=[plan])),
        ("public-area", None, reverse("portal:node", args=[plan, "9"])),
        ("public-programme", None, reverse("portal:node", args=[plan, "9-1"])),
        ("public-measure", None, reverse("portal:node", args=[plan, "9-1-1"])),
        ("public-years", None, reverse("portal:node_years", args=[plan, "9-1-1"])),
        ("public-compare", None, reverse("portal:node_compare", args=[plan, "9-1-1"]) + "?from=2011&to=2012"),
        ("public-changes", None, reverse("portal:node_changes", args=[plan, "9", 2012])),
        ("public-unit", None, reverse("portal:unit", args=[plan, "shimin"])),
        ("public-search", None, reverse("portal:search") + "?q=協働"),
    ]


def context_for(browser: Browser, device: dict[str, Any], base: str, user: User | None) -> BrowserContext:
    context = browser.new_context(locale="ja-JP", **device)
    if user is not None:
        session = signed_in(user).cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}])
    return context


@pytest.mark.parametrize(("device", "label"), [(PHONE, "390"), (DESKTOP, "1280")], ids=["phone", "desktop"])
def test_every_page_holds_at_the_width(
    browser: Browser, live_server: Any, device: dict[str, Any], label: str
) -> None:
    world = make_world()
    base = live_server.url
    phone = device is PHONE
    problems: dict[str, list[str]] = {}

    def check(page: Page, name: str) -> None:
        page.wait_for_load_state("load")
        found = page.evaluate(MEASURE, {"phone": phone})
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / f"{label}-{name}.png", full_page=True)
        if found:
            problems[name] = found

    for name, user, path in pages(world):
        context = context_for(browser, device, base, user)
        page = context.new_page()
        response = page.goto(base + path)
        assert response is not None and response.status == 200, (name, response and response.status)
        check(page, name)
        context.close()

    # The preview of an uploaded workbook: a row with its changes, a row with a problem.
    context = context_for(browser, device, base, world.cycle.editor)
    page = context.new_page()
    page.goto(base + reverse("interchange:import"))
    page.set_input_files(
        "main input[type=file]",
        {
            "name": "記入票.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": world.workbook,
        },
    )
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/import/*/")
    check(page, "staff-import-preview")
    rows = page.locator(".import-rows > tbody > tr").count()
    context.close()
    assert rows == 2, f"the preview lists {rows} rows of the file"

    assert not problems, "\n".join(f"{name}:\n  " + "\n  ".join(found) for name, found in problems.items())
