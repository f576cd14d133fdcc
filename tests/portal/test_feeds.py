"""The Atom feeds of a plan, a plan area and a measure list what the review's own services
publish — a result of a fiscal year, the same result corrected after a reopening, revised
targets — and never a draft; each is valid Atom, in Japanese, linked from its page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shinchoku.follow.models import PublicationEntry
from shinchoku.follow.selectors import FEED_LENGTH
from shinchoku.follow.services import publication_record
from shinchoku.review import services
from shinchoku.review.models import Entry, Round
from tests.follow.rounds import approved, published
from tests.review.conftest import Cycle, make_cycle

from .html import parse

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SENTINEL = "SENTINEL-feed-draft-4b1e"
Kind = PublicationEntry.Kind


def feed(client: Client, address: str) -> ET.Element:
    """The feed at ``address``, parsed, after checking what RFC 4287 requires of it: an
    id, a title, an updated time and an author (on the feed, so none needed per entry),
    its own address (rel=self) and its page's; per entry an id, a title, an updated time
    and a link."""
    response = client.get(address)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author/{ATOM}name".replace("{ATOM}", ATOM)):
        assert (root.findtext(f"{ATOM}{name}") or "").strip(), name
    rels = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert rels["self"] == f"http://testserver{address}"
    assert re.match(r"http://testserver(/en)?/plans/", rels["alternate"])
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated", "published"):
            assert (entry.findtext(f"{ATOM}{name}") or "").strip(), name
        assert re.match(r"http://testserver(/en)?/plans/", entry.find(f"{ATOM}link").get("href"))
    return root


def titles(root: ET.Element) -> list[str]:
    return [entry.findtext(f"{ATOM}title") or "" for entry in root.findall(f"{ATOM}entry")]


def feeds(client: Client, cycle: Cycle, prefix: str = "") -> dict[str, ET.Element]:
    plan = cycle.sample.plan.code
    return {
        "measure": feed(client, f"{prefix}/plans/{plan}/nodes/9-1-1/feed.atom"),
        "area": feed(client, f"{prefix}/plans/{plan}/nodes/9/feed.atom"),
        "plan": feed(client, f"{prefix}/plans/{plan}/feed.atom"),
    }


def text_of(root: ET.Element) -> str:
    return ET.tostring(root, encoding="unicode")


def test_results_corrections_and_revised_targets_reach_the_feeds_drafts_never(client: Client) -> None:
    cycle = make_cycle(year=2013)
    before = feeds(client, cycle, "/en")
    assert all(titles(root) == [] for root in before.values())

    # A result of FY2013 for 9-1-1, published by the round.
    published(cycle, cycle.fresh())
    after = feeds(client, cycle, "/en")
    assert titles(after["measure"]) == ["Result of FY2013 published"]
    assert titles(after["area"]) == ["Results of FY2013 published for 1 measure"]
    assert titles(after["plan"]) == ["Results of FY2013 published for 1 measure"]
    link = after["measure"].find(f"{ATOM}entry/{ATOM}link").get("href")
    assert link == "http://testserver/en/plans/plan9/nodes/9-1-1/#result-2013"

    # Reopened for a correction: while the draft is written, nothing new and no draft text.
    entry = services.entry_transition(
        cycle.fresh(), "reopen", actor=cycle.admin, expected_version=cycle.fresh().version, comment="訂正"
    )
    entry = services.entry_save(
        entry, {"text": f"・{SENTINEL}"}, actor=cycle.editor, expected_version=entry.version
    )
    reopened = feeds(client, cycle, "/en")
    assert titles(reopened["measure"]) == ["Result of FY2013 published"]
    assert not any(SENTINEL in text_of(root) for root in reopened.values())

    # Published again: a correction, newest first; the other measure published with it is new.
    entry = services.entry_transition(entry, "submit", actor=cycle.editor, expected_version=entry.version)
    services.entry_transition(entry, "approve", actor=cycle.reviewer, expected_version=entry.version)
    approved(cycle, cycle.fresh(cycle.other_entry))
    services.round_publish(cycle.round, actor=cycle.admin)
    corrected = feeds(client, cycle, "/en")
    assert titles(corrected["measure"]) == ["Result of FY2013 corrected", "Result of FY2013 published"]
    assert titles(corrected["area"]) == [
        "Results of FY2013 published for 1 measure",
        "Results of FY2013 corrected for 1 measure",
        "Results of FY2013 published for 1 measure",
    ]
    ids = [entry.findtext(f"{ATOM}id") for entry in corrected["area"].findall(f"{ATOM}entry")]
    assert len(set(ids)) == 3 and all(i.startswith("tag:testserver,") for i in ids)

    # A targets round revises the measure's targets.
    targets_round = services.round_open(
        cycle.sample.plan,
        2013,
        Round.Kind.TARGETS,
        timezone.localdate() + timedelta(days=5),
        actor=cycle.admin,
    )
    entry = Entry.objects.get(round=targets_round, node=cycle.sample.measure)
    target = cycle.sample.measure.targets.get(start_year=2012, end_year=2013)
    revision = {"revised_text": "●制度の見直し", "revision_reason": "国の制度改正のため"}
    entry = services.entry_save(
        entry, {"targets": {target.pk: revision}}, actor=cycle.editor, expected_version=entry.version
    )
    entry = services.entry_transition(entry, "submit", actor=cycle.editor, expected_version=entry.version)
    services.entry_transition(entry, "approve", actor=cycle.reviewer, expected_version=entry.version)
    services.round_publish(targets_round, actor=cycle.admin)
    revised = feeds(client, cycle, "/en")
    assert titles(revised["measure"])[0] == "Revised targets published (FY2013)"
    assert titles(revised["plan"])[0] == "Revised targets of 1 measure published (FY2013)"
    targets_link = revised["measure"].find(f"{ATOM}entry/{ATOM}link").get("href")
    assert targets_link.endswith("/plans/plan9/nodes/9-1-1/#targets-heading")

    # In the site's language, Japanese, by default.
    japanese = feeds(client, cycle)
    assert all(root.get(XML_LANG) == "ja" for root in japanese.values())
    assert titles(japanese["measure"])[1] == "2013年度（平成25年度）の実績を訂正しました"
    assert not any(SENTINEL in text_of(root) for root in japanese.values())


def test_each_page_links_its_feed_in_its_head_and_in_sight(client: Client) -> None:
    cycle = make_cycle(year=2013)
    plan = cycle.sample.plan.code
    pages = {
        reverse("portal:plan", args=[plan]): reverse("follow:plan_feed", args=[plan]),
        reverse("portal:node", args=[plan, "9"]): reverse("follow:node_feed", args=[plan, "9"]),
        reverse("portal:node", args=[plan, "9-1"]): reverse("follow:node_feed", args=[plan, "9-1"]),
        reverse("portal:node", args=[plan, "9-1-1"]): reverse("follow:node_feed", args=[plan, "9-1-1"]),
    }
    for page, feed_url in pages.items():
        doc = parse(client.get(page).content)
        alternate = doc.find("link", rel="alternate", type="application/atom+xml")
        assert alternate.attrs["href"] == feed_url
        visible = doc.find("section", class_="follow").find("a", type="application/atom+xml")
        assert visible.attrs["href"] == feed_url
        assert client.get(feed_url).status_code == 200


def test_unknown_plans_and_nodes_have_no_feed(client: Client) -> None:
    make_cycle(year=2013)
    assert client.get("/plans/nothing/feed.atom").status_code == 404
    assert client.get("/plans/plan9/nodes/nothing/feed.atom").status_code == 404


def test_a_feed_holds_the_latest_50_in_the_same_queries_however_many_there_are(
    client: Client,
) -> None:
    cycle = make_cycle(year=2013)
    measure = cycle.sample.measure
    address = reverse("follow:node_feed", args=[cycle.sample.plan.code, measure.code])
    publication_record(cycle.round, {measure: Kind.RESULT})
    with CaptureQueriesContext(connection) as one:
        assert len(titles(feed(client, address))) == 1
    for _n in range(60):
        publication_record(cycle.round, {measure: Kind.CORRECTION})
    with CaptureQueriesContext(connection) as many:
        assert len(titles(feed(client, address))) == FEED_LENGTH
    # The data version (the ETag's), the node with its plan, the entries with their publications.
    assert len(one.captured_queries) == len(many.captured_queries) == 3


def test_a_feed_is_kept_by_data_version_and_answered_304(client: Client, settings) -> None:
    settings.PUBLIC_PAGE_CACHE = True
    cycle = make_cycle(year=2013)
    address = reverse("follow:plan_feed", args=[cycle.sample.plan.code])
    first = client.get(address)
    etag = first["ETag"]
    assert client.get(address, headers={"If-None-Match": etag}).status_code == 304
    with CaptureQueriesContext(connection) as kept:
        again = client.get(address)
    assert again.content == first.content
    # The version and the kept feed (the cache is a table here): nothing of the feed read again.
    assert [q["sql"] for q in kept.captured_queries if "follow_" in q["sql"]] == []

    published(cycle, cycle.fresh())
    changed = client.get(address, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert titles(ET.fromstring(changed.content)) == ["2013年度（平成25年度）の実績を公表しました（1件）"]
