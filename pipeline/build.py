"""Build, validate and publish one snapshot from the staged raw tables.

The steps, in order (each a file in queries/build/ or queries/measures/):
schema -> region tree -> leaf measures -> rollup -> indicator values ->
detail tables -> alerts -> freshness/meta -> validation -> publish.

A build writes a hidden file and publishes only after validation passed; any
failure (exception, validation problem, SIGKILL) leaves CURRENT untouched.
"""
from __future__ import annotations

import json
import logging
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import duckdb
from filelock import FileLock, Timeout

from core.catalog import Catalog, load_catalog
from core.settings import PROJECT_DIR, Settings, SourceConfig
from core.snapshots import SnapshotStore, new_snapshot_id
from pipeline import ingest
from pipeline.raw_schema import RAW_TABLES
from queries.sql import available, bind, load_sql, named_statements, param_names, statements
from queries.windows import BUILD_PARAMS, day_ends

log = logging.getLogger("cockpit.build")

SEEDS_DIR = PROJECT_DIR.parent / "shared" / "seeds"
BUILD_STEPS_BEFORE_MEASURES = ("build/10_schema", "build/20_region")
BUILD_STEPS_AFTER_MEASURES = ("build/40_rollup", "build/50_indicator_value", "build/60_details",
                             "build/65_serving", "build/67_day_end", "build/70_alerts")


class BuildError(RuntimeError):
    def __init__(self, message: str, problems: list[str] | None = None):
        self.problems = problems or []
        super().__init__(message + ("".join(f"\n  - {p}" for p in self.problems)))


class PipelineBusy(RuntimeError):
    pass


@dataclass
class BuildResult:
    snapshot_id: str
    path: Path
    seconds: float
    size_bytes: int
    row_counts: dict
    warnings: list[str] = field(default_factory=list)
    source_errors: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    raw_rows: int = 0


@contextmanager
def pipeline_lock(settings: Settings, timeout: float = 0):
    """One ingest/build at a time per data directory, whichever process asks."""
    settings.lock_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(settings.lock_dir / "pipeline.lock"))
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise PipelineBusy("另一个构建正在进行 (another build is running)") from None
    try:
        yield
    finally:
        lock.release()


def ensure_geo(settings: Settings):
    from pipeline.geo import build_geo, load_regions

    build_geo(settings.root_adcode, settings.geo_dir)
    return load_regions(settings.geo_dir)


def catalog_for(settings: Settings) -> Catalog:
    return load_catalog(settings.catalog_path, seeds_dir=SEEDS_DIR if SEEDS_DIR.is_dir() else None)


# --- source status: last attempt and error per source, next to its staging ---
def _status_path(settings: Settings, source: str) -> Path:
    return settings.staging_dir / source / "status.json"


