"""What several benchmarks need: a private demo data directory, a free port, a
server to wait for, and the chromium flags for running headless as root."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_data_dir(prefix: str, scale: float, as_of: datetime):
    """A fresh data directory (Shandong boundaries copied, so geography is not
    timed) with one published demo snapshot. Returns (path, settings)."""
    sys.path.insert(0, str(PROJECT))
    from core.settings import Settings, SourceConfig
    from pipeline.build import run_pipeline

    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    subprocess.run([sys.executable, "-m", "pipeline", "geo"], cwd=PROJECT, check=True, stdout=subprocess.DEVNULL)
    shutil.copytree(PROJECT / "data" / "geo" / "370000", tmp / "geo" / "370000")
    settings = Settings(data_dir=tmp, sources=(SourceConfig("demo", "demo", 60, {"seed": 20231, "scale": scale}),))
    run_pipeline(settings, as_of=as_of)
    return tmp, settings


def wait_until_up(url: str, proc: subprocess.Popen | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/api/snapshot", timeout=1)
            return
        except OSError:
            if proc is not None and proc.poll() is not None:
                raise SystemExit(f"server exited with {proc.returncode}")
            time.sleep(0.3)
    raise SystemExit(f"server at {url} did not come up")
