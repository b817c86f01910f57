"""The demo source: schema, geography, determinism, liveness, magnitudes, planted anomalies.

Real Shandong geography (build_geo into a session temp dir); scale 0.01 unless noted.
"""
from __future__ import annotations

import json
import re
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)
import pytest
import shapely
import yaml

from pipeline.raw_schema import RAW_BY_NAME, RAW_TABLES
from pipeline.sources import demo

PROJECT = Path(__file__).resolve().parents[3]
AS_OF = datetime(2026, 11, 20, 14, 30, 0)
LATER = AS_OF + timedelta(hours=1)
SEED = 7
TINY = 0.01
ANOM = {a["id"]: a for a in demo.PLANTED_ANOMALIES}
STATUS = {
    "emergency_event": ("responded_at", "closed_at"),
    "work_order": ("closed_at", "satisfied"),
    "share_request": ("answered_at", "satisfied"),
    "quality_objection": ("resolved_at",),
    "emergency_resource": ("updated_at",),
    "data_catalog": ("last_updated",),
}
# Planned times, legitimately after as_of.
DEADLINES = {("emergency_event", "deadline_at"), ("work_order", "due_at")}


def _run(regions, geo_dir, *, seed=SEED, scale=TINY, as_of=AS_OF):
    chunks: dict[str, list[pa.Table]] = {}
    for name, chunk in demo.generate(regions, geo_dir, seed=seed, scale=scale, as_of=as_of):
        chunks.setdefault(name, []).append(chunk)
    return chunks


def _tables(chunks) -> dict[str, pa.Table]:
    return {n: pa.concat_tables(c) for n, c in chunks.items()}


@pytest.fixture(scope="session")
def geo_dir(tmp_path_factory) -> Path:
    from pipeline.geo import build_geo

    out = tmp_path_factory.mktemp("geo") / "370000"
    build_geo(370000, out)
    return out


@pytest.fixture(scope="session")
def regions(geo_dir):
    from pipeline.geo import load_regions

    return load_regions(geo_dir)


@pytest.fixture(scope="session")
def run(regions, geo_dir):
    started = time.perf_counter()
    chunks = _run(regions, geo_dir)
    return chunks, time.perf_counter() - started


@pytest.fixture(scope="session")
def chunks(run):
    return run[0]


@pytest.fixture(scope="session")
def tables(chunks):
    return _tables(chunks)


@pytest.fixture(scope="session")
def later(regions, geo_dir):
    return _tables(_run(regions, geo_dir, as_of=LATER))


@pytest.fixture(scope="session")
def con(tables, regions):
    c = duckdb.connect()
    for name, t in tables.items():
        c.register(name, t)
    c.register("regions", regions)
    return c


def _one(con, sql, params=None):
    return con.execute(sql, params or []).fetchone()


def _codes(regions, level):
    return set(regions.loc[regions["level"] == level, "adcode"].astype(int))


# --------------------------------------------------------------------------- schema


def test_every_raw_table_is_delivered(chunks):
    assert set(chunks) == {t.name for t in RAW_TABLES}
    for t in RAW_TABLES:
        assert sum(c.num_rows for c in chunks[t.name]) > 0, t.name


def test_chunks_match_the_schema_exactly(chunks):
    arrow = {"INTEGER": pa.int32(), "SMALLINT": pa.int16(), "DOUBLE": pa.float64(), "BOOLEAN": pa.bool_(),
             "DATE": pa.date32(), "TIMESTAMP": pa.timestamp("us"), "VARCHAR": pa.string()}
    for name, parts in chunks.items():
        spec = RAW_BY_NAME[name]
        for chunk in parts:
            assert tuple(chunk.column_names) == spec.column_names, name
            for col in spec.columns:
                assert chunk.schema.field(col.name).type == arrow[col.type], (name, col.name)
            assert chunk.num_rows <= 2_000_000


def test_required_columns_choices_and_bounds(con):
    for spec in RAW_TABLES:
        for col in spec.columns:
            q = f'SELECT count(*) FILTER (WHERE "{col.name}" IS NULL) FROM {spec.name}'
            if col.required:
                assert _one(con, q)[0] == 0, (spec.name, col.name)
            if col.choices:
                bad = _one(con, f'SELECT count(*) FROM {spec.name} WHERE "{col.name}" NOT IN '
                                f'({",".join("?" * len(col.choices))})', list(col.choices))[0]
                assert bad == 0, (spec.name, col.name)
            if col.min is not None:
                assert _one(con, f'SELECT count(*) FROM {spec.name} WHERE "{col.name}" < ?', [col.min])[0] == 0
            if col.max is not None:
                assert _one(con, f'SELECT count(*) FROM {spec.name} WHERE "{col.name}" > ?', [col.max])[0] == 0


