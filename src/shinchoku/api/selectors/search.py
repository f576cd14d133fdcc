"""The search of published data (docs/search.md), as the public search page runs it
(``plans.selectors.search_page``): the same words, filters, order, pages of twenty nodes
and the same limit, beyond which it says "more" rather than count."""

from __future__ import annotations

from django.utils import translation

from shinchoku.api.schemas.summaries import SearchHitItem, SearchItem, SearchResults
from shinchoku.errors import ErrorCode, Refusal
from shinchoku.plans.selectors import Excerpt, SearchPage, search_page

from .common import NotFound, node_id, node_path


class SearchRefused(Refusal):
    """The search cannot be run as asked (a query too long, a plan or year not offered)."""

    code = ErrorCode.INVALID


def search(
    q: str, *, plan: str = "", year: int | None = None, kind: str = "all", page: int = 1
) -> SearchResults:
    """The nodes that hold every word of ``q``, one page of them. Raises SearchRefused for
    what the search page refuses (saying why in Japanese and English) and NotFound for a
    page past the last. The queries of the search page: at most eight for one word on
    PostgreSQL, a query or two more a word."""

    def run() -> SearchPage:
        return search_page(q=q, plan=plan, year="" if year is None else str(year), kind=kind, page=page)

    found = run()
    if found.errors:
        with translation.override("en"):
            english = run().errors
        raise SearchRefused(f"{' '.join(found.errors)} / {' '.join(english)}")
    if page > found.page.num_pages:
        raise NotFound(
            f"{page} ページはありません（全 {found.page.num_pages} ページ）"
            f" / There is no page {page}; there are {found.page.num_pages}."
        )
    return SearchResults(
        query=found.query,
        terms=list(found.terms),
        count=found.count,
        more=found.more,
        page=found.page.number,
        num_pages=found.page.num_pages,
        items=[
            SearchItem(
                node_id=node_id(group.plan_code, group.node.code),
                plan=group.plan_code,
                code=group.node.code,
                label=group.node.label,
                title=group.node.title,
                name_matched=group.name_matched,
                hits=[
                    SearchHitItem(
                        kind=hit.kind,
                        field=hit.field,
                        fiscal_year=hit.fiscal_year,
                        period=hit.year_label,
                        excerpt=_text(hit.excerpt),
                        matches=[fragment.text for fragment in hit.excerpt.fragments if fragment.mark],
                    )
                    for hit in group.hits
                ],
                more_hits=group.more,
                url=node_path(group.plan_code, group.node.code),
            )
            for group in found.groups
        ],
    )


def _text(excerpt: Excerpt) -> str:
    """The excerpt as text, "…" where it was cut."""
    text = "".join(fragment.text for fragment in excerpt.fragments)
    return f"{'…' if excerpt.cut_before else ''}{text}{'…' if excerpt.cut_after else ''}"
