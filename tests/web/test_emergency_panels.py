"""The emergency screen's own panels over the real demo snapshot: scoped to the
region, bounded by the period, never showing personal data."""
from __future__ import annotations

import json
import re
from datetime import datetime

import plotly.graph_objects as go
import pytest
from dash.development.base_component import Component

import pages  # noqa: F401  (registers the panels)
from pages.emergency_panels import LABELS, elapsed_text

PANELS = {"emergency-events-map": go.Figure, "emergency-open-events": Component,
          "emergency-response-stats": go.Figure, "emergency-hotline": go.Figure,
          "emergency-hotline-topics": go.Figure}
AS_OF = datetime(2026, 11, 20, 14, 30)
CITY = 370200


def _text(out) -> str:
    """Everything a panel sends to the browser, as one string."""
    if isinstance(out, go.Figure):
        return json.dumps(json.loads(out.to_json()), ensure_ascii=False)
    return json.dumps(out.to_plotly_json(), ensure_ascii=False, default=lambda o: getattr(o, "to_plotly_json",
                                                                                           lambda: str(o))())


def _subtree(con, adcode: int) -> set[int]:
    return {r[0] for r in con.execute("SELECT descendant FROM region_closure WHERE ancestor = ?", [adcode]).fetchall()}


@pytest.mark.parametrize("search", ["", f"?region={CITY}", "?region=370202", "?region=370200&lang=en&period=2026-06",
                                    "?theme=light"])
def test_every_emergency_panel_renders(render_panel, search):
    for pid, kind in PANELS.items():
        rows, out, title = render_panel(pid, search)
        assert isinstance(out, kind), (pid, search)
        assert isinstance(title, str) and title, (pid, search)


def test_panels_sit_in_their_own_grid_areas():
    from components.panels import REGISTRY

    areas = {REGISTRY[p].area for p in PANELS}
    assert areas == {"area-ev-map", "area-ev-list", "area-ev-stats", "area-hotline", "area-hotline-topics"}
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "assets" / "emergency.css").read_text(encoding="utf-8")
    for a in areas:
        assert f".{a}" in css, a
    # every rule is scoped to the emergency grid (the stylesheet loads on every page)
    selectors = [s.strip() for s in re.findall(r"([^{}]+)\{", re.sub(r"/\*.*?\*/", "", css, flags=re.S))]
    assert len(selectors) > 10
    for sel in (s for s in selectors if not s.startswith("@")):
        for part in sel.split(","):
            assert ".grid-emergency" in part, part


