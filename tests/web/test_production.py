"""The production layout: gunicorn workers serve snapshots and never schedule."""
from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from filelock import FileLock

from bench.common import free_port
from tests.conftest import settings_env


def test_gunicorn_workers_serve_and_leave_scheduling_to_one_process(demo_settings, tmp_path):
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = open(tmp_path / "gunicorn.log", "w")
    proc = subprocess.Popen([str(gunicorn), "-w", "2", "-b", f"127.0.0.1:{port}", "app:server"],
                            env=settings_env(demo_settings), stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                snap = urllib.request.urlopen(base + "/api/snapshot", timeout=2).read()
                break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()[-2000:]
                time.sleep(0.3)
        assert b'"id"' in snap
        # Both workers answer (many requests spread over them) with the same snapshot.
        ids = {urllib.request.urlopen(base + "/api/snapshot", timeout=5).read().split(b'"id":')[1][:30]
               for _ in range(20)}
        assert len(ids) == 1
        assert urllib.request.urlopen(base + "/economy", timeout=5).status == 200
        # No worker took the scheduler lock: a real scheduler could still start.
        lock = FileLock(str(demo_settings.lock_dir / "scheduler.lock"))
        lock.acquire(timeout=0)
        lock.release()
    finally:
        proc.terminate()
        proc.wait(20)
        log.close()