def read_source_status(settings: Settings, source: str) -> dict:
    try:
        return json.loads(_status_path(settings, source).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _write_source_status(settings: Settings, source: str, **fields) -> None:
    from core.snapshots import write_atomic

    path = _status_path(settings, source)
    path.parent.mkdir(parents=True, exist_ok=True)
    status = {**read_source_status(settings, source), **fields}
    write_atomic(path, json.dumps(status, ensure_ascii=False, default=str))


def ingest_sources(settings: Settings, regions, sources: list[SourceConfig], as_of: datetime) -> dict[str, str]:
    """Ingest each source; a failing source keeps its last staged version. Returns errors by source."""
    errors = {}
    for cfg in sources:
        attempt = datetime.now(timezone.utc).isoformat(timespec="seconds")
        try:
            ingest.ingest_source(settings, cfg, regions, as_of=as_of)
        except Exception as e:  # noqa: BLE001 - any source failure is reported, never fatal to the others
            errors[cfg.name] = f"{type(e).__name__}: {e}"
            _write_source_status(settings, cfg.name, last_attempt=attempt, error=errors[cfg.name])
        else:
            _write_source_status(settings, cfg.name, last_attempt=attempt, last_success=attempt, error=None)
    return errors


def _raw_views(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """raw_<table> views over every source's staged Parquet (or empty, typed)."""
    files = ingest.raw_files(settings)
    for t in RAW_TABLES:
        cols = ", ".join(f'"{c.name}"' for c in t.columns)
        if files[t.name]:
            paths = ", ".join(f"'{p}'" for p in files[t.name])
            con.execute(f"CREATE TEMP VIEW raw_{t.name} AS SELECT {cols} FROM read_parquet([{paths}], union_by_name = true)")
        else:
            typed = ", ".join(f'CAST(NULL AS {c.type}) AS "{c.name}"' for c in t.columns)
            con.execute(f"CREATE TEMP VIEW raw_{t.name} AS SELECT {typed} WHERE false")


def _run_file(con, name: str, params: dict) -> None:
    """Run a build file's statements. One that reads $depth runs once per depth
    of the region tree (0 = the root): its memory is then one level's, not the
    whole tree's (medians and percentiles keep every value they are given)."""
    for stmt in statements(name):
        if "depth" in param_names(stmt):
            for (depth,) in con.execute("SELECT DISTINCT depth FROM region ORDER BY depth").fetchall():
                con.execute(stmt, bind(stmt, {**params, "depth": depth}, what=name))
        else:
            con.execute(stmt, bind(stmt, params, what=name))


def _insert_catalog(con, catalog: Catalog) -> None:
    con.executemany(
        "INSERT INTO measure VALUES (?, ?, ?, ?, ?, ?)",
        [(m.id, m.source, m.grain, m.additive, m.unit, m.doc) for m in catalog.measures.values()],
    )
    rows = []
    for i in catalog.indicators.values():
        t = i.target
        rows.append((
            i.id, i.name_zh, i.name_en, i.unit, i.domain, i.cadence, i.rollup, i.measure, i.numerator,
            i.denominator, i.weight, i.scale, i.direction, i.warn, i.alarm, i.department, i.definition_zh,
            i.decimals, list(i.pages), t.value if t else None, t.year if t else None, t.source if t else None,
            t.baseline if t else None, t.baseline_year if t else None, t.scope if t else None,
        ))
    con.executemany(f"INSERT INTO indicator VALUES ({', '.join('?' * 25)})", rows)


def _leaf_measures(con, catalog: Catalog, params: dict) -> list[str]:
    con.execute("CREATE TEMP TABLE leaf_measure (measure VARCHAR, adcode INTEGER, period TIMESTAMP, value DOUBLE)")
    warnings = []
    by_source = catalog.measure_sources()
    for name in available("measures"):
        source = name.split("/", 1)[1]
        if source not in by_source:
            warnings.append(f"queries/{name}.sql is not used by any catalog measure")
            continue
        sql = load_sql(name)
        con.execute(f"INSERT INTO leaf_measure BY NAME ({sql})", bind(sql, params, what=name))
    missing = set(by_source) - {n.split("/", 1)[1] for n in available("measures")}
    if missing:
        raise BuildError("catalog names measure sources with no SQL file",
                         [f"queries/measures/{s}.sql" for s in sorted(missing)])
    stray = con.execute(
        "SELECT DISTINCT measure FROM leaf_measure WHERE measure NOT IN (SELECT id FROM measure)").fetchall()
    if stray:
        warnings.append("measures produced but not in the catalog (ignored): " + ", ".join(r[0] for r in stray))
        con.execute("DELETE FROM leaf_measure WHERE measure NOT IN (SELECT id FROM measure)")
    # Drop non-finite leaf values before they poison every ancestor.
    bad = con.execute("SELECT count(*) FROM leaf_measure WHERE value IS NULL OR NOT isfinite(value)").fetchone()[0]
    if bad:
        warnings.append(f"{bad} leaf measure values were NULL/NaN/inf and were dropped")
        con.execute("DELETE FROM leaf_measure WHERE value IS NULL OR NOT isfinite(value)")
    return warnings


def _freshness_and_quarantine(con, settings: Settings) -> dict:
    versions = {}
    for cfg in settings.sources:
        status = read_source_status(settings, cfg.name)
        manifest = ingest.read_manifest(settings, cfg.name)
        d = ingest.staged_dir(settings, cfg.name)
        if manifest is None:
            con.execute("INSERT INTO freshness VALUES (?, ?, NULL, 0, 0, NULL, NULL, ?, ?, NULL, ?, ?)",
                        [cfg.name, cfg.kind, status.get("last_attempt"), status.get("error"),
                         cfg.kind == "demo", cfg.cadence_seconds])
            continue
        versions[cfg.name] = manifest["fingerprint"]
        for t in RAW_TABLES:
            info = manifest["tables"].get(t.name)
            if info is None:
                continue
            latest = None
            if t.time_column and (d / f"{t.name}.parquet").exists():
                latest = con.execute(
                    f'SELECT CAST(max("{t.time_column}") AS TIMESTAMP) FROM read_parquet(?)',
                    [str(d / f"{t.name}.parquet")]).fetchone()[0]
            con.execute("INSERT INTO freshness VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                cfg.name, cfg.kind, t.name, info.get("rows", 0), info.get("quarantined", 0), latest,
                manifest["fetched_at"], status.get("last_attempt"), status.get("error"), info.get("version"),
                manifest.get("demo", False), cfg.cadence_seconds])
        qfile = d / ingest.QUARANTINE_FILE
        if qfile.exists():
            con.execute("INSERT INTO quarantine SELECT source, raw_table, file, TRY_CAST(line AS BIGINT), \"column\", "
                        "CAST(value AS VARCHAR), reason FROM read_parquet(?)", [str(qfile)])
    return versions


def _validate(con, catalog: Catalog, settings: Settings, n_regions: int, strict: bool, as_of: datetime) -> list[str]:
    checks = named_statements("build/80_validate")
    params = {"root": settings.root_adcode, "region_rows": n_regions, "as_of": as_of}
    problems, warnings = [], []
    for name, sql in checks.items():
        found = [r[0] for r in con.execute(sql, bind(sql, params, what=name)).fetchmany(20)]
        if name == "missing_indicators" and not strict:
            warnings += [f"no value at the root region for indicator {p}" for p in found]
            continue
        problems += [f"{name}: {p}" for p in found]
    if problems:
        raise BuildError("快照校验未通过，未发布 (snapshot failed validation; not published)", problems)
    return warnings


def build_snapshot(settings: Settings, *, as_of: datetime, regions=None, catalog: Catalog | None = None,
                   progress=None) -> BuildResult:
    """Build a new snapshot file from staged data and validate it; does not publish."""
    started = time.monotonic()
    store = SnapshotStore(settings.snapshot_dir).ensure()
    catalog = catalog or catalog_for(settings)
    regions = regions if regions is not None else ensure_geo(settings)
    snap_id = new_snapshot_id()
    building = store.building_path(snap_id)
    params = {
        "as_of": as_of, "window_start": datetime.combine(as_of.date() - timedelta(days=364), datetime.min.time()),
        "regions_csv": str(settings.geo_dir / "regions.csv"), **BUILD_PARAMS,
        **dict(zip(("day_end_first", "day_end_last"), day_ends(as_of))),
    }
    timings: dict[str, float] = {}

    def step(label: str):
        timings[label] = round(time.monotonic() - started - sum(timings.values()), 3)
        if progress is not None:
            progress.set_description(label)
            progress.update(1)

    con = duckdb.connect(str(building))
    try:
        tmp = settings.data_dir / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        con.execute(f"SET temp_directory = '{tmp}'")
        con.execute(f"SET memory_limit = '{settings.build_memory_limit}'")
        con.execute(f"SET threads = {int(settings.build_threads)}")
        con.execute("SET preserve_insertion_order = false")
        for name in BUILD_STEPS_BEFORE_MEASURES:
            _run_file(con, name, params)
        _insert_catalog(con, catalog)
        _raw_views(con, settings)
        step("regions")
        warnings = _leaf_measures(con, catalog, params)
        step("measures")
        for name in BUILD_STEPS_AFTER_MEASURES:
            _run_file(con, name, params)
            step(name.split("_", 1)[1])
        versions = _freshness_and_quarantine(con, settings)
        demo = any(c.kind == "demo" for c in settings.sources)
        warnings += _validate(con, catalog, settings, len(regions), strict=demo, as_of=as_of)
        step("validate")
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_catalog = current_database()"
        ).fetchall()]
        row_counts = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in sorted(tables)}
        raw_rows = int(con.execute("SELECT coalesce(sum(rows), 0) FROM freshness").fetchone()[0])
        from pipeline.sources.demo import DEMO_NOTICE

        con.execute("INSERT INTO snapshot_meta VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            snap_id, datetime.now(timezone.utc), as_of, settings.root_adcode, demo,
            DEMO_NOTICE if demo else None, catalog.digest, round(time.monotonic() - started, 3),
            json.dumps(versions), json.dumps(row_counts), json.dumps(warnings, ensure_ascii=False)])
        con.execute("CHECKPOINT")
    except BaseException:
        con.close()
        for p in building.parent.glob(building.name + "*"):
            p.unlink(missing_ok=True)
        raise
    con.close()
    final = store.path(snap_id)
    with open(building, "rb") as f:
        os.fsync(f.fileno())
    os.rename(building, final)
    step("write")
    return BuildResult(snap_id, final, round(time.monotonic() - started, 3), final.stat().st_size,
                       row_counts, warnings, timings=timings, raw_rows=raw_rows)