def test_keys_are_unique(con):
    for spec in RAW_TABLES:
        keys = ", ".join(f'"{k}"' for k in spec.key)
        n, distinct = _one(con, f"SELECT count(*), count(DISTINCT ({keys})) FROM {spec.name}")
        assert n == distinct, spec.name


def test_region_codes_are_in_the_tree_and_leaf_columns_are_leaves(tables, regions):
    all_codes = set(regions["adcode"].astype(int))
    leaves = set(regions.loc[regions["is_leaf"], "adcode"].astype(int))
    for spec in RAW_TABLES:
        for col in spec.columns:
            if not col.region:
                continue
            used = set(tables[spec.name].column(col.name).to_numpy().tolist())
            assert used <= (leaves if col.region == "leaf" else all_codes), (spec.name, col.name)
    # every county gets events, orders, resources
    for name in ("emergency_event", "work_order", "emergency_resource"):
        assert set(tables[name].column("adcode").to_numpy().tolist()) == leaves, name


def _polygons(geo_dir):
    fc = json.loads((geo_dir / "county.geojson").read_text(encoding="utf-8"))
    return {int(f["id"]): shapely.from_geojson(json.dumps(f["geometry"])) for f in fc["features"]}


@pytest.mark.parametrize("table", ["emergency_event", "emergency_resource"])
def test_points_lie_inside_their_county(tables, geo_dir, table):
    polys = _polygons(geo_dir)
    t = tables[table]
    ad = t.column("adcode").to_numpy()
    lon, lat = t.column("lon").to_numpy(), t.column("lat").to_numpy()
    geoms = np.array([polys[int(a)] for a in ad], dtype=object)
    assert shapely.contains_xy(geoms, lon, lat).all()


def test_event_categories_and_subtypes_are_consistent(con):
    pairs = set(con.execute("SELECT DISTINCT category, subtype FROM emergency_event").fetchall())
    by_sub = {}
    for cat, sub in pairs:
        by_sub.setdefault(sub, set()).add(cat)
    assert all(len(c) == 1 for c in by_sub.values())
    expected = {("自然灾害", "森林火灾"), ("自然灾害", "防汛抗旱"), ("自然灾害", "城市内涝"), ("自然灾害", "地质灾害"),
                ("事故灾难", "危化品"), ("事故灾难", "煤矿/非煤矿山"), ("事故灾难", "道路交通"),
                ("事故灾难", "建筑施工"), ("事故灾难", "大面积停电"), ("事故灾难", "工贸"), ("社会安全", "景区客流")}
    assert expected <= pairs
    assert {c for c, _ in pairs} == {"自然灾害", "事故灾难", "公共卫生", "社会安全"}
    # titles name the county and the kind of incident
    t = _one(con, """SELECT count(*) FROM emergency_event e JOIN regions r USING (adcode)
                     WHERE NOT starts_with(e.title, r.name)""")[0]
    assert t == 0


def test_severity_mix(con):
    n, s4, s3, s2, s1 = _one(con, """SELECT count(*), count(*) FILTER (WHERE severity = 4),
        count(*) FILTER (WHERE severity = 3), count(*) FILTER (WHERE severity = 2),
        count(*) FILTER (WHERE severity = 1) FROM emergency_event""")
    assert s4 / n > 0.85 and 0.03 < s3 / n < 0.12 and s2 / n < 0.03 and s1 / n < 0.002


def test_personal_data_is_masked(con):
    for table, col in (("emergency_event", "reporter"), ("work_order", "caller"), ("work_order", "phone")):
        vals = [r[0] for r in con.execute(f"SELECT {col} FROM {table} WHERE {col} IS NOT NULL").fetchall()]
        assert vals and all("*" in v for v in vals), (table, col)
        assert not any(re.search(r"1\d{10}", v) for v in vals)
    assert all(re.fullmatch(r"1\d\d\*{4}\d{4}", r[0]) for r in con.execute(
        "SELECT phone FROM work_order WHERE phone IS NOT NULL LIMIT 1000").fetchall())


def test_demo_notice():
    assert demo.DEMO_NOTICE == "演示数据（模拟生成，非真实统计）"


def test_tiny_scale_is_fast(run):
    assert run[1] < 3.0


# --------------------------------------------------------------------------- determinism and liveness


def test_same_arguments_give_identical_tables(tables, regions, geo_dir):
    again = _tables(_run(regions, geo_dir))
    for name, t in tables.items():
        assert again[name].equals(t), name


def test_another_seed_gives_other_facts(tables, regions, geo_dir):
    other = _tables(_run(regions, geo_dir, seed=SEED + 1))
    assert not other["emergency_event"].equals(tables["emergency_event"])
    assert not other["statistic"].equals(tables["statistic"])


def _time_columns(spec):
    return [c.name for c in spec.columns if c.type in ("TIMESTAMP", "DATE") and (spec.name, c.name) not in DEADLINES]


