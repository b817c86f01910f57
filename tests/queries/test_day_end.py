"""queries/serve/day_end/<name>.sql answers what queries/serve/<name>.sql
answers at the end of a day before the snapshot's instant (23:59:59, where a
period in the URL ends), for every held day end: regions under every scope
that contains them and the reverse. Database.execute takes it for those
instants only."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from queries.sql import QUERIES_DIR, load_sql
from queries.windows import DAY_END_ONLY_FOR, FLOW_DAYS, day_ends
from tests.conftest import AS_OF, ROOT
from tests.queries.test_latest import _region_pairs
from tests.queries.test_serving_queries import _same

DAY_END = sorted(p.stem for p in (QUERIES_DIR / "serve" / "day_end").glob("*.sql"))
FIRST, LAST = day_ends(AS_OF)


def _end(day) -> datetime:
    return datetime.combine(day, time(23, 59, 59))


# The last held day end, the one a week before (the data's recent past),
# month ends before it, one before any detail row of the fixture, the first held.
ENDS = [_end(LAST), _end(LAST - timedelta(days=7)), datetime(2026, 10, 31, 23, 59, 59),
        datetime(2026, 9, 30, 23, 59, 59), datetime(2026, 3, 31, 23, 59, 59), _end(FIRST)]


def test_day_ends_are_the_year_of_days_that_ended_before_the_snapshot_s_instant():
    assert day_ends(datetime(2026, 11, 20, 0, 0, 0)) == (datetime(2025, 11, 20).date(), datetime(2026, 11, 19).date())
    # at 23:59:59 itself the day has not ended before the instant: the latest form answers it
    assert day_ends(datetime(2026, 11, 19, 23, 59, 59))[1] == datetime(2026, 11, 18).date()
    assert day_ends(datetime(2026, 11, 19, 23, 59, 59, 1))[1] == datetime(2026, 11, 19).date()


def test_every_day_end_form_has_a_general_form():
    assert DAY_END, "no queries/serve/day_end/*.sql"
    for name in DAY_END:
        assert (QUERIES_DIR / "serve" / f"{name}.sql").is_file(), name
        assert "$scope" in load_sql(f"serve/day_end/{name}")


@pytest.mark.parametrize("name", DAY_END)
def test_day_end_form_answers_like_the_general_one(db, name, monkeypatch):
    ran = []
    real = db._statement
    monkeypatch.setattr(db, "_statement", lambda cursor, text: ran.append(text) or real(cursor, text))
    snap = db.snapshot_id()
    con = db.cursor(snap)
    general, day_end = load_sql(f"serve/{name}"), load_sql(f"serve/day_end/{name}")
    only = DAY_END_ONLY_FOR.get(name, {})
    pairs = _region_pairs(con)
    answered = 0
    for i, (scope, adcode) in enumerate(pairs):
        period = ENDS[i % len(ENDS)]
        params = {"scope": scope, "adcode": adcode, "period": period, **only}
        got = db.execute(name, cached=False, **params)
        assert ran.pop() == day_end, (scope, adcode, period)
        want = con.execute(general, {k: v for k, v in params.items() if f"${k}" in general}) \
            .to_arrow_table().to_pandas()
        _same(got, want)
        answered += len(want) > 0 and period >= datetime(2026, 10, 31)
    # not a comparison of empty answers: the fixture's detail rows lie in its
    # last weeks, and events still open in a few regions
    assert answered > len(pairs) // (8 if name == "emergency_open_events" else 4)


def test_execute_takes_the_day_end_form_only_at_held_day_ends(db, monkeypatch):
    ran = []
    real = db._statement
    monkeypatch.setattr(db, "_statement", lambda cursor, text: ran.append(text) or real(cursor, text))
    name = "emergency_hotline_topics"
    day_end, general, latest = (load_sql(f"serve/{f}{name}") for f in ("day_end/", "", "latest/"))
    for period, text in [(_end(LAST), day_end), (_end(FIRST), day_end), (datetime(2026, 6, 30, 23, 59, 59), day_end),
                         (_end(FIRST - timedelta(days=1)), general),        # before the days held
                         (_end(LAST) - timedelta(seconds=1), general),     # not a day end
                         (_end(LAST) + timedelta(microseconds=1), general),
                         (AS_OF, latest), (datetime(9999, 12, 31), latest)]:
        db.execute(name, cached=False, adcode=ROOT, period=period)
        assert ran.pop() == text, period
    # held for the screens' window only
    providers = {"adcode": ROOT, "period": _end(LAST)}
    db.execute("sharing_providers", cached=False, days=FLOW_DAYS, **providers)
    assert ran.pop() == load_sql("serve/day_end/sharing_providers")
    db.execute("sharing_providers", cached=False, days=FLOW_DAYS + 1, **providers)
    assert ran.pop() == load_sql("serve/sharing_providers")
    # the latest form holds every window
    db.execute("sharing_providers", cached=False, days=FLOW_DAYS + 1, adcode=ROOT)
    assert ran.pop() == load_sql("serve/latest/sharing_providers")


def test_a_snapshot_without_a_day_end_table_answers_through_the_general_form(db, tmp_path):
    """A snapshot built before the day_end tables existed still answers, and
    its latest forms still serve."""
    import shutil

    import duckdb

    from core.snapshots import SnapshotStore
    from queries.database import Database

    snap = db.snapshot_id()
    store = SnapshotStore(tmp_path)
    shutil.copy(db.store.path(snap), store.path(snap))
    con = duckdb.connect(str(store.path(snap)))
    con.execute("DROP TABLE work_order_topic_end")
    con.close()
    store.publish(snap)
    old = Database(store, root_adcode=ROOT)
    try:
        params = {"adcode": 370300, "period": _end(LAST - timedelta(days=3))}
        want = db.execute("emergency_hotline_topics", cached=False, **params)
        assert len(want) > 1
        for _ in range(2):      # the second call goes to the general form directly
            _same(old.execute("emergency_hotline_topics", cached=False, **params), want)
        assert old._missing_forms == {(snap, "day_end")}
        _same(old.execute("emergency_hotline_topics", cached=False, adcode=370300),
              db.execute("emergency_hotline_topics", cached=False, adcode=370300))
        assert old._missing_forms == {(snap, "day_end")}
    finally:
        old.close()
