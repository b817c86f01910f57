"""What several benchmarks need: a private demo data directory, a free port, a
server to wait for, the chromium flags for running headless as root, the
production layout (gunicorn + one scheduler) and per-process memory and CPU."""
from __future__ import annotations

import json
import os
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
# "Every chart has drawn" (bench.pages, bench.soak): every graph panel holds a
# cockpit figure (an empty dcc.Graph draws plotly's blank figure, which has no
# template) and every map has drawn its regions: plotly fetches a map's
# boundaries before it draws them, so a map's _fullData is there well before its
# regions are. Until 2026-12-02 the benchmark asked only for one region on any
# map, and timed /emergency and /sharing before their maps were drawn. The KPI
# cards' trend images are charts drawn by the browser.
DRAWN = """() => { if (location.pathname === '/status') return !!document.querySelector('#snapshot-id');
  const g = [...document.querySelectorAll('.panel-body > .panel-graph')].map(x => x.querySelector('.js-plotly-plot'));
  const drawn = g.every(x => x && x.layout && x.layout.template && x._fullData && x.querySelector('.main-svg'));
  const maps = drawn && g.every(x => x.querySelector('.choroplethlocation')
    || !x._fullData.some(t => t.type === 'choropleth' && t.locations && t.locations.length));
  const kpis = [...document.querySelectorAll('.panel-html')].filter(x => x.id.includes('-kpis'));
  const trends = kpis.every(x => x.childElementCount > 0)
    && [...document.querySelectorAll('img.kpi-spark')].every(i => i.complete);
  return g.length > 0 && drawn && maps && trends; }"""


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


def results_dir() -> Path:
    """Where benchmarks write their JSON. The runner (`python -m bench --quick`)
    points this elsewhere so a quick run never overwrites the full-mode figures
    that bench/README.md quotes."""
    out = Path(os.environ.get("COCKPIT_BENCH_RESULTS") or PROJECT / "bench" / "results")
    out.mkdir(parents=True, exist_ok=True)
    return out


def machine_speed() -> dict:
    """A fixed piece of CPU work, timed (the best of five): this shared machine
    ran the same code 1.4x slower on one day than on another, so figures from
    different days compare only beside it."""
    import timeit

    best = min(timeit.repeat("s = 0\nfor i in range(1_000_000): s += i", number=1, repeat=5))
    return {"python_loop_1m_ms": round(best * 1000, 1)}


def write_results(name: str, data: dict) -> Path:
    """Write one benchmark's figures as results_dir()/name, with when and on
    how fast a machine they were measured, and say where."""
    data = {**data, "measured_at": datetime.now().isoformat(timespec="minutes"), "machine": machine_speed()}
    dest = results_dir() / name
    dest.write_text(json.dumps(data, indent=1, ensure_ascii=False))
    print("written", dest)
    return dest


def production_env(data_dir: Path, settings, **extra: str) -> dict:
    """Environment for gunicorn and the scheduler: the private data directory and
    its sources, so both processes see the same settings as the caller."""
    sources = [{"name": c.name, "kind": c.kind, "cadence_seconds": c.cadence_seconds, "options": c.options}
               for c in settings.sources]
    return {**os.environ, "COCKPIT_DATA_DIR": str(data_dir), "COCKPIT_SOURCES": json.dumps(sources), **extra}


def start_gunicorn(env: dict, port: int, log) -> subprocess.Popen:
    """The production web layout: 2 gthread workers × 8 threads."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return subprocess.Popen([str(gunicorn), "-w", "2", "--threads", "8", "-b", f"127.0.0.1:{port}", "app:server"],
                            cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT)


def start_scheduler(env: dict, log=subprocess.DEVNULL) -> subprocess.Popen:
    """ONE `python -m pipeline schedule`, publishing at each source's cadence_seconds."""
    return subprocess.Popen([sys.executable, "-m", "pipeline", "schedule"], cwd=PROJECT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)


def _stat(pid: int | str) -> list[str]:
    """/proc/<pid>/stat fields from `state` on: the command name before them may
    contain spaces and parentheses (chromium's threads and helpers do)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def worker_pids(master: int) -> list[int]:
    out = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                if int(_stat(p.name)[1]) == master:
                    out.append(int(p.name))
            except (OSError, IndexError, ValueError):
                pass
    return out


def proc_sample(pids: list[int]) -> tuple[float, int]:
    """CPU seconds used so far and resident bytes, summed over pids."""
    cpu, rss = 0.0, 0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            stat = _stat(pid)
            cpu += (int(stat[11]) + int(stat[12])) / tick
            rss += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            pass
    return cpu, rss


def descendants(pid: int) -> list[int]:
    """Every live process below pid (children, grandchildren, ...)."""
    parent = {}
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                parent[int(p.name)] = int(_stat(p.name)[1])
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [pid]
    while todo:
        cur = todo.pop()
        kids = [c for c, pp in parent.items() if pp == cur]
        out += kids
        todo += kids
    return out


def memory_kib(pid: int) -> dict:
    """Rss and Pss (total, anonymous, file, shmem) of one process in KiB. Pss shares
    pages fairly, so it sums over a browser's processes without counting shared
    libraries N times; its file part also shrinks whenever some unrelated process
    maps the same binary, so growth is best read from the anonymous + shmem part."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            key = line.split(":", 1)[0]
            if key in ("Rss", "Pss", "Pss_Anon", "Pss_File", "Pss_Shmem"):
                out[key.lower()] = int(line.split()[1])
    except OSError:
        pass
    return out


def warm_workers(url: str, connections: int = 16) -> None:
    """Make every gunicorn worker handle a request before a browser arrives. Dash sets
    its "server set up" flag before it registers the component bundles, so a fresh
    gthread worker answers the bundle requests that race the first page load with
    500 (plotly/dash#3971); parallel connections reach every worker."""
    from concurrent.futures import ThreadPoolExecutor

    def get(_):
        try:
            urllib.request.urlopen(url + "/api/snapshot", timeout=30).read()
        except OSError:
            pass
    with ThreadPoolExecutor(connections) as pool:
        list(pool.map(get, range(connections)))
    time.sleep(1)