@pytest.mark.parametrize("which", ["now", "later"])
def test_nothing_after_as_of(tables, later, which):
    data, as_of = (tables, AS_OF) if which == "now" else (later, LATER)
    for spec in RAW_TABLES:
        for col in _time_columns(spec):
            arr = data[spec.name].column(col).drop_null()
            if len(arr) == 0:
                continue
            top = max(arr.to_pylist())
            limit = as_of if spec.column(col).type == "TIMESTAMP" else as_of.date()
            if spec.name == "statistic" or spec.name == "cloud_energy":
                limit = as_of.date() - timedelta(days=1)  # complete periods / days only
            assert top <= limit, (spec.name, col, top)


@pytest.mark.parametrize("table,key,time_col", [
    ("emergency_event", "event_id", "reported_at"),
    ("work_order", "order_id", "created_at"),
    ("share_request", "request_id", "requested_at"),
    ("quality_objection", "objection_id", "raised_at"),
    ("api_call", "call_id", "ts"),
])
def test_later_as_of_keeps_the_past_and_only_progresses_status(tables, later, table, key, time_col):
    old = tables[table].to_pandas().set_index(key)
    new = later[table].to_pandas().set_index(key)
    assert old.index.isin(new.index).all(), "facts must not disappear within the same day"
    fresh = new.loc[~new.index.isin(old.index)]
    assert (fresh[time_col] > AS_OF).all() and (fresh[time_col] <= LATER).all()
    if table in ("work_order", "api_call"):  # busy enough to see new rows every hour
        assert len(fresh) > 0
    both = new.loc[old.index]
    status = STATUS.get(table, ())
    fixed = [c for c in old.columns if c not in status]
    assert old[fixed].equals(both[fixed])
    for col in status:
        was, now = old[col], both[col]
        kept = was.notna()
        assert (was[kept] == now[kept]).all(), col
        if col.endswith("_at"):
            appeared = was.isna() & now.notna()
            assert ((now[appeared] > AS_OF) & (now[appeared] <= LATER)).all(), col


def test_events_keep_arriving_and_progressing(regions, geo_dir, tables):
    old = tables["emergency_event"].to_pandas().set_index("event_id")
    evening = pa.concat_tables(c for n, c in demo.generate(regions, geo_dir, seed=SEED, scale=TINY,
                                                           as_of=AS_OF + timedelta(hours=6))
                               if n == "emergency_event").to_pandas().set_index("event_id")
    assert (~evening.index.isin(old.index)).sum() > 0
    new = evening.loc[old.index]
    progressed = ((old["responded_at"].isna() & new["responded_at"].notna())
                  | (old["closed_at"].isna() & new["closed_at"].notna()))
    assert progressed.sum() > 0
    fixed = [c for c in old.columns if c not in STATUS["emergency_event"]]
    assert old[fixed].equals(new[fixed])


def test_status_progresses_for_open_orders(tables, later):
    old = tables["work_order"].to_pandas().set_index("order_id")
    new = later["work_order"].to_pandas().set_index("order_id").loc[old.index]
    closed_since = old["closed_at"].isna() & new["closed_at"].notna()
    assert closed_since.sum() > 0
    # a rating only shows once the order is closed
    assert old.loc[old["closed_at"].isna(), "satisfied"].isna().all()


def test_new_samples_keep_arriving(tables, later):
    for table, col in (("cloud_sample", "ts"), ("api_call", "ts"), ("work_order", "created_at")):
        old_max = max(tables[table].column(col).to_pylist())
        new = later[table].column(col).to_pylist()
        assert old_max <= AS_OF and max(new) > AS_OF, table
    # cloud samples every 5 minutes for every series up to as_of
    n_series = len(set(zip(tables["cloud_sample"].column("node_id").to_pylist(),
                           tables["cloud_sample"].column("department").to_pylist())))
    assert later["cloud_sample"].num_rows - tables["cloud_sample"].num_rows == 12 * n_series


def test_past_cloud_samples_are_identical(tables, later):
    old = tables["cloud_sample"]
    new = later["cloud_sample"].slice(0, old.num_rows)
    assert new.equals(old)


# --------------------------------------------------------------------------- statistics


def _statistic_measures():
    doc = yaml.safe_load((PROJECT / "data" / "catalog" / "indicators.yaml").read_text(encoding="utf-8"))
    return {m["id"]: m for m in doc["measures"] if m["source"] == "statistic"}


def _month_starts(first: date, last: date):
    out, d = [], first
    while d <= last:
        out.append(d)
        d = date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return out


def test_catalog_statistic_measures_are_all_produced(con):
    produced = {r[0] for r in con.execute("SELECT DISTINCT measure FROM statistic").fetchall()}
    assert set(_statistic_measures()) <= produced
    assert set(demo.STAT_MEASURES) == produced


