"""APScheduler jobs that keep snapshots fresh: one job per source, at its cadence.

Exactly one scheduler may run per data directory. APScheduler has no cross-process
coordination (inside gunicorn every worker would start its own and jobs would run
N times), so the scheduler holds a file lock for its whole life; a second one
either exits or, with standby, waits to take over. The pipeline lock is the
second guard: two builds never overlap even if two schedulers did.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from filelock import FileLock, Timeout

from core.settings import Settings
from pipeline.build import PipelineBusy, run_pipeline

log = logging.getLogger("cockpit.scheduler")


class SchedulerLocked(RuntimeError):
    pass


def refresh_source(settings: Settings, source: str, before_publish=None) -> None:
    """Ingest one source and publish a new snapshot built from all staged data."""
    try:
        # Wait a while for a build another job started; skip this tick if it takes longer
        # (coalesce means the next tick comes soon anyway).
        result = run_pipeline(settings, ingest_names=[source], wait=120, before_publish=before_publish)
    except PipelineBusy:
        log.warning("refresh of %s skipped: another build is still running", source)
        return
    except Exception:  # noqa: BLE001 - logged in runs.jsonl too; the scheduler must keep running
        log.exception("refresh of %s failed; the last good snapshot keeps serving", source)
        return
    log.info("published %s in %.1fs (source %s)", result.snapshot_id, result.seconds, source)


def acquire_scheduler_lock(settings: Settings, *, standby: bool = False) -> FileLock:
    settings.lock_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(settings.lock_dir / "scheduler.lock"))
    while True:
        try:
            lock.acquire(timeout=0)
            return lock
        except Timeout:
            if not standby:
                raise SchedulerLocked(
                    "另一个调度进程正在运行 (another scheduler holds data/locks/scheduler.lock)") from None
            time.sleep(5)


def make_scheduler(settings: Settings, *, blocking: bool, first_run_now: bool = True, before_publish=None):
    """before_publish(snapshot_id): see pipeline.build.run_pipeline."""
    cls = BlockingScheduler if blocking else BackgroundScheduler
    sched = cls(job_defaults={"coalesce": True, "max_instances": 1}, timezone="Asia/Shanghai")
    for cfg in settings.sources:
        # APScheduler 3 reads next_run_time=None as "add paused": leave it out
        # unless the first run is due now.
        when = {"next_run_time": datetime.now().astimezone()} if first_run_now else {}
        sched.add_job(
            refresh_source, "interval", seconds=cfg.cadence_seconds, args=[settings, cfg.name, before_publish],
            id=f"refresh:{cfg.name}", name=f"refresh {cfg.name} every {cfg.cadence_seconds}s",
            misfire_grace_time=max(30, cfg.cadence_seconds // 2), **when,
        )
    return sched


def start_background(settings: Settings, *, first_run_now: bool = False, before_publish=None):
    """For `python app.py`: run in-process if no other scheduler owns the data directory."""
    try:
        lock = acquire_scheduler_lock(settings)
    except SchedulerLocked as e:
        log.warning("%s; this process serves only", e)
        return None
    sched = make_scheduler(settings, blocking=False, first_run_now=first_run_now, before_publish=before_publish)
    sched.start()
    sched._cockpit_lock = lock  # keep the lock alive as long as the scheduler
    return sched
