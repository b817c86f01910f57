"""The in-process scheduler of `python app.py`: jobs are live, at each source's cadence."""
from __future__ import annotations

import time
from dataclasses import replace

from core.snapshots import SnapshotStore
from pipeline.build import run_pipeline
from pipeline.scheduler import make_scheduler, start_background
from tests.conftest import AS_OF


def test_jobs_are_scheduled_not_paused(fresh_settings):
    for first_run_now in (True, False):
        sched = make_scheduler(fresh_settings, blocking=False, first_run_now=first_run_now)
        sched.start(paused=True)
        try:
            jobs = sched.get_jobs()
            assert len(jobs) == len(fresh_settings.sources)
            for job in jobs:
                assert job.next_run_time is not None, "job was added paused"
                assert job.trigger.interval.total_seconds() == fresh_settings.sources[0].cadence_seconds
                assert sched._job_defaults["coalesce"] and sched._job_defaults["max_instances"] == 1
        finally:
            sched.shutdown(wait=False)


def test_background_scheduler_publishes_after_the_first_build(fresh_settings):
    s = replace(fresh_settings, sources=(replace(fresh_settings.sources[0], cadence_seconds=2),))
    first = run_pipeline(s, as_of=AS_OF).snapshot_id
    sched = start_background(s, first_run_now=False)      # exactly what app.main() does
    try:
        store = SnapshotStore(s.snapshot_dir)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and store.current_id() == first:
            time.sleep(0.5)
        assert store.current_id() != first
    finally:
        sched.shutdown(wait=True)
