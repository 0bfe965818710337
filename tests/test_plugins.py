"""Bring your own model: a system registered through a real entry point runs like ours."""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import run_cli

PLUGIN = '''
from newslayers.model import Document, Entity


class Capitals:
    """Tags every dateline-style capitalised word in the first content line as GPE."""

    name, version, layers = "capitals", "1.0", ("entities",)
    description = "toy plug-in for the tests"

    def predict(self, documents):
        out = []
        for d in documents:
            text = d.text or ""
            out.append(Document(id=d.id, entities=[Entity(0, min(4, len(text)), "GPE")] if len(text) > 4 else []))
        return out


def make_system():
    return Capitals()
'''


def install_plugin(site: Path) -> dict[str, str]:
    """A real installed distribution: module plus dist-info with an entry_points.txt."""
    info = site / "capitals_plugin-1.0.dist-info"
    info.mkdir(parents=True)
    (site / "capitals_plugin.py").write_text(PLUGIN, encoding="utf-8")
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: capitals-plugin\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        "[newslayers.systems]\ncapitals = capitals_plugin:make_system\n", encoding="utf-8"
    )
    return {**os.environ, "PYTHONPATH": str(site)}


def test_plugin_is_listed_run_and_ranked(tmp_path: Path) -> None:
    env = install_plugin(tmp_path / "site")
    listing = run_cli("baseline", "--list", env=env)
    assert "capitals" in listing.stdout and "toy plug-in" in listing.stdout
    out = tmp_path / "p.jsonl"
    result = run_cli("baseline", "capitals", "--split", "test", "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    assert set(json.loads(out.read_text(encoding="utf-8").splitlines()[0])) == {
        "id",
        "html",
        "url",
        "source",
        "split",
        "entities",
    }
    board = run_cli("leaderboard", "--out", str(tmp_path / "lb"), "--systems", "capitals", env=env)
    assert board.returncode == 0, board.stderr[-2000:]
    assert "capitals,plug-in" in (tmp_path / "lb" / "leaderboard.csv").read_text(encoding="utf-8")