@pytest.mark.parametrize("measure", sorted(_statistic_measures()))
def test_statistic_measure_levels_and_periods(con, regions, measure):
    m = _statistic_measures()[measure]
    codes = {r[0] for r in con.execute("SELECT DISTINCT adcode FROM statistic WHERE measure = ?", [measure]).fetchall()}
    leaves = set(regions.loc[regions["is_leaf"], "adcode"].astype(int))
    if m["additive"] or measure in demo.LEAF_INTENSIVE:
        assert codes == leaves
    else:
        assert codes == _codes(regions, "province") | _codes(regions, "city")  # never counties
    periods = sorted(r[0] for r in con.execute(
        "SELECT DISTINCT period FROM statistic WHERE measure = ?", [measure]).fetchall())
    first = date(AS_OF.year - 3, 1, 1)
    expected = {
        "month": _month_starts(first, date(2026, 10, 1)),
        "quarter": [d for d in _month_starts(first, date(2026, 7, 1)) if d.month in (1, 4, 7, 10)],
        "day": [first + timedelta(days=i) for i in range((AS_OF.date() - first).days)],
        "year": [date(y, 1, 1) for y in range(AS_OF.year - 3, AS_OF.year + 1)],
    }[m["grain"]]
    assert periods == expected
    n, distinct = _one(con, "SELECT count(*), count(DISTINCT (adcode, period)) FROM statistic WHERE measure = ?",
                       [measure])
    assert n == distinct == len(codes) * len(expected)


def test_shandong_gdp_magnitude(con):
    year = AS_OF.year - 1
    total = _one(con, "SELECT sum(value) FROM statistic WHERE measure = 'gdp' AND year(period) = ?", [year])[0]
    expected = 87435 * 1.05 ** (year - 2022)
    assert abs(total / expected - 1) < 0.15
    # cities keep the INDICATORS.md proportions
    for city, (gdp22, _) in demo.SD_CITIES.items():
        v = _one(con, """SELECT sum(s.value) FROM statistic s JOIN regions r USING (adcode)
                         WHERE s.measure = 'gdp' AND year(s.period) = ? AND r.parent = ?""", [year, city])[0]
        assert abs(v / (gdp22 * 1.05 ** (year - 2022)) - 1) < 0.15, city
    pop = _one(con, "SELECT sum(value) FROM statistic WHERE measure = 'population' AND period = DATE '2026-10-01'")[0]
    assert 9500 < pop < 10500


def test_quarterly_and_monthly_seasonality(con):
    q = dict(con.execute("""SELECT quarter(period), sum(value) FROM statistic
                            WHERE measure = 'gdp' AND year(period) = 2025 GROUP BY 1""").fetchall())
    assert q[1] < q[2] < q[4]
    fai = dict(con.execute("""SELECT month(period), sum(value) FROM statistic
                              WHERE measure = 'fai' AND year(period) = 2025 GROUP BY 1""").fetchall())
    assert fai[1] == pytest.approx(fai[2]) and fai[12] == max(fai.values()) and fai[1] == min(fai.values())
    power = dict(con.execute("""SELECT month(period), sum(value) / count(DISTINCT period) FROM statistic
                                WHERE measure = 'power_use' AND year(period) = 2025 GROUP BY 1""").fetchall())
    assert power[7] > power[4] and power[1] > power[4] and power[8] > power[10]
    wd = dict(con.execute("""SELECT isodow(period) >= 6, avg(v) FROM (SELECT period, sum(value) v FROM statistic
                             WHERE measure = 'power_use' GROUP BY 1) GROUP BY 1""").fetchall())
    assert wd[True] < wd[False]


def _yoy(con, measure, where="", months=3, by="'all'"):
    """YoY growth % of the summed measure over the last `months` complete months, grouped by `by`."""
    return dict(con.execute(f"""
        WITH s AS (SELECT {by} AS g, period, sum(value) v FROM statistic s JOIN regions r USING (adcode)
                   WHERE measure = ? {where} GROUP BY ALL),
        last AS (SELECT max(period) p FROM s)
        SELECT a.g, 100 * (sum(a.v) / sum(b.v) - 1) FROM s a JOIN s b ON b.g = a.g AND b.period = a.period - INTERVAL 1 YEAR
        WHERE a.period > (SELECT p FROM last) - INTERVAL {months} MONTH GROUP BY a.g""", [measure]).fetchall())


@pytest.mark.parametrize("measure,lo,hi", [
    ("gdp_const", 4.5, 6.5), ("industrial_va", 5, 8), ("fai", 3, 6), ("retail_sales", 4, 7),
    ("budget_revenue", 2, 6), ("trade_total", -2, 8), ("power_use", 3, 7),
])
def test_growth_is_in_its_normal_band_at_province_level(con, measure, lo, hi):
    g = _yoy(con, measure, months=12)["all"]
    assert lo <= g <= hi


