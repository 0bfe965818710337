"""A real Label Studio server for the tests: fresh data folder, free port, no prompts.

The ``label-studio`` executable next to ``sys.executable`` is started with a user and a
legacy API token created from environment variables on first start, and stopped (its own
process group, by id) when the session ends.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT = float(os.environ.get("NEWSLAYERS_LS_START_TIMEOUT", "240"))


@dataclass(frozen=True, slots=True)
class Server:
    url: str
    token: str
    username: str
    password: str  # for the browser test, which logs in as a person does
    started_in: float
    log: Path


def executable() -> Path | None:
    path = Path(sys.executable).parent / "label-studio"
    return path if path.exists() else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _server_env(data_dir: Path, username: str, password: str, token: str) -> dict[str, str]:
    """The caller's environment without its own Label Studio settings, plus the test user."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LABEL_STUDIO_", "HEARTEX_"))}
    env.update(
        {
            "LABEL_STUDIO_USERNAME": username,
            "LABEL_STUDIO_PASSWORD": password,
            "LABEL_STUDIO_USER_TOKEN": token,
            "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
            "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
            "LATEST_VERSION_CHECK": "false",  # no call to the package index at start
            # The ML backend under test listens on 127.0.0.1, which Label Studio refuses by
            # default (for the backend itself and for the webhook it registers for it).
            "ML_BLOCK_LOCAL_IP": "false",
            "USE_DEFAULT_BANNED_SUBNETS": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def run_server(data_dir: Path) -> Iterator[Server]:
    """Start the server, wait for /health, yield it, stop it."""
    exe = executable()
    assert exe is not None
    port, token = free_port(), secrets.token_hex(20)
    username, password = "tester@example.com", secrets.token_urlsafe(16)
    url = f"http://127.0.0.1:{port}"
    log = data_dir / "server.log"
    # --internal-host is the address the server binds (default 0.0.0.0: every interface);
    # --host is the public URL it writes into links and must carry the scheme.
    command = [
        *(str(exe), "start", "--no-browser", "--internal-host", "127.0.0.1", "--host", url),
        *("--port", str(port), "--data-dir", str(data_dir)),
    ]
    started = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            env=_server_env(data_dir, username, password, token),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        while not _healthy(url):
            if process.poll() is not None:
                raise RuntimeError(f"label-studio exited with {process.returncode}:\n{_tail(log)}")
            if time.perf_counter() - started > START_TIMEOUT:
                raise RuntimeError(f"label-studio did not answer /health in {START_TIMEOUT:.0f}s:\n{_tail(log)}")
            time.sleep(0.5)
        yield Server(url, token, username, password, time.perf_counter() - started, log)
    finally:
        _stop(process)
