"""validate_table: every kind of bad value lands in quarantine, good rows land typed and masked."""
from __future__ import annotations

import datetime as dt
import math
import re

import pytest

from pipeline.raw_schema import RAW_BY_NAME, RAW_TABLES
from pipeline.sources.validate import QUARANTINE_COLUMNS, mask_sql, validate_table

GOOD = {
    "statistic": {"adcode": "370300", "period": "2024-04-01", "measure": "gdp", "value": "1234.5"},
    "emergency_event": {
        "event_id": "E1", "category": "自然灾害", "subtype": "森林火灾", "severity": "2", "adcode": "370302",
        "lon": "120.38", "lat": "36.07", "reported_at": "2024-05-01 08:30:00", "responded_at": "",
        "closed_at": None, "deadline_at": "2024-05-02 08:30:00", "unit": "应急管理局", "title": "崂山山火",
        "reporter": "张三丰",
    },
    "work_order": {
        "order_id": "W1", "created_at": "2024-05-01 09:00:00", "adcode": "370303", "channel": "电话",
        "category": "咨询", "topic": "城市管理", "department": "住建局", "caller": "李四",
        "phone": "13812345678", "due_at": "2024-05-03 09:00:00", "closed_at": "", "satisfied": "是",
    },
    "cloud_node": {
        "node_id": "N1", "name": "青岛节点", "tier": "city", "adcode": "370300", "lon": "120.4", "lat": "36.1",
        "vcpu_total": "1000", "mem_total_gb": "4096", "storage_total_tb": "500", "racks": "20",
    },
    "api_call": {
        "call_id": "C1", "ts": "2024-05-01 10:00:00", "api_id": "A1", "provider_dept": "公安局",
        "provider_adcode": "370000", "consumer_dept": "民政局", "consumer_adcode": "370302",
        "latency_ms": "12.5", "ok": "true",
    },
}


def make_relation(con, table_name: str, rows: list[dict], *, name: str = "raw", origin: bool = True) -> str:
    """A VARCHAR table like a CSV gives: GOOD values overridden per row, `_file`/`_line` like a.csv."""
    table = RAW_BY_NAME[table_name]
    cols = ", ".join(f'"{c}" VARCHAR' for c in table.column_names)
    extra = ", _file VARCHAR, _line INTEGER" if origin else ""
    con.execute(f"CREATE OR REPLACE TABLE {name} ({cols}{extra})")
    for i, overrides in enumerate(rows):
        values = [{**GOOD[table_name], **overrides}[c] for c in table.column_names]
        if origin:
            values += ["a.csv", i + 2]
        con.execute(f"INSERT INTO {name} VALUES ({', '.join('?' * len(values))})", values)
    return name


def run(con, table_name, rows, region_codes, leaf_codes, **kwargs):
    relation = make_relation(con, table_name, rows, **kwargs)
    return validate_table(con, RAW_BY_NAME[table_name], relation, source="test",
                          region_codes=region_codes, leaf_codes=leaf_codes, target=table_name)


def only_problem(quarantine, con, table_name) -> dict:
    rows = quarantine(con, table_name)
    assert len(rows) == 1, rows
    return rows[0]


# ---------------------------------------------------------------- bad values
@pytest.mark.parametrize(
    ("table_name", "column", "value", "type_"),
    [
        ("statistic", "adcode", "abc", "INTEGER"),
        ("emergency_event", "adcode", "370302.5", "INTEGER"),  # TRY_CAST alone would round it
        ("emergency_event", "severity", "x", "SMALLINT"),
        ("emergency_event", "severity", "70000", "SMALLINT"),
        ("statistic", "value", "abc", "DOUBLE"),
        ("statistic", "value", "NaN", "DOUBLE"),
        ("emergency_event", "lon", "inf", "DOUBLE"),
        ("work_order", "satisfied", "maybe", "BOOLEAN"),
        ("statistic", "period", "2024-02-30", "DATE"),
        ("emergency_event", "reported_at", "2024-13-45", "TIMESTAMP"),
        ("work_order", "closed_at", "tomorrow", "TIMESTAMP"),  # optional columns are typed too
    ],
)
def test_bad_type_is_quarantined(con, quarantine, region_codes, leaf_codes, table_name, column, value, type_):
    good, bad = run(con, table_name, [{column: value}], region_codes, leaf_codes)
    assert (good, bad) == (0, 1)
    row = only_problem(quarantine, con, table_name)
    assert row == {
        "source": "test", "raw_table": table_name, "file": "a.csv", "line": 2, "column": column,
        "value": value, "reason": f"不是有效的 {type_}: '{value}' (not a valid {type_})",
    }