def test_growth_bands_for_cities_without_planted_anomalies(con):
    for measure, lo, hi in (("retail_sales", 4, 7), ("gdp_const", 4.5, 6.5), ("industrial_va", 5, 8),
                            ("budget_revenue", 2, 6)):
        by_city = _yoy(con, measure, months=3 if measure != "gdp_const" else 12, by="r.parent")
        for city, g in by_city.items():
            if measure == "industrial_va" and city in (370300, 370900):
                continue  # cities of the planted counties
            assert lo <= g <= hi, (measure, city, g)
    fai = _yoy(con, "fai", by="r.parent")
    assert all(3 <= g <= 6 for c, g in fai.items() if c != ANOM["fai_drop"]["region"])


def test_ratio_bands(con):
    tax = _one(con, """SELECT sum(value) FILTER (WHERE measure = 'tax_revenue') / sum(value) FILTER (WHERE measure =
        'budget_revenue') FROM statistic WHERE year(period) = 2025""")[0]
    assert 0.65 <= tax <= 0.75
    dig = _one(con, """SELECT sum(value) FILTER (WHERE measure = 'digital_core_va') / sum(value) FILTER (WHERE measure =
        'gdp') FROM statistic WHERE year(period) = 2025""")[0]
    assert 0.07 <= dig <= 0.09
    full = _one(con, """SELECT sum(value) FILTER (WHERE measure = 'service_items_full_online') / sum(value) FILTER (WHERE
        measure = 'service_items') FROM statistic WHERE period = DATE '2026-10-01'""")[0]
    assert 0.85 <= full <= 0.95
    cpi = con.execute("SELECT adcode, min(value), max(value) FROM statistic WHERE measure = 'cpi' GROUP BY 1").fetchall()
    for code, lo, hi in cpi:
        if code != ANOM["cpi_high"]["region"]:
            assert 100.2 <= lo and hi <= 102.3, code
    une = con.execute("SELECT adcode, min(value), max(value) FROM statistic WHERE measure = 'unemployment_rate' "
                      "GROUP BY 1").fetchall()
    for code, lo, hi in une:
        if code != ANOM["unemployment_high"]["region"]:
            assert 4.9 <= lo and hi <= 5.6, code


def test_year_to_date_measures(con):
    rows = dict(con.execute("SELECT period, sum(value) FROM statistic WHERE measure = 'bigdata_industry' GROUP BY 1")
                .fetchall())
    assert 1500 < rows[date(2024, 1, 1)] < 3500  # 1000 (2020) -> 3000 (2025)
    assert rows[date(2026, 1, 1)] < rows[date(2025, 1, 1)] * 1.25  # Jan-Oct only
    sc = _one(con, "SELECT sum(value) FROM statistic WHERE measure = 'data_scenarios' AND period = DATE '2025-01-01'")[0]
    assert sc >= 500


def test_dau_province_is_distinct_users_not_a_sum(con):
    prov, cities = _one(con, """SELECT sum(value) FILTER (WHERE adcode = 370000),
        sum(value) FILTER (WHERE adcode <> 370000) FROM statistic WHERE measure = 'ishandong_dau'
        AND period = DATE '2026-11-19'""")
    assert 300 < prov < 1000 and prov < cities


# --------------------------------------------------------------------------- planted anomalies


def test_planted_anomaly_list(regions):
    assert demo.planted_anomalies(regions) == demo.PLANTED_ANOMALIES
    codes = set(regions["adcode"].astype(int))
    names = dict(zip(regions["adcode"].astype(int), regions["name"]))
    for a in demo.PLANTED_ANOMALIES:
        assert {"id", "what", "table", "measure", "region", "expected"} <= set(a)
        assert a["table"] in RAW_BY_NAME and a["region"] in codes and names[a["region"]] == a["region_name"]


def test_industrial_value_added_drops_in_two_counties(con):
    g = _yoy(con, "industrial_va", by="adcode")
    planted = {ANOM["industrial_va_drop_1"]["region"], ANOM["industrial_va_drop_2"]["region"]}
    for code in planted:
        assert -10 <= g[code] <= -6
    assert min(v for c, v in g.items() if c not in planted) > 4


def test_investment_drops_in_one_city(con):
    g = _yoy(con, "fai", by="r.parent")
    assert -14 <= g[ANOM["fai_drop"]["region"]] <= -10


def test_cpi_and_unemployment_outliers(con):
    cpi = _one(con, "SELECT avg(value) FROM statistic WHERE measure = 'cpi' AND adcode = ? AND period >= DATE "
                    "'2026-08-01'", [ANOM["cpi_high"]["region"]])[0]
    assert 103.0 <= cpi <= 103.8
    une = _one(con, "SELECT avg(value) FROM statistic WHERE measure = 'unemployment_rate' AND adcode = ? AND period >= "
                    "DATE '2026-08-01'", [ANOM["unemployment_high"]["region"]])[0]
    assert 6.0 <= une <= 6.6


