"""Where the HTML report leads back to on the site: a trail to the site's home, the plan's
page and, for a plan area's report, the area's page, in the language the reader browses
the site in (the report itself is always in its own language).

The addresses are absolute under ``SITE_URL`` when it is set, so that a copy saved from
the browser or written by ``shinchoku report`` still leads to the site; without it they
are the site's own paths."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from shinchoku.reports.selectors import ReportDocument


@dataclass(frozen=True)
class SiteLink:
    label: str
    url: str
    #: The language of ``label`` where it differs from the trail's (a name the data gives).
    lang: str


@dataclass(frozen=True)
class SiteLinks:
    #: The language of the trail's words and of the pages it leads to.
    language: str
    #: The navigation's accessible name.
    label: str
    links: tuple[SiteLink, ...]
    #: The report itself, the trail's last step (not a link).
    current: SiteLink

    def key(self) -> str:
        """Everything the trail prints, to keep reports with different trails apart."""
        parts = [
            self.language,
            self.label,
            *(f"{link.label}\0{link.url}\0{link.lang}" for link in self.links),
        ]
        return "\0".join([*parts, self.current.label, self.current.lang])


def address(path: str) -> str:
    """A path of the site as a link: absolute under ``SITE_URL`` when it is set."""
    return f"{settings.SITE_URL}{path}" if settings.SITE_URL else path


def site_links(
    document: ReportDocument, *, area_code: str | None = None, language: str | None = None
) -> SiteLinks:
    """The trail from the site's home to ``document``, in ``language`` (the active one by
    default): its words are translated and its addresses reversed in that language."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    data_lang = "" if language == document.language else document.language
    plan = document.plan
    with translation.override(language):
        links = [
            SiteLink(gettext("Home"), address(reverse("portal:home")), ""),
            SiteLink(plan.title, address(reverse("portal:plan", args=[plan.code])), data_lang),
        ]
        if area_code is not None:
            links += [
                SiteLink(
                    area.node.name,
                    address(reverse("portal:node", args=[plan.code, area.node.code])),
                    data_lang,
                )
                for area in document.areas
            ]
        label = gettext("Breadcrumb")
    return SiteLinks(language, label, tuple(links), SiteLink(document.subtitle, "", data_lang))
