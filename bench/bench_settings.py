"""Settings for ``bench/run.py``: the product's own, plus a hello-world JSON view.

Only the benchmark puts this module on the path; production URLs never have it.
"""

from selfwork.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
