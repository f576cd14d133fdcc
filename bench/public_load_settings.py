"""The site's own settings with one page more, for ``bench/public_load.py``: the minimal
page (``public_load_urls``), served by the same server through the same middleware as
the public pages, the ceiling their throughput is compared with. Selected with
``DJANGO_SETTINGS_MODULE=public_load_settings`` and ``bench/`` on ``PYTHONPATH``."""

from shinchoku.settings import *  # noqa: F403

ROOT_URLCONF = "public_load_urls"
