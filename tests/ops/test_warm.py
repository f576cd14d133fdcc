"""The main process of the web server does once what each new worker would do on its first
requests (``shinchoku.ops.warm``): every template compiled and kept by the cached loader,
each language's catalogue loaded, the URL patterns built."""

from __future__ import annotations

import gc

from django.template import engines
from django.urls import get_resolver
from django.utils.translation import trans_real

from shinchoku.ops import gunicorn_conf
from shinchoku.ops.warm import warm


def test_warming_compiles_every_public_template_and_loads_each_language() -> None:
    compiled = warm()

    [loader] = engines["django"].engine.template_loaders
    kept = {key.split("-")[0] for key in loader.get_template_cache}
    for name in (
        "base.html",
        "portal/measure.html",
        "portal/search.html",
        "404.html",
        "admin/base_site.html",
    ):
        assert name in kept, name
    assert compiled > 100
    assert {"ja", "en"} <= set(trans_real._translations)
    assert get_resolver()._populated
    assert {"ja", "en"} <= set(get_resolver()._reverse_dict)


def test_the_production_server_preloads_warms_and_freezes_before_it_forks() -> None:
    assert gunicorn_conf.preload_app is True
    gc.unfreeze()
    try:
        gunicorn_conf.pre_fork(None, None)
        assert gc.get_freeze_count() > 0
        assert warm.cache_info().hits >= 1 or warm.cache_info().currsize == 1
    finally:
        gc.unfreeze()
