"""What a new web process would otherwise do on its first requests, done once in the main
process of gunicorn before it forks the workers (``GUNICORN_PRELOAD``), so that a worker
that replaces another answers its first requests as fast as its hundredth: the release's
digest that keys the kept pages, the URL patterns, each language's translation catalogues
and every template compiled. The workers inherit all of it when they are forked."""

from __future__ import annotations

import functools
from pathlib import Path

from django.conf import settings
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.urls import get_resolver
from django.utils import translation


@functools.cache
def warm() -> int:
    """Warm this process once; the number of templates compiled."""
    from shinchoku.published.pagecache import release_salt

    release_salt()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Search")
            get_resolver().reverse_dict  # noqa: B018 (reading it builds and keeps the language's)
    return _compile_templates()


def _compile_templates() -> int:
    compiled = 0
    for engine in engines.all():
        for folder in getattr(engine, "template_dirs", ()):
            for path in sorted(Path(folder).rglob("*.html")):
                name = path.relative_to(folder).as_posix()
                try:
                    engine.get_template(name)
                except (TemplateDoesNotExist, TemplateSyntaxError):
                    continue  # a fragment another template supplies; found at its render
                compiled += 1
    return compiled
