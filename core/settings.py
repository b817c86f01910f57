"""Runtime settings: one frozen object built from environment variables.

Every process (web worker, scheduler, CLI, tests) reads the same variables, so a
test or a deployment changes behaviour by environment alone, never by editing code.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class SourceConfig:
    """One raw-data source. `kind` is demo | folder | postgres."""

    name: str
    kind: str
    # Seconds between ingests when the scheduler runs.
    cadence_seconds: int = 300
    # demo: seed, scale; folder: path, encoding; postgres: dsn, schema.
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    root_adcode: int = 370000
    data_dir: Path = PROJECT_DIR / "data"
    keep_snapshots: int = 10
    sources: tuple[SourceConfig, ...] = (SourceConfig("demo", "demo", 60, {"seed": 20231, "scale": 1.0}),)
    # flask-caching backend: FileSystemCache by default, RedisCache for scale-out.
    cache_type: str = "FileSystemCache"
    cache_redis_url: str = ""
    # Memory DuckDB may use while building a snapshot; it spills to disk beyond it.
    build_memory_limit: str = "3GB"
    build_threads: int = 2
    catalog_path: Path = PROJECT_DIR / "data" / "catalog" / "indicators.yaml"
    # Screens: how often a browser asks whether a new snapshot exists, when the
    # data counts as stale, and the wall carousel's default dwell per page.
    poll_seconds: int = 15
    stale_after_seconds: int = 900
    wall_dwell_seconds: int = 30
    wall_pages: tuple[str, ...] = ("overview", "economy", "emergency", "cloud", "sharing")

    @property
    def snapshot_dir(self) -> Path:
        return self.data_dir / "snapshots"

    @property
    def staging_dir(self) -> Path:
        return self.data_dir / "staging"

    @property
    def geo_dir(self) -> Path:
        return self.data_dir / "geo" / str(self.root_adcode)

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def lock_dir(self) -> Path:
        return self.data_dir / "locks"


def _sources_from_env(raw: str) -> tuple[SourceConfig, ...]:
    """COCKPIT_SOURCES is a JSON list of {name, kind, cadence_seconds, options}."""
    items = json.loads(raw)
    if not isinstance(items, list) or not items:
        raise ValueError("COCKPIT_SOURCES must be a non-empty JSON list of sources")
    out = []
    for item in items:
        unknown = set(item) - {"name", "kind", "cadence_seconds", "options"}
        if unknown:
            raise ValueError(f"COCKPIT_SOURCES: unknown keys {sorted(unknown)} in {item!r}")
        if item.get("kind") not in ("demo", "folder", "postgres"):
            raise ValueError(f"COCKPIT_SOURCES: kind must be demo, folder or postgres, got {item.get('kind')!r}")
        out.append(SourceConfig(item["name"], item["kind"], int(item.get("cadence_seconds", 300)), item.get("options", {})))
    names = [s.name for s in out]
    if len(set(names)) != len(names):
        raise ValueError(f"COCKPIT_SOURCES: duplicate source names {names}")
    return tuple(out)


def load_settings(env: dict | None = None) -> Settings:
    env = os.environ if env is None else env
    kwargs: dict = {}
    if "COCKPIT_ROOT_ADCODE" in env:
        kwargs["root_adcode"] = int(env["COCKPIT_ROOT_ADCODE"])
    if "COCKPIT_DATA_DIR" in env:
        kwargs["data_dir"] = Path(env["COCKPIT_DATA_DIR"]).resolve()
    if "COCKPIT_KEEP_SNAPSHOTS" in env:
        kwargs["keep_snapshots"] = max(1, int(env["COCKPIT_KEEP_SNAPSHOTS"]))
    if "COCKPIT_SOURCES" in env:
        kwargs["sources"] = _sources_from_env(env["COCKPIT_SOURCES"])
    elif "COCKPIT_DEMO_SCALE" in env or "COCKPIT_DEMO_SEED" in env:
        demo = Settings().sources[0]
        opts = dict(demo.options)
        if "COCKPIT_DEMO_SCALE" in env:
            opts["scale"] = float(env["COCKPIT_DEMO_SCALE"])
        if "COCKPIT_DEMO_SEED" in env:
            opts["seed"] = int(env["COCKPIT_DEMO_SEED"])
        kwargs["sources"] = (SourceConfig(demo.name, demo.kind, demo.cadence_seconds, opts),)
    if "COCKPIT_CACHE_TYPE" in env:
        kwargs["cache_type"] = env["COCKPIT_CACHE_TYPE"]
    if "COCKPIT_REDIS_URL" in env:
        kwargs["cache_redis_url"] = env["COCKPIT_REDIS_URL"]
    if "COCKPIT_CATALOG" in env:
        kwargs["catalog_path"] = Path(env["COCKPIT_CATALOG"]).resolve()
    if "COCKPIT_BUILD_MEMORY" in env:
        kwargs["build_memory_limit"] = env["COCKPIT_BUILD_MEMORY"]
    for var, key in (("COCKPIT_POLL_SECONDS", "poll_seconds"), ("COCKPIT_STALE_AFTER", "stale_after_seconds"),
                     ("COCKPIT_WALL_DWELL", "wall_dwell_seconds")):
        if var in env:
            kwargs[key] = max(1, int(env[var]))
    if "COCKPIT_WALL_PAGES" in env:
        kwargs["wall_pages"] = tuple(p.strip() for p in env["COCKPIT_WALL_PAGES"].split(",") if p.strip())
    return Settings(**kwargs)


@lru_cache(maxsize=1)
def settings() -> Settings:
    return load_settings()