def test_open_events_are_the_unclosed_events_of_the_scope_most_severe_then_oldest(render_panel, snap_con):
    for search, root in (("", 370000), (f"?region={CITY}", CITY)):
        rows, out, title = render_panel("emergency-open-events", search)
        expect = snap_con.execute("""
            SELECT e.event_id FROM event e JOIN region_closure c ON c.descendant = e.adcode AND c.ancestor = ?
            WHERE e.closed_at IS NULL ORDER BY e.severity, e.reported_at, e.event_id""", [root]).fetchall()
        assert list(rows["event_id"]) == [r[0] for r in expect]
        assert len(expect) > 0, "the demo snapshot should have open events here"
        assert set(rows["status"]) <= {"接报", "处置中"}
        late = snap_con.execute("""
            SELECT count(*) FROM event e JOIN region_closure c ON c.descendant = e.adcode AND c.ancestor = ?
            WHERE e.closed_at IS NULL AND e.deadline_at < ?""", [root, AS_OF]).fetchone()[0]
        assert int(rows["overdue"].sum()) == late
        assert f"{len(expect)} 起" in title and f"超期 {late}" in title
        # shown: at most LIST_ROWS rows, the first ones; exported: all of them
        html_text = _text(out)
        shown = rows.head(15)
        for r in shown.itertuples():
            assert r.title in html_text
        first = rows.iloc[0]
        minutes = int((AS_OF - first["reported_at"].to_pydatetime()).total_seconds() // 60)
        assert first["elapsed_minutes"] == minutes
        assert elapsed_text(minutes, LABELS["zh"]) in html_text


def test_period_bounds_open_events_to_that_instant(render_panel, snap_con):
    rows, _, _ = render_panel("emergency-open-events", "?period=2026-06")
    end = datetime(2026, 6, 30, 23, 59, 59)
    expect = snap_con.execute("""
        SELECT event_id FROM event WHERE reported_at <= ? AND (closed_at IS NULL OR closed_at > ?)
        ORDER BY severity, reported_at, event_id""", [end, end]).fetchall()
    assert list(rows["event_id"]) == [r[0] for r in expect] and len(expect) > 0
    assert (rows["reported_at"] <= end).all()
    assert (rows["overdue"] == (rows["deadline_at"] < end)).all()


def test_city_scope_restricts_the_map_points_and_boundaries(render_panel, snap_con):
    city = _subtree(snap_con, CITY)
    rows, fig, title = render_panel("emergency-events-map", f"?region={CITY}")
    assert set(rows["adcode"]) <= city
    base = fig.data[0]
    assert isinstance(base, go.Choropleth) and "county.geojson" in base.geojson
    counties = {r[0] for r in snap_con.execute(
        "SELECT adcode FROM region WHERE parent = ? AND level = 'county'", [CITY]).fetchall()}
    assert set(base.locations) == counties
    # every event point drawn is an open event of the city, at its coordinates
    drawn = {(round(lo, 6), round(la, 6)) for tr in fig.data if (tr.uid or "").startswith("ev-")
             for lo, la in zip(tr.lon, tr.lat) if lo is not None}
    expect = {(round(lo, 6), round(la, 6)) for lo, la in snap_con.execute("""
        SELECT e.lon, e.lat FROM event e JOIN region_closure c ON c.descendant = e.adcode AND c.ancestor = ?
        WHERE e.closed_at IS NULL""", [CITY]).fetchall()}
    assert drawn == expect and drawn
    # the map is framed on the city: every point inside the frame, the frame not much larger
    lons = [lo for tr in fig.data[1:] for lo in tr.lon if lo is not None]
    lats = [la for tr in fig.data[1:] for la in tr.lat if la is not None]
    (x0, x1), (y0, y1) = fig.layout.geo.lonaxis.range, fig.layout.geo.lataxis.range
    assert x0 < min(lons) and max(lons) < x1 and y0 < min(lats) and max(lats) < y1
    assert x1 - x0 < 1.2 * (max(lons) - min(lons)) + 0.2
    # the whole province has more of everything
    all_rows, _, _ = render_panel("emergency-events-map")
    assert len(all_rows) > len(rows)


def test_map_colours_events_by_severity_and_filters_by_type_and_status(render_panel, snap_con):
    from components.figures_emergency import SEVERITY_COLORS

    rows, fig, _ = render_panel("emergency-events-map")
    ev = [tr for tr in fig.data if (tr.uid or "").startswith("ev-")]
    open_ev = snap_con.execute("SELECT category, status, severity FROM event WHERE closed_at IS NULL").fetchall()
    assert {tr.uid for tr in ev} == {f"ev-{c}-{s}" for c, s, _ in open_ev}
    colours = sorted(col for tr in ev for lo, col in zip(tr.lon, tr.marker.color) if lo is not None)
    assert colours == sorted(SEVERITY_COLORS[s] for _, _, s in open_ev)
    assert all(tr.legendgroup and tr.legendgrouptitle.text for tr in ev)
    assert fig.layout.uirevision          # legend filters survive updates


def _resource_counts(snap_con, root):
    return dict(snap_con.execute("""
        SELECT x.kind, count(*) FROM resource x
        JOIN region_closure c ON c.descendant = x.adcode AND c.ancestor = ? GROUP BY x.kind""", [root]).fetchall())


def test_resource_layers_are_on_the_map(render_panel, snap_con):
    for search, root in (("", 370000), (f"?region={CITY}", CITY)):
        rows, fig, _ = render_panel("emergency-events-map", search)
        layers = {tr.uid: tr for tr in fig.data if (tr.uid or "").startswith("res-")}
        counts = _resource_counts(snap_con, root)
        assert set(counts) == {"risk_point", "hazard_source", "warehouse", "rescue_team"}
        assert len({tr.marker.symbol for tr in layers.values()}) == 4
        assert all(tr.legend == "legend2" for tr in layers.values())
        # every resource is in the export, whatever the map draws
        assert rows["layer"].value_counts().drop("event", errors="ignore").to_dict() == counts
    # a city draws every point
    _, fig, _ = render_panel("emergency-events-map", f"?region={CITY}")
    layers = {tr.uid: tr for tr in fig.data if (tr.uid or "").startswith("res-")}
    counts = _resource_counts(snap_con, CITY)
    assert {k: len(layers[f"res-{k}"].lon) for k in counts} == counts


def test_province_map_summarises_resources_per_county(render_panel, snap_con):
    _, fig, _ = render_panel("emergency-events-map")
    per_county = snap_con.execute("""
        SELECT x.kind, r.lon, r.lat, count(*) FROM resource x JOIN region r ON r.adcode = x.adcode
        GROUP BY ALL""").fetchall()
    layers = {tr.uid: tr for tr in fig.data if (tr.uid or "").startswith("res-")}
    for kind in {k for k, *_ in per_county}:
        tr = layers[f"res-{kind}"]
        expect = {(round(lo, 6), round(la, 6)): n for k, lo, la, n in per_county if k == kind}
        drawn = {(round(lo, 6), round(la, 6)) for lo, la in zip(tr.lon, tr.lat)}
        assert drawn == set(expect)                 # one marker per county, at its centre
        assert all(f" {n} 处" in h for h, n in zip(tr.customdata, (expect[(round(lo, 6), round(la, 6))]
                                                                   for lo, la in zip(tr.lon, tr.lat))))
        sizes = dict(zip(((round(lo, 6), round(la, 6)) for lo, la in zip(tr.lon, tr.lat)), tr.marker.size))
        big, small = max(expect, key=expect.get), min(expect, key=expect.get)
        assert expect[big] == expect[small] or sizes[big] > sizes[small]   # area follows the count
    # at province level the thousands of risk points start hidden, one click away
    _, fig, _ = render_panel("emergency-events-map")
    vis = {tr.uid: tr.visible for tr in fig.data if (tr.uid or "").startswith("res-")}
    assert vis["res-risk_point"] == "legendonly" and vis["res-warehouse"] is True


def test_no_personal_data_anywhere(render_panel, snap_con):
    phones = {r[0] for r in snap_con.execute(
        "SELECT phone FROM work_order WHERE phone IS NOT NULL LIMIT 2000").fetchall()}
    callers = {r[0] for r in snap_con.execute(
        "SELECT DISTINCT caller FROM work_order WHERE caller IS NOT NULL AND length(caller) >= 2").fetchall()}
    reporters = {r[0] for r in snap_con.execute(
        "SELECT DISTINCT reporter FROM event WHERE reporter IS NOT NULL").fetchall()}
    assert phones and callers and reporters
    # a mobile number, whole or masked (133****6061), not the digits of a coordinate
    phone_like = re.compile(r"(?<![\d.])1[3-9]\d[\d*]{4}\d{4}(?![\d.])")
    for search in ("", f"?region={CITY}"):
        for pid in PANELS:
            rows, out, title = render_panel(pid, search)
            assert not {"phone", "caller", "reporter"} & set(rows.columns), pid
            text = _text(out) + title + rows.to_csv()
            assert not phone_like.search(text), pid
            assert not any(p in text for p in phones), pid
            assert not any(r in text for r in reporters), pid
            assert not any(c in text for c in callers), pid


def test_response_stats_match_the_event_table(render_panel, snap_con):
    rows, fig, title = render_panel("emergency-response-stats", f"?region={CITY}")
    median_resp, median_close, n = snap_con.execute("""
        SELECT median(date_diff('second', e.reported_at, e.responded_at) / 60.0),
               median(date_diff('second', e.reported_at, e.closed_at) / 3600.0), count(*)
        FROM event e JOIN region_closure c ON c.descendant = e.adcode AND c.ancestor = ?
        WHERE e.reported_at > TIMESTAMP '2026-11-20 14:30' - INTERVAL 30 DAY""", [CITY]).fetchone()
    total = rows[rows["category"].isna()].iloc[0]
    assert total["events"] == n
    assert total["response_median_min"] == pytest.approx(median_resp)
    assert total["handling_median_h"] == pytest.approx(median_close)
    cats = rows[rows["category"].notna()]
    assert cats["events"].sum() == n
    # one median bar for all events, then one per category, in each of the two subplots
    bars = [tr for tr in fig.data if isinstance(tr, go.Bar)]
    assert len(bars) == 2 and all(len(b.x) == len(cats) + 1 for b in bars)
    assert bars[0].y[0].startswith("全部") and bars[0].x[0] == pytest.approx(median_resp)
    assert bars[1].x[0] == pytest.approx(median_close)


def test_hotline_volume_and_rates_match_the_work_orders(render_panel, snap_con):
    rows, fig, _ = render_panel("emergency-hotline", f"?region={CITY}")
    per_day = dict(snap_con.execute("""
        SELECT CAST(w.created_at AS DATE), count(*) FROM work_order w
        JOIN region_closure c ON c.descendant = w.adcode AND c.ancestor = ? GROUP BY 1""", [CITY]).fetchall())
    assert dict(zip(rows["day"], rows["orders"])) == per_day
    assert list(fig.data[0].y) == list(rows["orders"])
    assert rows["partial"].iloc[-1] and not rows["partial"].iloc[:-1].any()
    assert rows["on_time_rate"].between(0, 1).all()
    assert len(fig.data) == 3 and fig.data[1].yaxis == "y2"

    trows, tfig, _ = render_panel("emergency-hotline-topics", f"?region={CITY}")
    top = snap_con.execute("""
        SELECT w.topic, count(*) AS n FROM work_order w
        JOIN region_closure c ON c.descendant = w.adcode AND c.ancestor = ?
        WHERE w.created_at > TIMESTAMP '2026-11-20 14:30' - INTERVAL 30 DAY
        GROUP BY 1 ORDER BY n DESC, w.topic LIMIT 10""", [CITY]).fetchall()
    assert list(tfig.data[0].y) == [r[0] for r in top]
    assert list(tfig.data[0].x) == [r[1] for r in top]
    sat, rated = snap_con.execute("""
        SELECT count(*) FILTER (WHERE w.satisfied), count(w.satisfied) FROM work_order w
        JOIN region_closure c ON c.descendant = w.adcode AND c.ancestor = ?
        WHERE w.created_at > TIMESTAMP '2026-11-20 14:30' - INTERVAL 30 DAY""", [CITY]).fetchone()
    total = trows[trows["topic"].isna()].iloc[0]
    assert total["satisfaction_rate"] == pytest.approx(sat / rated)
    assert f"{sat / rated * 100:.1f}%" in _text(tfig)


def test_hotline_is_empty_before_the_orders_begin(render_panel):
    rows, fig, _ = render_panel("emergency-hotline", "?period=2026-06")
    assert rows.empty and len(fig.data) == 0


@pytest.mark.parametrize("minutes, zh, en", [(0, "0分钟", "0 min"), (18, "18分钟", "18 min"), (60, "1小时", "1 h"),
                                             (312, "5小时12分", "5 h 12 min"), (1440, "1天", "1 d"),
                                             (4132, "2天20小时", "2 d 20 h"), (None, "—", "—")])
def test_elapsed_text(minutes, zh, en):
    assert elapsed_text(minutes, LABELS["zh"]) == zh
    assert elapsed_text(minutes, LABELS["en"]) == en


def test_exports_hold_every_open_event_and_no_personal_data(client, snap_con):
    import io

    import pandas as pd

    resp = client.get("/export/emergency-open-events.csv")
    assert resp.status_code == 200
    text = resp.data.decode("utf-8-sig")
    df = pd.read_csv(io.StringIO(text), comment="#")
    n = snap_con.execute("SELECT count(*) FROM event WHERE closed_at IS NULL").fetchone()[0]
    assert len(df) == n                      # all of them, not just the rows on screen
    assert {"event_id", "severity", "title", "county", "elapsed", "status", "overdue"} <= set(df.columns)
    assert not {"reporter", "phone", "caller"} & set(df.columns)
    resp = client.get(f"/export/emergency-events-map.xlsx?region={CITY}")
    assert resp.status_code == 200
    rows = pd.read_excel(io.BytesIO(resp.data), skiprows=2)
    assert set(rows["layer"]) == {"event", "risk_point", "hazard_source", "warehouse", "rescue_team"}
    assert rows["adcode"].between(370200, 370299).all()


def test_hotline_rates_are_trailing_seven_calendar_days():
    import pandas as pd

    from components.figures_emergency import hotline_daily
    from pages.emergency_panels import LABELS

    # a quiet county: no order at all on the 3rd to the 9th
    df = pd.DataFrame({"day": pd.to_datetime(["2026-11-01", "2026-11-02", "2026-11-10", "2026-11-11"]).date,
                       "orders": [4, 2, 1, 3], "on_time": [4, 1, 0, 3], "decided": [4, 2, 1, 3],
                       "satisfied": [1, 1, 1, 1], "rated": [2, 1, 1, 1], "partial": [False, False, False, True]})
    fig = hotline_daily(df, labels={**LABELS["zh"], "unit": "件"})
    on_time = list(fig.data[1].y)
    assert on_time[:2] == [1.0, pytest.approx(5 / 6)]
    assert on_time[2] == 0.0                 # the 1st and 2nd are outside the 7 days before the 10th
    assert on_time[3] is None or on_time[3] != on_time[3]     # today is still filling: no rate
    assert "（7日）" in fig.data[1].name