@pytest.mark.parametrize("missing", [None, "", "   "])
def test_missing_required_value(con, quarantine, region_codes, leaf_codes, missing):
    assert run(con, "emergency_event", [{"title": missing}], region_codes, leaf_codes) == (0, 1)
    row = only_problem(quarantine, con, "emergency_event")
    assert (row["column"], row["value"], row["reason"]) == ("title", None, "缺少必填值 (missing required value)")


def test_missing_optional_value_is_fine(con, region_codes, leaf_codes):
    assert run(con, "work_order", [{"caller": None, "phone": "", "closed_at": "", "satisfied": None}],
               region_codes, leaf_codes) == (1, 0)


def test_value_outside_choices(con, quarantine, region_codes, leaf_codes):
    assert run(con, "emergency_event", [{"category": "火星撞地球"}], region_codes, leaf_codes) == (0, 1)
    row = only_problem(quarantine, con, "emergency_event")
    assert row["column"] == "category" and row["value"] == "火星撞地球"
    assert row["reason"] == ("取值 '火星撞地球' 不在允许值 自然灾害、事故灾难、公共卫生、社会安全 之内 "
                             "(not an allowed value)")


@pytest.mark.parametrize(
    ("table_name", "column", "value", "reason"),
    [
        ("emergency_event", "severity", "5", "数值 5 超出范围 [1, 4] (out of range)"),
        ("emergency_event", "severity", "0", "数值 0 超出范围 [1, 4] (out of range)"),
        ("emergency_event", "lat", "91", "数值 91.0 超出范围 [-90, 90] (out of range)"),
        ("emergency_event", "lon", "-180.5", "数值 -180.5 超出范围 [-180, 180] (out of range)"),
        ("cloud_node", "racks", "-1", "数值 -1 超出范围 [0, +∞] (out of range)"),
    ],
)
def test_value_out_of_bounds(con, quarantine, region_codes, leaf_codes, table_name, column, value, reason):
    assert run(con, table_name, [{column: value}], region_codes, leaf_codes) == (0, 1)
    row = only_problem(quarantine, con, table_name)
    assert (row["column"], row["reason"]) == (column, reason)


def test_bounds_are_inclusive(con, region_codes, leaf_codes):
    rows = [{"event_id": "E1", "severity": "1", "lon": "-180", "lat": "90"},
            {"event_id": "E2", "severity": "4", "lon": "180", "lat": "-90"}]
    assert run(con, "emergency_event", rows, region_codes, leaf_codes) == (2, 0)


def test_unknown_region(con, quarantine, region_codes, leaf_codes):
    assert run(con, "statistic", [{"adcode": "123456"}], region_codes, leaf_codes) == (0, 1)
    row = only_problem(quarantine, con, "statistic")
    assert (row["column"], row["value"], row["reason"]) == ("adcode", "123456", "未知区划代码 123456 (unknown region code)")


def test_non_leaf_where_leaf_required(con, quarantine, region_codes, leaf_codes):
    rows = [{"event_id": "E1", "adcode": "370300"}, {"event_id": "E2", "adcode": "370000"},
            {"event_id": "E3", "adcode": "999999"}, {"event_id": "E4", "adcode": "370303"}]
    assert run(con, "emergency_event", rows, region_codes, leaf_codes) == (1, 3)
    assert [(r["line"], r["reason"]) for r in quarantine(con, "emergency_event")] == [
        (2, "区划代码 370300 不是末级区划 (not a leaf region)"),
        (3, "区划代码 370000 不是末级区划 (not a leaf region)"),
        (4, "未知区划代码 999999 (unknown region code)"),
    ]


