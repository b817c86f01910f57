"""Serving queries rewritten for speed answer exactly what their previous SQL
answered, over more parameters than the screens use (window lengths up to all
of history, empty and negative windows, every scope and period). The previous
text is kept here as the reference; tests/queries/test_serving_queries.py
checks both against the detail tables."""
from __future__ import annotations

import itertools
from datetime import datetime

import pytest

from queries.sql import load_sql
from tests.conftest import AS_OF, ROOT
from tests.queries.test_serving_queries import _same

# sharing_catalog before the build kept running totals (resolved_to_day,
# ontime_to_day) and sharing_catalog_handling: it summed and listed every row
# of the window.
PREVIOUS = {
    "sharing_catalog": """
WITH m AS (SELECT LEAST(CAST(as_of AS DATE), CAST($period AS DATE)) AS last_day FROM snapshot_meta),
g AS (
    SELECT c.adcode, c.basis, any_value(c.name) AS name, any_value(c.level) AS level, m.last_day,
           any_value(c.entries) FILTER (WHERE c.next_day > m.last_day OR c.next_day IS NULL) AS entries,
           any_value(c.shareable) FILTER (WHERE c.next_day > m.last_day OR c.next_day IS NULL) AS shareable,
           any_value(c.open) FILTER (WHERE c.next_day > m.last_day OR c.next_day IS NULL) AS open,
           any_value(c.timely) FILTER (WHERE c.next_day > m.last_day OR c.next_day IS NULL) AS timely,
           any_value(c.objections_open) FILTER (WHERE c.next_day > m.last_day OR c.next_day IS NULL) AS objections_open,
           sum(c.resolved) FILTER (WHERE c.day > m.last_day - CAST($days AS INTEGER)) AS objections_resolved,
           sum(c.ontime) FILTER (WHERE c.day > m.last_day - CAST($days AS INTEGER)) AS objections_ontime,
           list(c.handling_days) FILTER (WHERE c.day > m.last_day - CAST($days AS INTEGER)) AS handling_days
    FROM sharing_catalog_day c
    CROSS JOIN m
    JOIN region_closure s ON s.ancestor = $scope AND s.descendant = $adcode
    WHERE (c.adcode = $adcode OR (c.parent = $adcode AND c.basis = 'subtree'))
      AND (c.day <= m.last_day OR c.day IS NULL)
      AND (c.next_day > m.last_day OR c.next_day IS NULL OR c.day > m.last_day - CAST($days AS INTEGER))
    GROUP BY c.adcode, c.basis, m.last_day
),
-- Requests are not kept as detail rows: the additive parts of the indicator
-- are. A node's own departments are its total minus its children's.
demand AS (
    SELECT v.adcode, sum(v.num) AS met, sum(v.den) AS requests
    FROM indicator_value v, m
    WHERE v.indicator = $indicator AND (v.adcode = $adcode OR v.parent = $adcode)
      AND v.period::DATE > m.last_day - CAST($days AS INTEGER) AND v.period::DATE <= m.last_day
    GROUP BY v.adcode
)
SELECT CASE WHEN g.adcode = $adcode AND g.basis = 'subtree' THEN 0 ELSE g.adcode END AS adcode,
       CASE WHEN g.adcode = $adcode AND g.basis = 'subtree' THEN NULL ELSE g.name END AS name,
       CASE WHEN g.adcode = $adcode AND g.basis = 'subtree' THEN NULL ELSE g.level END AS level,
       CASE WHEN g.basis = 'own' THEN 'own' WHEN g.adcode = $adcode THEN 'total' ELSE 'child' END AS row_kind,
       g.entries::BIGINT AS entries, g.shareable::BIGINT AS shareable, g.open::BIGINT AS open,
       g.timely::BIGINT AS timely, g.objections_open::BIGINT AS objections_open,
       COALESCE(g.objections_resolved, 0)::BIGINT AS objections_resolved,
       COALESCE(g.objections_ontime, 0)::BIGINT AS objections_ontime,
       list_aggregate(flatten(g.handling_days), 'median') AS handling_days_median,
       CASE WHEN g.basis = 'own'
            THEN COALESCE(sum(CASE WHEN d.adcode = $adcode THEN d.requests ELSE -d.requests END) OVER (), 0)
            ELSE d.requests END::DOUBLE AS requests,
       CASE WHEN g.basis = 'own'
            THEN COALESCE(sum(CASE WHEN d.adcode = $adcode THEN d.met ELSE -d.met END) OVER (), 0)
            ELSE d.met END::DOUBLE AS requests_met,
       g.last_day
FROM g
LEFT JOIN demand d ON d.adcode = g.adcode AND g.basis = 'subtree'
ORDER BY CASE WHEN g.basis = 'own' THEN 0 WHEN g.adcode <> $adcode THEN 1 ELSE 2 END, g.adcode
""",
}

PERIODS = [datetime(9999, 12, 31), AS_OF, datetime(2026, 11, 19, 23, 59, 59), datetime(2026, 10, 31, 23, 59, 59),
           datetime(2026, 6, 30, 23, 59, 59), datetime(2025, 12, 31, 23, 59, 59), datetime(2020, 1, 1)]
REGIONS = [(ROOT, ROOT), (ROOT, 370300), (ROOT, 370302), (370300, 370300), (370300, 370302), (370300, 370102),
           (370302, 370300)]
GRID = {"sharing_catalog": {"days": [30, 1, 7, 90, 365, 370000, 0, -3],      # the screens' values first
                            "indicator": ["demand_satisfaction", "gdp"]}}


def _cases(extra: dict) -> list[tuple]:
    """Every period with every combination of the other parameters, each in a
    region taken in turn; and every region at every period with the screens'
    values (the first of each). The full product of the three took a minute."""
    combos = list(itertools.product(*extra.values()))
    cases = [(REGIONS[i % len(REGIONS)], period, values)
             for i, (period, values) in enumerate(itertools.product(PERIODS, combos))]
    return cases + [(region, period, combos[0]) for region in REGIONS for period in PERIODS]


@pytest.mark.parametrize("name", sorted(PREVIOUS))
def test_rewritten_query_answers_as_before(db, name):
    con = db.cursor(db.snapshot_id())
    extra = GRID[name]
    checked = 0
    for (scope, adcode), period, values in _cases(extra):
        params = {"scope": scope, "adcode": adcode, "period": period, **dict(zip(extra, values))}
        got = db.execute(name, cached=False, **params)
        want = con.execute(PREVIOUS[name], params).to_arrow_table().to_pandas()
        _same(got, want)
        checked += not want.empty
    assert checked > len(REGIONS) * len(PERIODS)


def test_a_parsed_statement_runs_with_each_call_s_parameters(db):
    """execute() parses each query once per thread and reruns the parse tree:
    calls alternating their parameters each get their own answer."""
    con = db.cursor(db.snapshot_id())
    text = load_sql("serve/indicator_latest")
    for adcode in [ROOT, 370300, 370302, ROOT, 370302, 999999]:
        params = {"scope": ROOT, "adcode": adcode, "period": datetime(9999, 12, 31)}
        _same(db.execute("indicator_latest", cached=False, **params),
              con.execute(text, params).to_arrow_table().to_pandas())
