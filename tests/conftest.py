"""Shared fixtures: real region files, real DuckDB snapshots built by the real
pipeline from the demo source at a tiny scale and a fixed clock."""
from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from core.settings import PROJECT_DIR, Settings, SourceConfig

ROOT = 370000
# A fixed clock makes every build of the fixture identical.
AS_OF = datetime(2026, 11, 20, 14, 30, 0)


@pytest.fixture(scope="session")
def shared_geo_dir() -> Path:
    """Shandong boundaries, built once per machine into data/geo (as setup does)."""
    from pipeline.geo import build_geo

    out = PROJECT_DIR / "data" / "geo" / str(ROOT)
    build_geo(ROOT, out)
    return out


def make_settings(data_dir: Path, geo_dir: Path, *, sources=None, scale: float = 0.01, **kw) -> Settings:
    """Settings for an isolated data directory that reuses the built boundaries."""
    target = data_dir / "geo" / str(ROOT)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(geo_dir, target)
    sources = sources or (SourceConfig("demo", "demo", 60, {"seed": 7, "scale": scale}),)
    return Settings(root_adcode=ROOT, data_dir=data_dir, sources=tuple(sources), build_memory_limit="1GB", **kw)


def settings_env(settings: Settings) -> dict:
    """Environment that makes a subprocess see the same settings."""
    import json

    env = dict(os.environ)
    env["COCKPIT_DATA_DIR"] = str(settings.data_dir)
    env["COCKPIT_ROOT_ADCODE"] = str(settings.root_adcode)
    env["COCKPIT_SOURCES"] = json.dumps([
        {"name": s.name, "kind": s.kind, "cadence_seconds": s.cadence_seconds, "options": s.options}
        for s in settings.sources])
    env["COCKPIT_BUILD_MEMORY"] = settings.build_memory_limit
    env["PYTHONPATH"] = str(PROJECT_DIR)
    return env


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory, shared_geo_dir) -> Settings:
    """A data directory with one published tiny demo snapshot. Read-only for tests."""
    from pipeline.build import run_pipeline

    s = make_settings(tmp_path_factory.mktemp("demo-data"), shared_geo_dir)
    run_pipeline(s, as_of=AS_OF)
    return s


@pytest.fixture(scope="session")
def demo_snapshot(demo_settings) -> Path:
    from core.snapshots import SnapshotStore

    store = SnapshotStore(demo_settings.snapshot_dir)
    return store.path(store.current_id())


@pytest.fixture
def snap_con(demo_snapshot):
    import duckdb

    con = duckdb.connect(str(demo_snapshot), read_only=True)
    yield con
    con.close()


@pytest.fixture
def fresh_settings(tmp_path, shared_geo_dir) -> Settings:
    """An empty, private data directory (for tests that build, kill or publish)."""
    return make_settings(tmp_path / "data", shared_geo_dir)


@pytest.fixture(scope="session")
def web_app(demo_settings):
    """The real app over the tiny demo snapshot, in-process."""
    from app import create_app

    return create_app(demo_settings)


# The live server and the browser are session fixtures defined here, once, for
# tests/web and tests/bench: a fixture re-exported by a second conftest is a
# second fixture, and a second sync_playwright() in the same worker fails
# ("Sync API inside the asyncio loop") while the first is open.
@pytest.fixture(scope="session")
def live_server(demo_settings):
    from tests.live import LiveServer

    server = LiveServer(demo_settings).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    from bench.common import CHROMIUM_ARGS

    path = os.environ.get("COCKPIT_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()