def run_pipeline(settings: Settings, *, as_of: datetime | None = None, ingest_names: list[str] | None = None,
                 publish: bool = True, progress=None, wait: float = 0,
                 before_publish: Callable[[str], object] | None = None) -> BuildResult:
    """Ingest sources (all, or the named ones), build, validate, publish, prune.

    Every run is logged in snapshots/runs.jsonl as started, then published or
    failed; a run killed in between is settled as interrupted by the next one.
    before_publish(snapshot_id) runs on the validated file before CURRENT
    points at it (the scheduler renders the screens into the shared cache
    there); if it fails, the snapshot is published all the same.
    """
    as_of = as_of or datetime.now().replace(microsecond=0)
    store = SnapshotStore(settings.snapshot_dir).ensure()
    with pipeline_lock(settings, timeout=wait):
        store.settle_interrupted()
        store.clean_leftovers()
        run_id = new_snapshot_id()
        store.log_run(run=run_id, state="started", pid=os.getpid(), as_of=as_of.isoformat())
        try:
            regions = ensure_geo(settings)
            catalog = catalog_for(settings)
            if progress is not None:
                progress.set_description("ingest")
            chosen = [s for s in settings.sources if ingest_names is None or s.name in ingest_names]
            t0 = time.monotonic()
            source_errors = ingest_sources(settings, regions, chosen, as_of)
            ingest_seconds = round(time.monotonic() - t0, 3)
            if progress is not None:
                progress.update(1)
            result = build_snapshot(settings, as_of=as_of, regions=regions, catalog=catalog, progress=progress)
            result.source_errors = source_errors
            result.timings = {"ingest": ingest_seconds, **result.timings}
            if publish:
                if before_publish is not None:
                    t0 = time.monotonic()
                    try:
                        before_publish(result.snapshot_id)
                    except Exception:  # noqa: BLE001 - a warm cache is a nicety; the data is not
                        log.exception("before_publish hook failed for %s; publishing anyway", result.snapshot_id)
                    result.timings["prerender"] = round(time.monotonic() - t0, 3)
                store.publish(result.snapshot_id)
                store.prune(settings.keep_snapshots)
        except BaseException as e:
            store.log_run(run=run_id, state="failed", pid=os.getpid(), error=f"{type(e).__name__}: {e}")
            raise
        store.log_run(run=run_id, state="published" if publish else "built", pid=os.getpid(),
                      snapshot=result.snapshot_id, seconds=result.seconds, size=result.size_bytes,
                      source_errors=source_errors, warnings=result.warnings[:20])
        return result


BUILD_STEP_COUNT = 1 + 2 + len(BUILD_STEPS_AFTER_MEASURES) + 2