def test_any_level_region_accepts_every_code_of_the_tree(con, region_codes, leaf_codes):
    rows = [{"adcode": str(code), "measure": f"m{code}"} for code in sorted(region_codes)]
    assert run(con, "statistic", rows, region_codes, leaf_codes) == (len(region_codes), 0)


def test_every_region_column_is_checked(con, quarantine, region_codes, leaf_codes):
    assert run(con, "api_call", [{"provider_adcode": "1", "consumer_adcode": "2"}], region_codes, leaf_codes) == (0, 1)
    assert [(r["column"], r["reason"]) for r in quarantine(con, "api_call")] == [
        ("provider_adcode", "未知区划代码 1 (unknown region code)"),
        ("consumer_adcode", "未知区划代码 2 (unknown region code)"),
    ]


# ---------------------------------------------------------------- duplicates
def test_duplicate_keys_keep_the_first(con, quarantine, region_codes, leaf_codes):
    rows = [{"event_id": "E1", "title": "first"}, {"event_id": "E2"},
            {"event_id": "E1", "title": "second"}, {"event_id": "E1", "title": "third"}]
    assert run(con, "emergency_event", rows, region_codes, leaf_codes) == (2, 2)
    assert con.execute("SELECT event_id, title FROM emergency_event ORDER BY event_id").fetchall() == [
        ("E1", "first"), ("E2", "崂山山火")]
    problems = quarantine(con, "emergency_event")
    assert [(r["line"], r["column"], r["value"]) for r in problems] == [(4, "event_id", "E1"), (5, "event_id", "E1")]
    for r in problems:
        assert r["reason"] == "重复的键 event_id=E1, 首次出现于 a.csv 第 2 行 (duplicate key, first seen at line 2)"


def test_duplicate_composite_key(con, quarantine, region_codes, leaf_codes):
    rows = [{"value": "1"}, {"value": "2"}, {"measure": "other", "value": "3"}]
    assert run(con, "statistic", rows, region_codes, leaf_codes) == (2, 1)
    row = only_problem(quarantine, con, "statistic")
    assert (row["line"], row["column"], row["value"]) == (3, "adcode,period,measure", "370300, 2024-04-01, gdp")
    assert "adcode=370300, period=2024-04-01, measure=gdp" in row["reason"]
    assert "first seen at line 2" in row["reason"]


def test_duplicates_compare_typed_values(con, region_codes, leaf_codes):
    # The same key written differently is still the same key.
    rows = [{"period": "2024-04-01"}, {"period": " 2024-04-01 "}, {"adcode": "370300.0"}]
    assert run(con, "statistic", rows, region_codes, leaf_codes) == (1, 2)


def test_a_broken_first_copy_does_not_push_out_a_good_one(con, quarantine, region_codes, leaf_codes):
    rows = [{"event_id": "E1", "severity": "9"}, {"event_id": "E1", "title": "good copy"}]
    assert run(con, "emergency_event", rows, region_codes, leaf_codes) == (1, 1)
    assert con.execute("SELECT title FROM emergency_event").fetchall() == [("good copy",)]
    assert [r["column"] for r in quarantine(con, "emergency_event")] == ["severity"]


# ---------------------------------------------------------------- good rows
@pytest.mark.parametrize("table", RAW_TABLES, ids=lambda t: t.name)
def test_target_has_exactly_the_schema_columns_and_types(con, region_codes, leaf_codes, table):
    cols = ", ".join(f'"{c}" VARCHAR' for c in reversed(table.column_names))  # order must not matter
    con.execute(f"CREATE TABLE raw ({cols}, unrelated VARCHAR)")
    assert validate_table(con, table, "raw", source="s", region_codes=region_codes,
                          leaf_codes=leaf_codes, target="out") == (0, 0)
    described = con.execute("DESCRIBE out").fetchall()
    assert [(r[0], r[1]) for r in described] == [(c.name, c.type) for c in table.columns]