def test_online_service_rate_low_in_one_county(con):
    rates = dict(con.execute("""SELECT adcode, sum(value) FILTER (WHERE measure = 'service_items_online')
        / sum(value) FILTER (WHERE measure = 'service_items') FROM statistic WHERE period = DATE '2026-10-01'
        AND measure LIKE 'service_items%' GROUP BY 1""").fetchall())
    low = ANOM["online_service_low"]["region"]
    assert 0.83 <= rates[low] <= 0.87
    assert min(v for c, v in rates.items() if c != low) >= 0.96


def test_one_city_node_overloaded_in_the_last_six_hours(con):
    util = dict(con.execute("""
        WITH i AS (SELECT n.adcode, s.ts, sum(s.vcpu_used) u FROM cloud_sample s JOIN cloud_node n USING (node_id)
                   WHERE s.ts > ? GROUP BY ALL),
        t AS (SELECT adcode, sum(vcpu_total) total FROM cloud_node GROUP BY 1)
        SELECT adcode, avg(u) / any_value(total) FROM i JOIN t USING (adcode) GROUP BY 1""",
                            [AS_OF - timedelta(hours=6)]).fetchall())
    hot = ANOM["cloud_vcpu_overload"]["region"]
    assert util[hot] > 0.9
    assert all(v < 0.8 for c, v in util.items() if c != hot)
    assert all(0.35 <= v <= 0.75 for c, v in util.items() if c != hot)


def test_cloud_memory_and_storage_bands(con):
    rows = con.execute("""
        WITH i AS (SELECT node_id, ts, sum(mem_used_gb) m, sum(storage_used_tb) s FROM cloud_sample GROUP BY ALL)
        SELECT min(m / mem_total_gb), max(m / mem_total_gb), min(s / storage_total_tb), max(s / storage_total_tb)
        FROM i JOIN cloud_node USING (node_id)""").fetchone()
    assert 0.40 <= rows[0] and rows[1] <= 0.75 and 0.50 <= rows[2] and rows[3] <= 0.80


def test_one_node_below_four_nines_over_the_last_day(con):
    avail = dict(con.execute("SELECT node_id, avg(available::INT) FROM cloud_sample WHERE ts > ? GROUP BY 1",
                             [AS_OF - timedelta(days=1)]).fetchall())
    bad = ANOM["cloud_availability_low"]["node_id"]
    assert 0.992 <= avail[bad] <= 0.998
    assert all(v >= 0.9999 for n, v in avail.items() if n != bad)


def test_pue_outlier(con):
    pue = dict(con.execute("SELECT node_id, sum(facility_kwh) / sum(it_kwh) FROM cloud_energy WHERE day >= ? "
                           "GROUP BY 1", [AS_OF.date() - timedelta(days=30)]).fetchall())
    bad = ANOM["cloud_pue_high"]["node_id"]
    assert 1.44 <= pue[bad] <= 1.52
    assert all(1.25 <= v <= 1.38 for n, v in pue.items() if n != bad)


def test_cloud_topology_and_native_share(con):
    tiers = dict(con.execute("SELECT tier, count(*) FROM cloud_node GROUP BY 1").fetchall())
    assert tiers == {"provincial": 1, "backbone": 2, "city": 16}
    backbone = {r[0] for r in con.execute("SELECT adcode FROM cloud_node WHERE tier = 'backbone'").fetchall()}
    assert backbone == {370200, 370400}
    assert _one(con, "SELECT adcode FROM cloud_node WHERE tier = 'provincial'")[0] == 370100
    n, native = _one(con, "SELECT count(*) FILTER (WHERE is_new), count(*) FILTER (WHERE is_new AND cloud_native) "
                          "FROM cloud_system")
    assert 200 <= _one(con, "SELECT count(*) FROM cloud_system")[0] <= 2000
    assert 0.45 <= native / n <= 0.65


def test_api_provider_failing_in_the_last_day(con):
    ok = dict(con.execute("SELECT provider_dept, avg(ok::INT) FROM api_call WHERE ts > ? GROUP BY 1 "
                          "HAVING count(*) >= 50", [AS_OF - timedelta(days=1)]).fetchall())
    bad = ANOM["api_success_drop"]["provider_dept"]
    assert 0.85 <= ok[bad] <= 0.97
    rest = _one(con, "SELECT avg(ok::INT) FROM api_call WHERE provider_dept <> ?", [bad])[0]
    assert 0.993 <= rest <= 0.999
    total = _one(con, "SELECT avg(ok::INT) FROM api_call")[0]
    assert 0.993 <= total <= 0.999


