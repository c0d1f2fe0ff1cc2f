"""``selfwork process check|graph`` and ``selfwork worker``, run as a user runs them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from selfwork.exchanges.engine import BUILTIN_DIR

SELFWORK = str(Path(sys.executable).parent / "selfwork")

# Every run below gets its own SQLite file, on either suite.
pytestmark = [pytest.mark.once, pytest.mark.slow]


def run(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "SELFWORK_DATA_DIR": str(data_dir)}
    env.pop("SELFWORK_DATABASE_URL", None)  # each run gets its own SQLite file
    return subprocess.run(
        [SELFWORK, *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_check_accepts_a_good_file_and_lists_the_problems_of_a_bad_one(tmp_path):
    good = run(
        "process", "check", str(BUILTIN_DIR / "commission.toml"), data_dir=tmp_path
    )
    assert good.returncode == 0, good.stdout + good.stderr
    assert "the process 'commission' is valid" in good.stdout

    bad = tmp_path / "commission.toml"
    text = (BUILTIN_DIR / "commission.toml").read_text()
    bad.write_text(text.replace('after = "P7D"', 'after = "P1M"'))
    result = run("process", "check", str(bad), data_dir=tmp_path)
    assert result.returncode == 1
    assert "years and months vary in length" in result.stdout


@pytest.mark.parametrize("fmt,start", [("svg", "<svg"), ("mermaid", "stateDiagram-v2")])
def test_graph_draws_a_process(tmp_path, fmt, start):
    result = run("process", "graph", "purchase", "--format", fmt, data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(start)
    missing = run("process", "graph", "nope", data_dir=tmp_path)
    assert missing.returncode == 1
