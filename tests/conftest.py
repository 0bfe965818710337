"""Shared fixtures: paths to the read-only material beside the repository."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ls_server import Server, executable, run_server

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def pytest_configure(config: pytest.Config) -> None:
    """Every cache, data folder and build of the test run lives in one temporary folder.

    Set before any test runs, so the command-line subprocesses inherit it: nothing goes to
    ~/.cache, ~/.local or the repository's dist/.
    """
    root = Path(tempfile.mkdtemp(prefix="newslayers-tests-"))
    for name, sub in (("NEWSLAYERS_CACHE", "cache"), ("NEWSLAYERS_DATA", "data"), ("NEWSLAYERS_DIST", "dist"),
                      ("HF_HOME", "hf"), ("HF_DATASETS_CACHE", "hf/datasets"), ("MPLCONFIGDIR", "mpl")):  # fmt: skip
        os.environ[name] = str(root / sub)


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "newslayers", *args],
        capture_output=True,
        text=True,
        cwd=cwd or REPO,
        env=env,
        timeout=600,
    )


def write_jsonl(path: Path, records: list[object]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def seed_page() -> Path:
    path = SHARED / "seed" / "000_1b383fee7daa3935.txt"
    if not path.exists():
        pytest.skip("../shared/seed is not present")
    return path


@pytest.fixture
def realpages() -> Path:
    path = SHARED / "realpages"
    if not (path / "ground-truth.json").exists():
        pytest.skip("../shared/realpages is not present")
    return path


@pytest.fixture(scope="session")
def label_studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One real Label Studio server for every test file of the session that needs it."""
    if executable() is None:
        pytest.skip(
            "the label-studio executable is not installed next to this Python (pip install 'newslayers[server]')"
        )
    yield from run_server(tmp_path_factory.mktemp("label-studio"))


@pytest.fixture(scope="session")
def client(label_studio: Server) -> Any:
    from label_studio_sdk import LabelStudio

    return LabelStudio(base_url=label_studio.url, api_key=label_studio.token)
