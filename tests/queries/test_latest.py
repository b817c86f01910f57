"""queries/serve/latest/<name>.sql answers what queries/serve/<name>.sql
answers, for every view at or after the snapshot's instant: every region of
the tree under every scope that contains it, and the reverse (a region above
the caller's scope). Database.execute takes it for those views only."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from queries.sql import QUERIES_DIR, load_sql
from queries.windows import FLOW_DAYS, LATEST_ONLY_FOR
from tests.conftest import AS_OF, ROOT
from tests.queries.test_serving_queries import _same

LATEST = sorted(p.stem for p in (QUERIES_DIR / "serve" / "latest").glob("*.sql"))
# Other parameters, each value in turn. A latest form listed in
# queries/windows.py LATEST_ONLY_FOR is compared for the values it holds.
EXTRA = {"sharing_providers": {"days": [1, 30, 365]},
         # a quarterly, a monthly, a daily, a node-level indicator and one the catalog lacks
         "indicator_children": {"indicator": ["gdp", "retail_sales", "api_success_rate", "pue", "no_such"]},
         "cloud_indicator_nodes": {"indicator": ["pue", "vcpu_util", "power_use", "gdp", "no_such"]},
         **{name: {k: [v] for k, v in only.items()} for name, only in LATEST_ONLY_FOR.items()}}


def _region_pairs(con) -> list[tuple[int, int]]:
    """(scope, adcode): the root and every city under the root, and every
    third county; every seventh region under its own city, and the other way
    round (a scope below the region asked for)."""
    under_root = con.execute("""
        SELECT c.ancestor, c.descendant FROM region_closure c JOIN region r ON r.adcode = c.descendant
        WHERE c.ancestor = $root AND (r.depth <= 1 OR r.adcode % 3 = 0) ORDER BY 2
    """, {"root": ROOT}).fetchall()
    under_city = con.execute("""
        SELECT c.ancestor, c.descendant FROM region_closure c JOIN region r ON r.adcode = c.ancestor
        WHERE r.parent = $root AND c.ancestor <> c.descendant ORDER BY 2
    """, {"root": ROOT}).fetchall()[::7]
    return [*under_root, *under_city, *((d, a) for a, d in under_city)]


def _extra(name, i: int) -> dict:
    """The i-th pair's other parameters: each value in turn."""
    return {k: v[i % len(v)] for k, v in EXTRA.get(name, {}).items()}


def test_every_latest_form_has_a_general_form():
    assert LATEST, "no queries/serve/latest/*.sql"
    for name in LATEST:
        assert (QUERIES_DIR / "serve" / f"{name}.sql").is_file(), name
        assert "$scope" in load_sql(f"serve/latest/{name}")


@pytest.mark.parametrize("name", LATEST)
def test_latest_form_answers_like_the_general_one(db, name):
    snap = db.snapshot_id()
    con = db.cursor(snap)
    general = load_sql(f"serve/{name}")
    pairs = _region_pairs(con)
    assert len(pairs) > 80
    as_of = db.as_of(snap)
    answered = 0
    for i, (scope, adcode) in enumerate(pairs):
        period = (datetime(9999, 12, 31), as_of.to_pydatetime())[i % 2]
        params = {"scope": scope, "adcode": adcode, "period": period, **_extra(name, i // 2)}
        got = db.execute(name, cached=False, **params)
        want = con.execute(general, {k: v for k, v in params.items() if f"${k}" in general}) \
            .to_arrow_table().to_pandas()
        _same(got, want)
        answered += len(want) > 0
    # not a comparison of empty answers; events still open lie in a third of
    # the regions, only the root and the cities have children, and the cloud's
    # node-level values are kept where a node is
    sparse = ("emergency_open_events", "indicator_children", "cloud_indicator_nodes")
    assert answered > len(pairs) // (4 if name in sparse else 2)


def test_execute_takes_the_latest_form_only_from_the_snapshot_s_instant(db, monkeypatch):
    ran = []
    real = db._statement
    monkeypatch.setattr(db, "_statement", lambda cursor, text: ran.append(text) or real(cursor, text))
    latest, general = load_sql("serve/latest/emergency_response_stats"), load_sql("serve/emergency_response_stats")
    for period, text in [(datetime(9999, 12, 31), latest), (AS_OF, latest), (AS_OF + timedelta(days=2), latest),
                         (AS_OF - timedelta(seconds=1), general), (datetime(2026, 6, 30), general)]:
        db.execute("emergency_response_stats", cached=False, adcode=ROOT, period=period)
        assert ran.pop() == text, period
    # a latest form that holds only the screens' window: other windows run the general form
    catalog = {"adcode": ROOT, "indicator": LATEST_ONLY_FOR["sharing_catalog"]["indicator"]}
    db.execute("sharing_catalog", cached=False, days=FLOW_DAYS, **catalog)
    assert ran.pop() == load_sql("serve/latest/sharing_catalog")
    db.execute("sharing_catalog", cached=False, days=FLOW_DAYS + 1, **catalog)
    assert ran.pop() == load_sql("serve/sharing_catalog")
    db.execute("sharing_catalog", cached=False, days=FLOW_DAYS, adcode=ROOT, indicator="gdp")
    assert ran.pop() == load_sql("serve/sharing_catalog")
    # a query without a latest form runs as written
    db.execute("emergency_counties", cached=False, adcode=ROOT)
    assert ran.pop() == load_sql("serve/emergency_counties")


def test_a_snapshot_without_the_serving_table_answers_through_the_general_form(db, tmp_path):
    """A snapshot built before a latest form's table existed, current when the
    new code starts, still answers (the general form), until the next build."""
    import shutil

    import duckdb

    from core.snapshots import SnapshotStore
    from queries.database import Database

    snap = db.snapshot_id()
    store = SnapshotStore(tmp_path)
    shutil.copy(db.store.path(snap), store.path(snap))
    con = duckdb.connect(str(store.path(snap)))
    con.execute("DROP TABLE emergency_response_latest")
    con.close()
    store.publish(snap)
    old = Database(store, root_adcode=ROOT)
    try:
        want = db.execute("emergency_response_stats", cached=False, adcode=370300)
        assert len(want) > 1
        for _ in range(2):      # the second call goes to the general form directly
            _same(old.execute("emergency_response_stats", cached=False, adcode=370300), want)
        assert old._missing_forms == {(snap, "latest")}
        assert old.incompatibilities(snap) == []     # so a rollback to it is not refused
    finally:
        old.close()