def test_api_latency_spike_for_one_consumer_region(con):
    lat = dict(con.execute("SELECT consumer_adcode, avg(latency_ms) FROM api_call WHERE ts > ? GROUP BY 1 "
                           "HAVING count(*) >= 20", [AS_OF - timedelta(days=1)]).fetchall())
    slow = ANOM["api_latency_spike"]["region"]
    assert 300 <= lat[slow] <= 500
    month = dict(con.execute("SELECT consumer_adcode, avg(latency_ms) FROM api_call GROUP BY 1 "
                             "HAVING count(*) >= 100").fetchall())
    assert all(40 <= v <= 120 for c, v in month.items() if c != slow)


def test_api_flows_cross_levels(con):
    flows = {r[0] for r in con.execute("""SELECT p.level || '->' || c.level FROM api_call a
        JOIN regions p ON p.adcode = a.provider_adcode JOIN regions c ON c.adcode = a.consumer_adcode""").fetchall()}
    assert {"province->city", "city->province", "city->city", "province->county"} <= flows


def test_emergency_response_and_on_time_outliers(con):
    resp = dict(con.execute("""SELECT adcode, avg(date_diff('second', reported_at, responded_at)) / 60
        FROM emergency_event WHERE responded_at IS NOT NULL GROUP BY 1""").fetchall())
    slow = ANOM["emergency_response_slow"]["region"]
    assert 45 <= resp[slow] <= 65
    assert all(8 <= v <= 25 for c, v in resp.items() if c != slow)
    ontime = dict(con.execute("""SELECT adcode, avg((closed_at <= deadline_at)::INT) FROM emergency_event
        WHERE closed_at IS NOT NULL GROUP BY 1""").fetchall())
    late = ANOM["emergency_ontime_low"]["region"]
    assert 0.6 <= ontime[late] <= 0.8
    rest = _one(con, "SELECT avg((closed_at <= deadline_at)::INT) FROM emergency_event WHERE closed_at IS NOT NULL "
                     "AND adcode <> ?", [late])[0]
    assert 0.88 <= rest <= 0.98
    hours = _one(con, "SELECT avg(date_diff('second', responded_at, closed_at)) / 3600 FROM emergency_event "
                      "WHERE closed_at IS NOT NULL")[0]
    assert 3 <= hours <= 30


@pytest.mark.parametrize("hour", [0, 3, 9, 14, 21])
def test_open_major_and_overdue_events_at_any_time(regions, geo_dir, hour):
    as_of = datetime(2026, 6, 3, hour, 7)
    ev = pa.concat_tables(c for n, c in demo.generate(regions, geo_dir, seed=3, scale=TINY, as_of=as_of)
                          if n == "emergency_event").to_pandas()
    open_ = ev[ev["closed_at"].isna()]
    assert len(open_) >= 15  # dozens open at any time
    assert (open_["severity"] == 2).sum() >= 1
    assert (open_["deadline_at"] < as_of).sum() >= 3


def test_hotline_on_time_and_satisfaction(con):
    rates = dict(con.execute("""SELECT adcode = ?, avg((closed_at <= due_at)::INT) FROM work_order
        WHERE closed_at IS NOT NULL GROUP BY 1""", [ANOM["hotline_ontime_low"]["region"]]).fetchall())
    assert 0.72 <= rates[True] <= 0.88
    assert 0.93 <= rates[False] <= 0.99
    sat = _one(con, "SELECT avg(satisfied::INT), count(satisfied) / count(closed_at) FROM work_order")
    assert 0.90 <= sat[0] <= 0.97 and 0.4 <= sat[1] <= 0.8
    open_, overdue = _one(con, "SELECT count(*) FILTER (WHERE closed_at IS NULL), count(*) FILTER (WHERE closed_at "
                               "IS NULL AND due_at < ?) FROM work_order", [AS_OF])
    assert open_ > 0 and overdue > 0


def test_catalog_and_sharing_bands(con):
    n, share, open_, timely = _one(con, """SELECT count(*), avg((share_type <> '不予共享')::INT),
        avg((open_type <> '不予开放')::INT), avg((date_diff('day', last_updated, ?) <= update_days)::INT)
        FROM data_catalog""", [AS_OF.date()])
    assert 2000 <= n <= 10000
    assert 0.88 <= share <= 0.97 and 0.18 <= open_ <= 0.28 and 0.85 <= timely <= 0.96
    assert _one(con, "SELECT count(*) FROM data_catalog WHERE share_type = '不予共享' AND open_type <> '不予开放'")[0] == 0
    met = _one(con, "SELECT avg(satisfied::INT) FROM share_request WHERE answered_at IS NOT NULL")[0]
    assert 0.96 <= met <= 0.995
    in7 = _one(con, "SELECT avg((resolved_at <= raised_at + INTERVAL 7 DAY)::INT) FROM quality_objection "
                    "WHERE resolved_at IS NOT NULL")[0]
    assert 0.85 <= in7 <= 0.98
    levels = {r[0] for r in con.execute(
        "SELECT DISTINCT r.level FROM data_catalog d JOIN regions r USING (adcode)").fetchall()}
    assert levels == {"province", "city", "county"}
    # requests reference entries registered before them
    bad = _one(con, """SELECT count(*) FROM share_request q JOIN data_catalog d USING (entry_id)
                       WHERE d.registered_on >= q.requested_at::DATE""")[0]
    assert bad == 0


