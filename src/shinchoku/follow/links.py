"""What the mails are made of: the addresses they link to, on the site as people reach it
(``SITE_URL``), never on the host a request or a worker happens to run on; and their
subject on one line."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode


def site_link(path: str, **query: str) -> str:
    """The address of ``path`` on the site, with ``query``."""
    return f"{settings.SITE_URL}{path}{'?' + urlencode(query) if query else ''}"


def confirm_link(token: str) -> str:
    return site_link(reverse("follow:confirm"), token=token)


def unsubscribe_link(key: str) -> str:
    return site_link(reverse("follow:unsubscribe"), key=key)


def one_line(text: str) -> str:
    """``text`` on one line, as a mail's subject must be (a title may hold a line break)."""
    return " ".join(text.split())
