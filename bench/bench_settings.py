"""Settings for ``bench/run.py``: the product's own, plus a hello-world JSON view.

Only the benchmark puts this module on the path; production URLs never have it.
"""

import os

from selfwork.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"

# ``bench/cpu.py`` measures what a request costs its code, so it turns the cache
# off unless asked (SELFWORK_BENCH_CACHE=1); ``run.py``'s servers keep it.
if os.environ.get("SELFWORK_BENCH_CACHE") == "0":
    # Only the visitors' page cache: the page parts kept per language depend on
    # no request (settings.CACHES, "template_fragments").
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
        "template_fragments": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "template-fragments",
            "TIMEOUT": None,
        },
    }