def test_good_rows_land_typed(con, region_codes, leaf_codes):
    assert run(con, "emergency_event", [{"lon": " 120.38 ", "severity": "2.0"}], region_codes, leaf_codes) == (1, 0)
    assert con.execute("SELECT * FROM emergency_event").fetchall() == [(
        "E1", "自然灾害", "森林火灾", 2, 370302, 120.38, 36.07, dt.datetime(2024, 5, 1, 8, 30), None, None,
        dt.datetime(2024, 5, 2, 8, 30), "应急管理局", "崂山山火", "张**",
    )]


@pytest.mark.parametrize(("text", "value"), [("是", True), ("否", False), ("true", True), ("f", False),
                                             ("1", True), ("0", False), ("", None)])
def test_booleans(con, region_codes, leaf_codes, text, value):
    assert run(con, "work_order", [{"satisfied": text}], region_codes, leaf_codes) == (1, 0)
    assert con.execute("SELECT satisfied FROM work_order").fetchone() == (value,)


def test_typed_input_is_accepted_and_still_checked(con, quarantine, region_codes, leaf_codes):
    # Relations from Parquet or the simulator arrive typed, with other integer widths.
    con.execute("""CREATE TABLE raw AS SELECT * FROM (VALUES
        (370302::BIGINT, DATE '2024-04-01', 'gdp', 1.5::DOUBLE),
        (370303::BIGINT, DATE '2024-04-01', 'gdp', 'NaN'::DOUBLE),
        (999999::BIGINT, DATE '2024-04-01', 'gdp', 2.0::DOUBLE)) t(adcode, period, measure, value)""")
    assert validate_table(con, RAW_BY_NAME["statistic"], "raw", source="s", region_codes=region_codes,
                          leaf_codes=leaf_codes, target="statistic") == (1, 2)
    assert con.execute("SELECT * FROM statistic").fetchall() == [(370302, dt.date(2024, 4, 1), "gdp", 1.5)]
    assert [(r["file"], r["line"], r["column"]) for r in quarantine(con)] == [(None, 2, "value"), (None, 3, "adcode")]


def test_without_origin_columns_line_is_the_row_number(con, quarantine, region_codes, leaf_codes):
    rows = [{"event_id": "E1"}, {"event_id": "E2", "severity": "x"}]
    assert run(con, "emergency_event", rows, region_codes, leaf_codes, origin=False) == (1, 1)
    row = only_problem(quarantine, con, "emergency_event")
    assert (row["file"], row["line"]) == (None, 2)


def test_a_row_with_several_problems_counts_once(con, quarantine, region_codes, leaf_codes):
    rows = [{"severity": "9", "lat": "abc", "category": "x", "adcode": "1", "title": ""}]
    assert run(con, "emergency_event", rows, region_codes, leaf_codes) == (0, 1)
    assert [r["column"] for r in quarantine(con)] == ["category", "severity", "adcode", "lat", "title"]


def test_quarantine_is_appended_and_reasons_are_bilingual(con, quarantine, region_codes, leaf_codes):
    run(con, "statistic", [{"adcode": "1"}, {"value": "x"}, {}, {}], region_codes, leaf_codes)
    run(con, "emergency_event", [{"severity": "9", "event_id": "E1"}, {"title": None, "event_id": "E2"}],
        region_codes, leaf_codes)
    rows = quarantine(con)
    assert len(rows) == 5
    assert tuple(rows[0]) == QUARANTINE_COLUMNS
    for r in rows:
        assert re.fullmatch(r"[^()]*[\u4e00-\u9fff][^()]* \([a-z][^()]*\)", r["reason"]), r["reason"]
    assert con.execute("SELECT data_type FROM information_schema.columns "
                       "WHERE table_name = 'quarantine' AND column_name = 'line'").fetchone() == ("INTEGER",)


def test_missing_schema_column_is_a_programming_error(con, region_codes, leaf_codes):
    con.execute("CREATE TABLE raw (adcode VARCHAR)")
    with pytest.raises(ValueError, match="period, measure, value"):
        validate_table(con, RAW_BY_NAME["statistic"], "raw", source="s", region_codes=region_codes,
                       leaf_codes=leaf_codes, target="statistic")


