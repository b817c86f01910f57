"""Ingest: pull one source's raw tables, validate them, stage them as Parquet.

Each source gets its own staging area `staging/<source>/<version>/` with a
manifest and a CURRENT pointer, the same publish pattern as snapshots, so a
killed ingest leaves the previous staged version in place. Builds read only
staged Parquet, so a slow or broken source never blocks the others.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from core.settings import Settings, SourceConfig
from core.snapshots import write_atomic
from pipeline.raw_schema import RAW_BY_NAME, RAW_TABLES
from pipeline.sources.validate import QUARANTINE_COLUMNS, validate_table

MANIFEST = "manifest.json"
QUARANTINE_FILE = "quarantine.parquet"


class SourceError(RuntimeError):
    """A source could not be read at all (unreachable server, missing folder)."""


def staged_dir(settings: Settings, source: str) -> Path | None:
    """The directory of the source's current staged version, if any."""
    base = settings.staging_dir / source
    try:
        version = (base / "CURRENT").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    d = base / version
    return d if (d / MANIFEST).exists() else None


def read_manifest(settings: Settings, source: str) -> dict | None:
    d = staged_dir(settings, source)
    if d is None:
        return None
    return json.loads((d / MANIFEST).read_text(encoding="utf-8"))


def _region_sets(regions) -> tuple[set[int], set[int]]:
    codes = set(int(a) for a in regions["adcode"])
    leaves = set(int(a) for a in regions.loc[regions["is_leaf"], "adcode"])
    return codes, leaves


def _load_demo(con, cfg: SourceConfig, settings: Settings, regions, as_of: datetime) -> dict:
    from pipeline.sources import demo

    seed = int(cfg.options.get("seed", 20231))
    scale = float(cfg.options.get("scale", 1.0))
    codes, leaves = _region_sets(regions)
    seen: set[str] = set()
    # Chunks go straight into DuckDB tables (which spill to disk), so a 30M-row
    # demo never sits in Python memory all at once.
    for name, chunk in demo.generate(regions, settings.geo_dir, seed=seed, scale=scale, as_of=as_of):
        con.register("_chunk", chunk)
        if name in seen:
            con.execute(f'INSERT INTO "_in_{name}" SELECT * FROM _chunk')
        else:
            con.execute(f'CREATE TEMP TABLE "_in_{name}" AS SELECT * FROM _chunk')
            seen.add(name)
        con.unregister("_chunk")
    result = {}
    for name in sorted(seen):
        good, bad = validate_table(con, RAW_BY_NAME[name], f"_in_{name}", source=cfg.name,
                                   region_codes=codes, leaf_codes=leaves, target=name)
        con.execute(f'DROP TABLE "_in_{name}"')
        result[name] = {"rows": good, "quarantined": bad,
                        "version": f"demo:{seed}:{scale}:{as_of.isoformat(timespec='seconds')}"}
    return result


def _load_folder(con, cfg: SourceConfig, settings: Settings, regions, as_of: datetime) -> dict:
    from pipeline.sources.folder import load_folder

    path = Path(cfg.options.get("path", ""))
    if not path.is_dir():
        raise SourceError(f"数据目录不存在 (source folder not found): {path}")
    codes, leaves = _region_sets(regions)
    return load_folder(con, cfg.name, path, region_codes=codes, leaf_codes=leaves,
                       encoding=cfg.options.get("encoding", "utf-8"))


def _load_postgres(con, cfg: SourceConfig, settings: Settings, regions, as_of: datetime) -> dict:
    from pipeline.sources.postgres import load_postgres

    codes, leaves = _region_sets(regions)
    return load_postgres(con, cfg.name, cfg.options["dsn"], schema=cfg.options.get("schema", "public"),
                         region_codes=codes, leaf_codes=leaves)


LOADERS = {"demo": _load_demo, "folder": _load_folder, "postgres": _load_postgres}


def ingest_source(settings: Settings, cfg: SourceConfig, regions, *, as_of: datetime | None = None) -> dict:
    """Read, validate and stage one source; returns its manifest.

    Raises SourceError (or the loader's own exception) when the source cannot be
    read; the previously staged version then stays current.
    """
    as_of = as_of or datetime.now().replace(microsecond=0)
    started = time.monotonic()
    base = settings.staging_dir / cfg.name
    base.mkdir(parents=True, exist_ok=True)
    version = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    work = base / f".{version}.partial"
    work.mkdir()
    try:
        with tempfile.TemporaryDirectory(dir=settings.data_dir, prefix=".ingest-") as tmp:
            con = duckdb.connect()
            con.execute(f"SET temp_directory='{tmp}'")
            con.execute(f"SET memory_limit='{settings.build_memory_limit}'")
            con.execute("SET preserve_insertion_order=false")
            tables = LOADERS[cfg.kind](con, cfg, settings, regions, as_of)
            warnings = tables.pop("_warnings", [])
            for name in tables:
                if name not in RAW_BY_NAME:
                    continue
                con.execute(f'COPY "{name}" TO \'{work / (name + ".parquet")}\' (FORMAT parquet, COMPRESSION zstd)')
            has_q = con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'quarantine'").fetchone()[0]
            if has_q:
                con.execute(f"COPY quarantine TO '{work / QUARANTINE_FILE}' (FORMAT parquet)")
            else:
                pq.write_table(pa.table({c: pa.array([], pa.string()) for c in QUARANTINE_COLUMNS}),
                               work / QUARANTINE_FILE)
            con.close()
        manifest = {
            "source": cfg.name,
            "kind": cfg.kind,
            "version": version,
            "demo": cfg.kind == "demo",
            "fetched_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "as_of": as_of.isoformat(timespec="seconds"),
            "seconds": round(time.monotonic() - started, 3),
            "tables": {n: {k: v for k, v in t.items() if k in ("rows", "quarantined", "version", "files")}
                       for n, t in tables.items() if n in RAW_BY_NAME},
            "warnings": warnings,
        }
        manifest["fingerprint"] = hashlib.sha256(
            json.dumps({n: t.get("version") for n, t in sorted(manifest["tables"].items())}).encode()
        ).hexdigest()[:16]
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        work.rename(base / version)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    write_atomic(base / "CURRENT", version + "\n")
    _prune_staging(base, keep={version})
    return manifest


def _prune_staging(base: Path, keep: set[str]) -> None:
    for d in base.iterdir():
        if d.is_dir() and d.name not in keep:
            shutil.rmtree(d, ignore_errors=True)


def raw_files(settings: Settings) -> dict[str, list[Path]]:
    """Every staged Parquet file per raw table, across all configured sources."""
    out: dict[str, list[Path]] = {t.name: [] for t in RAW_TABLES}
    for cfg in settings.sources:
        d = staged_dir(settings, cfg.name)
        if d is None:
            continue
        for t in RAW_TABLES:
            f = d / f"{t.name}.parquet"
            if f.exists():
                out[t.name].append(f)
    return out
