"""The command line, as an operator runs it: help, exit codes, status, rollback."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

from tests.conftest import settings_env


def run(settings, *args, timeout=300):
    return subprocess.run([sys.executable, "-m", "pipeline", *args], env=settings_env(settings),
                          capture_output=True, text=True, timeout=timeout)


def test_help_lists_commands(fresh_settings):
    out = run(fresh_settings, "--help")
    assert out.returncode == 0
    for cmd in ("build", "schedule", "status", "rollback", "validate-source", "snapshots", "geo"):
        assert cmd in out.stdout


def test_unknown_option_is_a_usage_error(fresh_settings):
    out = run(fresh_settings, "build", "--bogus")
    assert out.returncode == 2 and "No such option" in out.stderr


def test_status_before_any_build(fresh_settings):
    out = run(fresh_settings, "status")
    assert out.returncode == 0 and "none" in out.stdout


def test_build_status_rollback_round_trip(fresh_settings):
    first = run(fresh_settings, "build", "--as-of", "2026-11-20T10:00:00", "--json")
    assert first.returncode == 0, first.stderr
    first_id = json.loads(first.stdout)["snapshot"]
    second = run(fresh_settings, "build", "--as-of", "2026-11-20T10:05:00", "--json")
    second_id = json.loads(second.stdout)["snapshot"]
    status = json.loads(run(fresh_settings, "status", "--json").stdout)
    assert status["current"] == second_id and status["demo"] is True
    assert status["sources"]["demo"]["rows"] > 0 and status["sources"]["demo"]["error"] is None
    back = run(fresh_settings, "rollback")
    assert back.returncode == 0 and first_id in back.stdout
    assert json.loads(run(fresh_settings, "status", "--json").stdout)["current"] == first_id
    bad = run(fresh_settings, "rollback", "--to", "no-such-id")
    assert bad.returncode == 1 and "不存在" in bad.stderr


def test_rollback_refuses_a_snapshot_the_screens_cannot_read(fresh_settings):
    import duckdb

    from core.snapshots import SnapshotStore

    old = json.loads(run(fresh_settings, "build", "--as-of", "2026-11-20T10:00:00", "--json").stdout)["snapshot"]
    new = json.loads(run(fresh_settings, "build", "--as-of", "2026-11-20T10:05:00", "--json").stdout)["snapshot"]
    store = SnapshotStore(fresh_settings.snapshot_dir)
    con = duckdb.connect(str(store.path(old)))     # as if built before that serving table existed
    con.execute("DROP TABLE sharing_catalog_day")
    con.close()
    refused = run(fresh_settings, "rollback")
    assert refused.returncode == 1 and "不兼容" in refused.stderr
    assert "queries/serve/sharing_catalog.sql" in refused.stderr and "sharing_catalog_day" in refused.stderr
    assert store.current_id() == new                                  # CURRENT untouched
    forced = run(fresh_settings, "rollback", "--force")
    assert forced.returncode == 0 and store.current_id() == old


def test_unreachable_source_keeps_last_good_data(fresh_settings, tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "statistic.csv").write_text("adcode,period,measure,value\n370302,2026-10-01,gdp,1.5\n", encoding="utf-8")
    s = replace(fresh_settings, sources=fresh_settings.sources + (
        replace(fresh_settings.sources[0], name="drop", kind="folder", options={"path": str(drop)}),))
    ok = run(s, "build", "--json")
    assert ok.returncode == 0, ok.stderr
    drop.rename(tmp_path / "gone")
    failed = run(s, "build", "--json")
    # The build still publishes (other sources, plus the drop's last staged rows),
    # but says the source failed and exits non-zero so cron/CI notices.
    assert failed.returncode == 1
    result = json.loads(failed.stdout)
    assert "drop" in result["source_errors"] and "not found" in result["source_errors"]["drop"]
    status = json.loads(run(s, "status", "--json").stdout)
    assert status["current"] == result["snapshot"]
    assert "not found" in status["sources"]["drop"]["error"]
    assert status["sources"]["drop"]["rows"] == 1
