"""A feed's view-model (``shinchoku.follow.selectors``) written as an Atom feed (RFC 4287),
with Django's feed generator.

The feed's id is its own address; an entry's is a tag URI (RFC 4151) of the site's host
name, the day of the publication and the entry's key, so that it stays the same for as
long as the site keeps its name. The feed's ``updated`` is its newest entry's time, or,
when it has none, the last change of the plan's published data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from shinchoku.follow.selectors import FeedView


class _Feed(Atom1Feed):
    def latest_post_date(self) -> datetime:
        if self.items:
            return super().latest_post_date()
        changed: Any = self.feed.get("changed_at")
        return changed if changed is not None else timezone.now()


def _host(request: HttpRequest) -> str:
    """The site's host name: ``SITE_URL``'s, else the one the request reached."""
    return urlsplit(settings.SITE_URL).hostname or request.get_host().rsplit(":", 1)[0]


def atom_response(request: HttpRequest, view: FeedView) -> HttpResponse:
    """The feed as an answer, ``application/atom+xml``."""
    feed_url = request.build_absolute_uri(view.feed_url)
    feed = _Feed(
        title=view.title,
        link=request.build_absolute_uri(view.page_url),
        description=view.subtitle,
        subtitle=view.subtitle,
        language=get_language() or settings.LANGUAGE_CODE,
        feed_url=feed_url,
        feed_guid=feed_url,
        author_name=_("Plan progress"),
        changed_at=view.changed_at,
    )
    host = _host(request)
    for item in view.items:
        day = timezone.localdate(item.published_at).isoformat()
        feed.add_item(
            title=item.title,
            link=request.build_absolute_uri(item.url),
            # The summary is HTML in Atom (type="html"): the text escaped.
            description=escape(item.summary),
            unique_id=f"tag:{host},{day}:{item.key}",
            pubdate=item.published_at,
            updateddate=item.published_at,
        )
    response = HttpResponse(content_type=feed.content_type)
    feed.write(response, "utf-8")
    return response