def test_resources(con):
    kinds = dict(con.execute("SELECT kind, count(*) FROM emergency_resource GROUP BY 1").fetchall())
    assert set(kinds) == {"risk_point", "hazard_source", "warehouse", "rescue_team"}
    assert kinds["risk_point"] > kinds["hazard_source"] > 0
    graded = _one(con, "SELECT count(*) FILTER (WHERE grade IS NULL) FROM emergency_resource "
                       "WHERE kind IN ('risk_point', 'hazard_source')")[0]
    assert graded == 0
    cap = _one(con, "SELECT count(*) FILTER (WHERE capacity IS NULL) FROM emergency_resource "
                    "WHERE kind IN ('warehouse', 'rescue_team')")[0]
    assert cap == 0
    subs = {r[0] for r in con.execute("SELECT DISTINCT subtype FROM emergency_resource WHERE kind = 'hazard_source'")
            .fetchall()}
    assert {"化工园区", "尾矿库", "非煤矿山"} <= subs


# --------------------------------------------------------------------------- other roots and scale


@pytest.fixture(scope="session")
def root_data(tmp_path_factory):
    """root adcode -> (regions, geo_dir, tables), built once per session."""
    from pipeline.geo import build_geo, load_regions

    cache = {}

    def get(root):
        if root not in cache:
            out = tmp_path_factory.mktemp("geo") / str(root)
            build_geo(root, out)
            regions = load_regions(out)
            cache[root] = (regions, out, _tables(_run(regions, out)))
        return cache[root]

    return get


@pytest.fixture(params=[370300, 500000], ids=["zibo-city", "chongqing-counties-under-province"])
def other_root(request, root_data):
    return (request.param, *root_data(request.param))


def test_other_roots_deliver_valid_tables(other_root):
    root, regions, geo_dir, data = other_root
    assert set(data) == {t.name for t in RAW_TABLES}
    assert all(t.num_rows > 0 for t in data.values())
    codes = set(regions["adcode"].astype(int))
    leaves = set(regions.loc[regions["is_leaf"], "adcode"].astype(int))
    for spec in RAW_TABLES:
        for col in spec.columns:
            if col.region:
                used = set(data[spec.name].column(col.name).to_pylist())
                assert used <= (leaves if col.region == "leaf" else codes), (root, spec.name, col.name)
    polys = _polygons(geo_dir)
    ev = data["emergency_event"]
    geoms = np.array([polys[int(a)] for a in ev.column("adcode").to_pylist()], dtype=object)
    assert shapely.contains_xy(geoms, ev.column("lon").to_numpy(), ev.column("lat").to_numpy()).all()
    # anomalies are re-planted inside this tree, the same for every seed
    resolved = demo.planted_anomalies(regions)
    assert [a["id"] for a in resolved] == [a["id"] for a in demo.PLANTED_ANOMALIES]
    assert all(a["region"] in codes for a in resolved)
    node_ids = set(data["cloud_node"].column("node_id").to_pylist())
    assert all(a["node_id"] in node_ids for a in resolved if "node_id" in a)


def test_a_single_city_root_keeps_its_magnitude(root_data):
    regions, geo_dir, data = root_data(370300)
    st = data["statistic"].to_pandas()
    gdp = st[(st["measure"] == "gdp") & (st["period"].map(lambda p: p.year) == 2025)]["value"].sum()
    assert abs(gdp / (4403 * 1.05 ** 3) - 1) < 0.15
    assert data["cloud_node"].column("node_id").to_pylist() == ["GC-C-370300"]


def test_county_statistics_do_not_depend_on_the_root(root_data, tables):
    regions, geo_dir, data = root_data(370300)

    def series(t, code):
        f = t.filter(pa.compute.and_(pa.compute.equal(t["adcode"], code), pa.compute.equal(t["measure"], "gdp")))
        return sorted(zip(f["period"].to_pylist(), f["value"].to_pylist()))

    assert series(data["statistic"], 370303) == series(tables["statistic"], 370303)


def test_row_count_at_scale_one(regions, geo_dir):
    n = 0
    for _, chunk in demo.generate(regions, geo_dir, seed=SEED, scale=1.0, as_of=AS_OF):
        n += chunk.num_rows
    assert 700_000 <= n <= 1_300_000
