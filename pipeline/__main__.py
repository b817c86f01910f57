"""Command line: `python -m pipeline --help`.

Exit codes: 0 success, 1 failed (build, validation, source), 2 usage error,
3 busy (another build or scheduler holds the lock).
"""
from __future__ import annotations

import json
import logging
import signal
import sys
from dataclasses import replace
from pathlib import Path

import click

from core.settings import SourceConfig, load_settings
from core.snapshots import SnapshotStore, age_seconds

EXIT_FAILED, EXIT_BUSY = 1, 3


def _settings(scale: float | None = None, seed: int | None = None, root: int | None = None):
    s = load_settings()
    if root is not None:
        s = replace(s, root_adcode=root)
    if scale is not None or seed is not None:
        sources = []
        for src in s.sources:
            if src.kind == "demo":
                opts = dict(src.options)
                if scale is not None:
                    opts["scale"] = scale
                if seed is not None:
                    opts["seed"] = seed
                src = SourceConfig(src.name, src.kind, src.cadence_seconds, opts)
            sources.append(src)
        s = replace(s, sources=tuple(sources))
    return s


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
def cli(verbose: bool):
    """一网统管驾驶舱 data pipeline: build, schedule, inspect and roll back snapshots."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@cli.command()
@click.option("--scale", type=float, help="Demo data scale (1.0 ≈ 1 million raw rows).")
@click.option("--seed", type=int, help="Demo data seed.")
@click.option("--root", type=int, help="Root region adcode (default from COCKPIT_ROOT_ADCODE or 370000).")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]),
              help="Build as if it were this local time (default: now).")
@click.option("--source", "sources", multiple=True, help="Ingest only these sources (others keep their staged data).")
@click.option("--no-publish", is_flag=True, help="Build and validate, but leave CURRENT unchanged.")
@click.option("--if-missing", is_flag=True, help="Do nothing if a snapshot is already published.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
def build(scale, seed, root, as_of, sources, no_publish, if_missing, as_json, progress):
    """Ingest sources, build a snapshot, validate it and publish it."""
    from tqdm import tqdm

    from pipeline.build import BUILD_STEP_COUNT, BuildError, PipelineBusy, run_pipeline

    settings = _settings(scale, seed, root)
    store = SnapshotStore(settings.snapshot_dir)
    if if_missing and store.current_id():
        click.echo(f"snapshot {store.current_id()} already published; nothing to do")
        return
    unknown = set(sources) - {s.name for s in settings.sources}
    if unknown:
        raise click.UsageError(f"unknown source(s) {sorted(unknown)}; configured: {[s.name for s in settings.sources]}")
    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(total=BUILD_STEP_COUNT, desc="build", unit="step", disable=not show, file=sys.stderr)
    try:
        result = run_pipeline(settings, as_of=as_of, ingest_names=list(sources) or None,
                              publish=not no_publish, progress=bar)
    except PipelineBusy as e:
        click.echo(f"busy: {e}", err=True)
        sys.exit(EXIT_BUSY)
    except BuildError as e:
        click.echo(f"build failed: {e}", err=True)
        sys.exit(EXIT_FAILED)
    finally:
        bar.close()
    out = {"snapshot": result.snapshot_id, "published": not no_publish, "seconds": result.seconds,
           "size_bytes": result.size_bytes, "raw_rows": result.raw_rows, "source_errors": result.source_errors,
           "warnings": result.warnings, "timings": result.timings, "rows": result.row_counts}
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        click.echo(f"{'published' if not no_publish else 'built'} {result.snapshot_id} in {result.seconds:.1f}s, "
                   f"{result.size_bytes / 1e6:.1f} MB, {result.row_counts.get('indicator_value', 0)} indicator values")
        for name, err in result.source_errors.items():
            click.echo(f"  source {name} failed, its last staged data was used: {err}", err=True)
        for w in result.warnings:
            click.echo(f"  warning: {w}", err=True)
    if result.source_errors:
        sys.exit(EXIT_FAILED)


def _prerenderer():
    """Render each new snapshot's screens into the web workers' shared cache
    before publishing it (components/prerender.py). This is the one place the
    pipeline reaches into the web app, and only as the scheduler's hook. The
    app module builds its app from the environment, as `schedule` builds its
    settings (no overrides), so both see the same data directory and cache."""
    import app as web
    from components.prerender import prerenderer

    return prerenderer(web.app)


@cli.command()
@click.option("--standby", is_flag=True, help="If another scheduler runs, wait and take over when it stops.")
@click.option("--no-prerender", is_flag=True,
              help="Publish without rendering the screens into the shared cache first.")
def schedule(standby, no_prerender):
    """Run the refresh jobs in this process until stopped (production: exactly one of these)."""
    from pipeline.scheduler import SchedulerLocked, acquire_scheduler_lock, make_scheduler

    # Stop on SIGINT and SIGTERM whatever the parent left: a process started
    # with SIGINT ignored (as pytest-xdist's workers start theirs) inherits that,
    # and Python then never raises KeyboardInterrupt; a service manager sends SIGTERM.
    # Before the lock: a standby waits there, and must stop too.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    settings = _settings()
    logging.getLogger().setLevel(logging.INFO)
    try:
        lock = acquire_scheduler_lock(settings, standby=standby)
    except SchedulerLocked as e:
        click.echo(str(e), err=True)
        sys.exit(EXIT_BUSY)
    click.echo(f"scheduler running (pid lock {lock.lock_file}); sources: "
               + ", ".join(f"{s.name} every {s.cadence_seconds}s" for s in settings.sources), err=True)
    sched = make_scheduler(settings, blocking=True, before_publish=None if no_prerender else _prerenderer())
    try:
        sched.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        lock.release()


@cli.command()
@click.option("--json", "as_json", is_flag=True)
def status(as_json):
    """Current snapshot, its age, per-source freshness and recent runs."""
    from pipeline.build import read_source_status
    from pipeline.ingest import read_manifest

    settings = _settings()
    store = SnapshotStore(settings.snapshot_dir)
    current = store.current_id()
    info = {"current": current, "snapshots": [s.id for s in store.list()], "sources": {}, "runs": store.runs(10)}
    if current:
        import duckdb

        con = duckdb.connect(str(store.path(current)), read_only=True)
        meta = con.execute("SELECT built_at, as_of, demo FROM snapshot_meta").fetchone()
        con.close()
        info["built_at"] = meta[0].isoformat()
        info["age_seconds"] = round(age_seconds(info["built_at"]))
        info["as_of"] = meta[1].isoformat()
        info["demo"] = meta[2]
    for src in settings.sources:
        st = read_source_status(settings, src.name)
        man = read_manifest(settings, src.name) or {}
        info["sources"][src.name] = {
            "kind": src.kind, "cadence_seconds": src.cadence_seconds, "last_success": st.get("last_success"),
            "last_attempt": st.get("last_attempt"), "error": st.get("error"),
            "rows": sum(t.get("rows", 0) for t in man.get("tables", {}).values()),
            "quarantined": sum(t.get("quarantined", 0) for t in man.get("tables", {}).values()),
        }
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=1, default=str))
        return
    if current:
        click.echo(f"current snapshot: {current} (built {info['built_at']}, {info['age_seconds']} s ago"
                   f"{', DEMO DATA' if info['demo'] else ''})")
    else:
        click.echo("current snapshot: none (run `python -m pipeline build`)")
    click.echo(f"kept snapshots: {len(info['snapshots'])}")
    for name, s in info["sources"].items():
        line = f"source {name} ({s['kind']}, every {s['cadence_seconds']}s): last success {s['last_success'] or 'never'}"
        line += f", {s['rows']} rows, {s['quarantined']} quarantined"
        if s["error"]:
            line += f"\n  last error: {s['error']}"
        click.echo(line)
    for r in info["runs"][-5:]:
        click.echo(f"run {r.get('run')} {r.get('state')} at {r.get('at')}"
                   + (f": {r.get('error')}" if r.get("error") else ""))


@cli.command()
@click.option("--to", "to", help="Snapshot id (default: the one before the current).")
@click.option("--force", is_flag=True, help="Repoint even if the screens' queries cannot read that snapshot.")
def rollback(to, force):
    """Point CURRENT at an earlier snapshot."""
    from queries.database import Database

    settings = _settings()
    store = SnapshotStore(settings.snapshot_dir)
    db = Database(store, root_adcode=settings.root_adcode)
    try:
        # A snapshot kept from before an upgrade may lack tables the screens now read.
        chosen = store.rollback(to, problems=None if force else db.incompatibilities)
    except (LookupError, ValueError) as e:
        click.echo(str(e), err=True)
        sys.exit(EXIT_FAILED)
    finally:
        db.close()
    store.log_run(run=f"rollback-{chosen}", state="rollback", snapshot=chosen)
    click.echo(f"CURRENT -> {chosen}")


@cli.command()
def snapshots():
    """List kept snapshots (newest last)."""
    store = SnapshotStore(_settings().snapshot_dir)
    current = store.current_id()
    for s in store.list():
        click.echo(f"{'*' if s.id == current else ' '} {s.id}  {s.size / 1e6:8.1f} MB")


@cli.command("validate-source")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--encoding", default="utf-8", show_default=True, help="Encoding of CSV files (utf-8, gb18030).")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), help="Write the quarantine report as CSV.")
def validate_source(path, encoding, report):
    """Check a drop folder against the raw-table schemas without building anything."""
    import duckdb

    from pipeline.build import ensure_geo
    from pipeline.sources.folder import load_folder

    settings = _settings()
    regions = ensure_geo(settings)
    codes = set(int(a) for a in regions["adcode"])
    leaves = set(int(a) for a in regions.loc[regions["is_leaf"], "adcode"])
    con = duckdb.connect()
    result = load_folder(con, "check", path, region_codes=codes, leaf_codes=leaves, encoding=encoding)
    for w in result.pop("_warnings", []):
        click.echo(f"warning: {w}")
    total_bad = 0
    for table, info in sorted(result.items()):
        total_bad += info.get("quarantined", 0)
        click.echo(f"{table}: {info.get('rows', 0)} good rows, {info.get('quarantined', 0)} quarantined")
    has_q = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'quarantine'").fetchone()[0]
    if has_q:
        rows = con.execute("SELECT file, line, \"column\", value, reason FROM quarantine ORDER BY file, line LIMIT 50").fetchall()
        for f, line, col, val, reason in rows:
            click.echo(f"  {f}:{line} [{col}] {reason}" + (f" (value {val!r})" if val is not None else ""))
        if report:
            con.execute(f"COPY quarantine TO '{report}' (HEADER, DELIMITER ',')")
            click.echo(f"report written to {report}")
    if total_bad:
        sys.exit(EXIT_FAILED)


@cli.command()
@click.option("--root", type=int, help="Root region adcode.")
@click.option("--force", is_flag=True, help="Rebuild even if up to date.")
def geo(root, force):
    """Build the region tree and simplified boundary files for the root region."""
    from pipeline.geo import build_geo

    settings = _settings(root=root)
    summary = build_geo(settings.root_adcode, settings.geo_dir, force=force)
    click.echo(json.dumps(summary, ensure_ascii=False, default=str))


def main():
    cli(prog_name="python -m pipeline")


if __name__ == "__main__":
    main()