def test_region_codes_may_be_a_numpy_array(con, region_codes, leaf_codes):
    np = pytest.importorskip("numpy")
    assert run(con, "statistic", [{}], np.array(sorted(region_codes)), np.array(sorted(leaf_codes))) == (1, 0)


# ---------------------------------------------------------------- masking
@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("张三丰", "张**"),
        ("李四", "李*"),
        ("欧阳娜娜", "欧***"),
        ("张", "*"),
        ("John Smith", "J*********"),
        ("13812345678", "138****5678"),
        ("+86 138-1234-5678", "+86*******5678"),
        ("0532-88881234", "053*****1234"),
        ("张三 13812345678", "**************"),
        ("zhang@example.com", "*****************"),
        ("1234567", "*******"),
        (None, None),
    ],
)
def test_mask_rules_and_idempotence(con, raw, masked):
    mask = lambda v: con.execute(f"SELECT {mask_sql('x')} FROM (SELECT ?::VARCHAR AS x)", [v]).fetchone()[0]  # noqa: E731
    assert mask(raw) == masked
    assert mask(masked) == masked


def test_personal_columns_are_masked_in_the_target(con, region_codes, leaf_codes):
    rows = [{"order_id": "W1", "caller": "王小明", "phone": "13912345678"},
            {"order_id": "W2", "caller": "王**", "phone": "139****5678"},  # already masked upstream
            {"order_id": "W3", "caller": None, "phone": "(0532) 8888-1234"}]
    assert run(con, "work_order", rows, region_codes, leaf_codes) == (3, 0)
    assert con.execute("SELECT caller, phone FROM work_order ORDER BY order_id").fetchall() == [
        ("王**", "139****5678"), ("王**", "139****5678"), (None, "053*****1234")]
    run(con, "emergency_event", [{"reporter": "13812345678"}], region_codes, leaf_codes)
    assert con.execute("SELECT reporter FROM emergency_event").fetchone() == ("138****5678",)


def test_target_keeps_input_order(con, region_codes, leaf_codes):
    ids = [f"E{i:03d}" for i in range(300, 0, -1)]
    rows = [{"event_id": e, "adcode": "999999" if i % 7 == 0 else "370302"} for i, e in enumerate(ids)]
    good, bad = run(con, "emergency_event", rows, region_codes, leaf_codes)
    assert bad == len([i for i in range(300) if i % 7 == 0])
    assert [r[0] for r in con.execute("SELECT event_id FROM emergency_event").fetchall()] == \
        [e for i, e in enumerate(ids) if i % 7]


def test_nan_is_not_a_number_even_in_typed_double(con):
    # Guard for the DOUBLE rule above: DuckDB orders NaN above every number, so a
    # bounds check alone would let it through a `min`-only column.
    assert con.execute("SELECT 'NaN'::DOUBLE >= 0").fetchone() == (True,)
    assert math.isnan(con.execute("SELECT 'NaN'::DOUBLE").fetchone()[0])


def test_quarantine_never_shows_personal_values(con, quarantine, region_codes, leaf_codes):
    from pipeline.raw_schema import Column, RawTable

    table = RawTable("contact", "", (Column("id", "VARCHAR"), Column("phone", "VARCHAR", personal=True,
                                                                       choices=("13800000000",)),
                                     Column("badge", "INTEGER", personal=True)), key=("id",))
    con.execute("CREATE TABLE raw AS SELECT * FROM (VALUES ('1', '13912345678', '12a')) t(id, phone, badge)")
    assert validate_table(con, table, "raw", source="s", region_codes=region_codes, leaf_codes=leaf_codes,
                          target="contact") == (0, 1)
    rows = [(r["column"], r["value"], r["reason"]) for r in quarantine(con)]
    assert rows == [("phone", "139****5678", "取值 '***' 不在允许值 13800000000 之内 (not an allowed value)"),
                    ("badge", "***", "不是有效的 INTEGER: '***' (not a valid INTEGER)")]
