"""A browser, as far as the soak test needs one: cookies (the session and the CSRF
token), forms read from the page and posted back with every field they carry, and
redirects not followed, so that each request is timed on its own. Standard library
only (urllib.request and http.cookiejar).

Every request is recorded as a ``Sample``: its kind, status, seconds, and the URL."""

from __future__ import annotations

import http.cookiejar
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser


@dataclass(frozen=True)
class Sample:
    kind: str
    status: int
    seconds: float
    url: str
    started: float


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class Recorder:
    """The samples of every client, gathered under a lock."""

    def __init__(self) -> None:
        self.samples: list[Sample] = []
        self._lock = threading.Lock()

    def add(self, sample: Sample) -> None:
        with self._lock:
            self.samples.append(sample)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Browser:
    """One person's browser: its own cookies, and the address a reverse proxy would
    give it (X-Forwarded-For, read when the server trusts one proxy)."""

    def __init__(self, base: str, recorder: Recorder, *, address: str, timeout: float = 120) -> None:
        self.base = base.rstrip("/")
        self.recorder = recorder
        self.address = address
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def request(self, kind: str, path: str, data: dict[str, str] | None = None) -> Response:
        url = path if path.startswith("http") else self.base + path
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(  # noqa: S310 - the soak's own http:// base
            url, data=body, headers={"X-Forwarded-For": self.address}
        )
        if body is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
            request.add_header("Referer", url)
            request.add_header("Origin", self.base)
        started = time.time()
        clock = time.perf_counter()
        try:
            with self._opener.open(request, timeout=self.timeout) as answer:
                response = Response(
                    answer.status, answer.read(), {k.lower(): v for k, v in answer.headers.items()}
                )
        except urllib.error.HTTPError as error:
            response = Response(error.code, error.read(), {k.lower(): v for k, v in error.headers.items()})
        except (OSError, urllib.error.URLError) as error:
            # No answer at all (a worker killed, a connection reset): recorded as status 0.
            response = Response(0, str(error).encode(), {})
        self.recorder.add(Sample(kind, response.status, time.perf_counter() - clock, url, started))
        return response

    def get(self, kind: str, path: str) -> Response:
        return self.request(kind, path)

    def post(self, kind: str, path: str, data: dict[str, str]) -> Response:
        return self.request(kind, path, data)

    def sign_in(self, username: str, password: str) -> bool:
        """Sign in through the login form, as a person does; True when signed in."""
        page = self.get("login", "/staff/login/")
        form = form_fields(page.text, having="csrfmiddlewaretoken", action_contains="/login/")
        form.update(username=username, password=password)
        answer = self.post("login", "/staff/login/", form)
        return answer.status == 302


class _Forms(HTMLParser):
    """The forms of a page: their action and the fields a browser would send (text,
    hidden, checked boxes, selected options, text areas); buttons are left to the caller."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._first_option: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((a.get("action", ""), {}))
        if not self.forms or "disabled" in a:
            return
        fields = self.forms[-1][1]
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            fields[name] = a.get("value", "on" if kind == "checkbox" else "")
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""
        elif tag == "select" and name:
            self._select = name
            self._first_option = None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
                fields.setdefault(self._select, value)
            if "selected" in a:
                fields[self._select] = value

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1][1][self._textarea] += data


def form_fields(page: str, *, action_contains: str = "", having: str = "") -> dict[str, str]:
    """The fields of the page's first form whose action contains ``action_contains``
    and which has a field named ``having``; an empty dict when there is none."""
    parser = _Forms()
    parser.feed(page)
    for action, fields in parser.forms:
        if action_contains in action and (not having or having in fields):
            # A text area's content starts after the newline the template puts after its tag.
            return {k: v[1:] if v.startswith("\n") else v for k, v in fields.items()}
    return {}
