"""The plan's vocabulary in the reader's language: the English pages show the English names
a plan gives its levels, dimensions, scale levels and markers, and the plan's own
(Japanese) name, marked as Japanese, where it gives none; the Japanese pages show the
plan's own names. Walked over the demonstration data (data/seeds/kawasaki-plan9.yaml) and
its evaluation round (``shinchoku demo``), public and staff pages alike."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from shinchoku.demo.services import demo_ensure
from shinchoku.plans.models import Level, Marker, Plan
from shinchoku.plans.names import localized, own_names
from shinchoku.review import services
from shinchoku.review.models import Entry, Round

from .html import Element, parse
from .test_languages import JAPANESE, texts

pytestmark = pytest.mark.django_db

PLAN = "kawasaki-frontier-3"
#: The plan's own names that the demonstration data names in English too.
NAMED_IN_ENGLISH = ("達成状況区分", "施策計画", "目標をほぼ達成", "アクションプログラム")


@pytest.fixture
def round_() -> Round:
    """The demonstration plan and its FY2013 round, one entry submitted for review."""
    call_command("loaddemo", verbosity=0)
    setup = demo_ensure(password="kakunin-no-tame-no-pasuwado-2013")
    entry = Entry.objects.get(round=setup.round, node__code="9-1-1")
    editor = get_user_model().objects.get(username="editor")
    dimension = Plan.objects.get(code=PLAN).dimensions.get()
    level = dimension.scale.levels.get(code="3")
    entry = services.entry_save(
        entry,
        {"text": "・説明会を開催しました。", "ratings": {dimension.pk: level.pk}},
        actor=editor,
        expected_version=entry.version,
    )
    services.entry_transition(entry, "submit", actor=editor, expected_version=entry.version)
    return setup.round


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def page(client: Client, name: str, *args: object, lang: str, query: str = "") -> Element:
    # Within the override: the language the page activates ends with it.
    with translation.override(lang):
        address = reverse(name, args=args)
        response = client.get(address + query)
    assert response.status_code == 200, address
    return parse(response.content)


def pages(round_: Round, lang: str) -> dict[str, Element]:
    """Every page a reader or a member of staff goes through, in ``lang``."""
    submitted = Entry.objects.get(round=round_, node__code="9-1-1")
    draft = Entry.objects.get(round=round_, node__code="9-1-2")
    reader = Client()
    return {
        "home": page(reader, "portal:home", lang=lang),
        "plan": page(reader, "portal:plan", PLAN, lang=lang),
        "plan area": page(reader, "portal:node", PLAN, "9", lang=lang),
        "programme": page(reader, "portal:node", PLAN, "9-1", lang=lang),
        "measure": page(reader, "portal:node", PLAN, "9-1-1", lang=lang),
        "search": page(reader, "portal:search", lang=lang, query="?q=協働&year=2012&kind=results"),
        "staff home (editor)": page(signed_in("editor"), "staff:home", lang=lang),
        "entry (editor)": page(signed_in("editor"), "staff:entry", draft.pk, lang=lang),
        "entry (reviewer)": page(signed_in("reviewer"), "staff:entry", submitted.pk, lang=lang),
        "review queue": page(signed_in("reviewer"), "staff:queue", lang=lang),
        "round": page(signed_in("admin"), "staff:round", round_.pk, lang=lang),
    }


def body_texts(document: Element) -> list[tuple[str, str]]:
    return list(texts(document.find("body"), document.find("html").attrs["lang"]))


def test_the_english_name_is_shown_on_english_pages_and_the_plans_own_elsewhere() -> None:
    with translation.override("en"):
        assert localized("施策計画", "Measure") == "Measure"
        assert localized("事務事業", "") == "事務事業"
        with own_names():
            assert localized("施策計画", "Measure") == "施策計画"
    with translation.override("ja"):
        assert localized("施策計画", "Measure") == "施策計画"


def test_the_demonstration_plan_names_its_vocabulary_in_english(round_: Round) -> None:
    plan = Plan.objects.get(code=PLAN)
    assert [(level.name, level.name_en) for level in plan.levels.all()] == [
        ("プラン", "Plan"),
        ("アクションプログラム", "Action programme"),
        ("施策計画", "Measure"),
        ("事務事業", "Project"),
    ]
    dimension = plan.dimensions.get()
    assert (dimension.name_en, dimension.scale.name_en) == ("Achievement status", "Achievement status")
    assert [level.label_en for level in dimension.scale.levels.all()] == [
        "Far exceeded the target",
        "Exceeded the target",
        "Mostly achieved the target",
        "Fell short of the target",
        "Fell far short of the target",
    ]
    # The source does not say what ○ means: the marker keeps its symbol as its name.
    assert [(m.symbol, m.name, m.name_en) for m in Marker.objects.filter(plan=plan)] == [("○", "○", "")]


def test_english_pages_name_the_plans_vocabulary_in_english_and_mark_the_rest_japanese(
    round_: Round,
) -> None:
    for name, document in pages(round_, "en").items():
        assert document.find("html").attrs["lang"] == "en", name
        found = body_texts(document)
        shown = " ".join(text for text, _lang in found)
        for japanese in NAMED_IN_ENGLISH:
            assert japanese not in shown, f"{name}: {japanese}"
        unmarked = [text for text, lang in found if lang != "ja" and JAPANESE.search(text)]
        assert unmarked == [], f"{name}: Japanese text outside lang=ja: {unmarked}"


def test_the_english_names_stand_where_the_japanese_ones_did(round_: Round) -> None:
    english = pages(round_, "en")
    area = english["plan area"]
    assert area.find("caption").text == "Measure by Achievement status and fiscal year"
    highlight = area.find("p", class_="highlight__meta").text
    assert "Achievement status: 3 Mostly achieved the target" in highlight
    assert english["plan area"].find("p", class_="eyebrow").text == "Plan"
    assert "Action programme" in english["programme"].find("p", class_="eyebrow").text
    measure = english["measure"]
    assert measure.find("span", class_="sheet__level").text == "Measure"
    assert "Action programme: 1 協働のまちづくりの推進" in measure.find("p", class_="eyebrow").text
    assert (
        english["entry (editor)"]
        .find("fieldset", class_="rating")
        .find("legend")
        .text.startswith("Achievement status")
    )
    assert "3 Mostly achieved the target" in english["entry (reviewer)"].find("aside").text


def test_japanese_pages_keep_the_plans_own_names(round_: Round) -> None:
    japanese = pages(round_, "ja")
    area = japanese["plan area"]
    assert area.find("caption").text.startswith("施策計画")
    assert "達成状況区分: 3 目標をほぼ達成" in area.find("p", class_="highlight__meta").text
    assert japanese["measure"].find("span", class_="sheet__level").text == "施策計画"
    assert (
        japanese["entry (editor)"]
        .find("fieldset", class_="rating")
        .find("legend")
        .text.startswith("達成状況区分")
    )
    assert "3 目標をほぼ達成" in japanese["entry (reviewer)"].find("aside").text
    for name, document in japanese.items():
        shown = " ".join(text for text, _lang in body_texts(document))
        for english in ("Achievement status", "Mostly achieved the target", "Action programme"):
            assert english not in shown, f"{name}: {english}"


def test_a_name_without_an_english_one_stays_japanese_and_says_so(round_: Round) -> None:
    Level.objects.filter(plan__code=PLAN, key="measure").update(name_en="")
    measure = pages(round_, "en")["measure"]
    level = measure.find("span", class_="sheet__level")
    assert level.text == "施策計画"
    assert any(span.attrs.get("lang") == "ja" for span in [level, *level.iter()])
