"""What a web worker loads and builds before its first request stays small
(issue 11: at most 150 MB per worker after a benchmark run)."""

import subprocess
import sys

import ninja
from django.urls import get_resolver


def _subclasses(model: type) -> list[type]:
    found = []
    for sub in model.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_every_api_schema_is_built_when_first_used():
    get_resolver().url_patterns  # the API and every router's schemas
    schemas = [
        s
        for s in _subclasses(ninja.Schema)
        if s.__module__.startswith("selfwork") or s.__module__.startswith("ninja.")
    ]
    ninjas_own_bases = {"FilterSchema", "ModelSchema"}
    eager = [
        f"{s.__module__}.{s.__qualname__}"
        for s in schemas
        if not s.model_config.get("defer_build") and s.__name__ not in ninjas_own_bases
    ]
    assert len(schemas) > 100
    assert eager == []


def test_the_s3_client_is_loaded_only_by_a_storage_that_uses_it():
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, django; django.setup(); "
            "from django.urls import get_resolver; get_resolver().url_patterns; "
            "print('botocore' in sys.modules, 'boto3' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert loaded == ["False", "False"]
