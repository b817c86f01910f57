"""load_postgres against a real PostgreSQL server (see conftest.pg_server)."""
from __future__ import annotations

import datetime as dt
import uuid

import psycopg
import pytest

from pipeline.sources.postgres import PostgresSourceError, load_postgres

STATISTIC_ROWS = [  # typed columns, as a data warehouse would have them
    (370302, "2024-04-01", "gdp", 10.5),
    (999999, "2024-04-01", "gdp", 11.0),     # row 2: unknown region
    (370302, "2024-04-01", "gdp", 12.0),     # row 3: duplicate of row 1
    (370303, "2024-05-01", "gdp", None),     # row 4: missing value
    (370300, "2024-05-01", "gdp", 13.0),
]

WORK_ORDER_COLUMNS = ("order_id", "created_at", "adcode", "channel", "category", "topic", "department",
                      "caller", "phone", "due_at", "closed_at", "satisfied")


def work_order(order_id, created="2024-05-01 09:00:00", adcode="370302", channel="电话", topic="城市管理"):
    return (order_id, created, adcode, channel, "咨询", topic, "住建局", "张三丰", "13812345678",
            "2024-05-03 09:00:00", None, "t")


WORK_ORDER_ROWS = [  # everything text, as a raw landing schema often has it
    work_order("W1"),
    work_order("W2", created="2024-13-45"),          # row 2: bad timestamp
    work_order("W3", topic="多行\n的\n主题"),            # row 3: value spanning lines, good
    work_order("W4", channel="传真"),                  # row 4: not an allowed channel
    work_order("W5", adcode="370300"),               # row 5: not a leaf
]


@pytest.fixture
def database(pg_server):
    """A fresh database with a raw schema: good and bad rows, a table lacking a column."""
    name = f"raw_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_server.dsn(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(pg_server.dsn(name)) as pg:
        pg.execute("CREATE SCHEMA raw")
        pg.execute("""CREATE TABLE raw.statistic (adcode integer, period date, measure text,
                                                  value double precision, loaded_by text DEFAULT 'etl')""")
        with pg.cursor().copy("COPY raw.statistic (adcode, period, measure, value) FROM STDIN") as copy:
            for row in STATISTIC_ROWS:
                copy.write_row(row)
        pg.execute(f"CREATE TABLE raw.work_order ({', '.join(f'{c} text' for c in WORK_ORDER_COLUMNS)})")
        with pg.cursor().copy(f"COPY raw.work_order ({', '.join(WORK_ORDER_COLUMNS)}) FROM STDIN") as copy:
            for row in WORK_ORDER_ROWS:
                copy.write_row(row)
        pg.execute("""CREATE TABLE raw.emergency_event (
            event_id text, category text, subtype text, severity smallint, adcode integer,
            lon double precision, lat double precision, reported_at timestamptz, responded_at timestamptz,
            closed_at timestamptz, deadline_at timestamp(0) with time zone, unit text, title text, reporter text)""")
        pg.execute("""INSERT INTO raw.emergency_event VALUES
            ('E1', '自然灾害', '森林火灾', 2, 370302, 120.4, 36.1, '2024-05-01 00:30:00+00', NULL, NULL,
             '2024-05-02 00:30:00+00', '应急局', '崂山山火', '13812345678')""")
        pg.execute("""CREATE TABLE raw.cloud_node (node_id text, name text, tier text, adcode integer,
                      lon double precision, lat double precision, vcpu_total double precision)""")
        pg.execute("CREATE TABLE raw.cloud_energy (day date, node_id text, it_kwh float8, facility_kwh float8)")
        pg.execute("INSERT INTO raw.cloud_energy VALUES ('2024-05-01', 'N1', 100, 150), ('2024-05-02', 'N1', 90, 140)")
        pg.execute("CREATE TABLE public.statistic (adcode integer)")  # another schema: must not be read
    return pg_server.dsn(name)


def load(con, dsn, region_codes, leaf_codes, schema="raw"):
    return load_postgres(con, "dw", dsn, schema=schema, region_codes=region_codes, leaf_codes=leaf_codes)


def test_load_reads_tables_validates_and_quarantines(con, quarantine, database, region_codes, leaf_codes):
    result = load(con, database, region_codes, leaf_codes)
    assert set(result) == {"statistic", "work_order", "emergency_event", "cloud_node", "cloud_energy", "_warnings"}

    assert (result["statistic"]["rows"], result["statistic"]["quarantined"]) == (2, 3)
    assert result["statistic"]["files"] == ["raw.statistic"]
    assert con.execute("SELECT * FROM statistic ORDER BY adcode").fetchall() == [
        (370300, dt.date(2024, 5, 1), "gdp", 13.0), (370302, dt.date(2024, 4, 1), "gdp", 10.5)]
    assert [(r["file"], r["line"], r["column"], r["reason"]) for r in quarantine(con, "statistic")] == [
        ("raw.statistic", 2, "adcode", "未知区划代码 999999 (unknown region code)"),
        ("raw.statistic", 3, "adcode,period,measure",
         "重复的键 adcode=370302, period=2024-04-01, measure=gdp, 首次出现于 raw.statistic 第 1 行 "
         "(duplicate key, first seen at line 1)"),
        ("raw.statistic", 4, "value", "缺少必填值 (missing required value)"),
    ]


def test_text_columns_are_checked_like_csv_and_lines_are_row_numbers(con, quarantine, database,
                                                                     region_codes, leaf_codes):
    result = load(con, database, region_codes, leaf_codes)
    assert (result["work_order"]["rows"], result["work_order"]["quarantined"]) == (2, 3)
    assert con.execute("SELECT order_id, topic, caller, phone, satisfied FROM work_order ORDER BY 1").fetchall() == [
        ("W1", "城市管理", "张**", "138****5678", True), ("W3", "多行\n的\n主题", "张**", "138****5678", True)]
    # Row 3 spans three lines of the COPY output; later rows are still numbered by row.
    assert [(r["line"], r["column"], r["reason"]) for r in quarantine(con, "work_order")] == [
        (2, "created_at", "不是有效的 TIMESTAMP: '2024-13-45' (not a valid TIMESTAMP)"),
        (4, "channel", "取值 '传真' 不在允许值 电话、网站、APP、微信 之内 (not an allowed value)"),
        (5, "adcode", "区划代码 370300 不是末级区划 (not a leaf region)"),
    ]


def test_timestamptz_becomes_local_time(con, database, region_codes, leaf_codes):
    load(con, database, region_codes, leaf_codes)
    assert con.execute("SELECT reported_at, deadline_at, reporter FROM emergency_event").fetchall() == [
        (dt.datetime(2024, 5, 1, 8, 30), dt.datetime(2024, 5, 2, 8, 30), "138****5678")]


def test_missing_column_is_an_error_for_that_table_only(con, quarantine, database, region_codes, leaf_codes):
    result = load(con, database, region_codes, leaf_codes)
    node = result["cloud_node"]
    assert node["rows"] == 0 and node["version"] is None
    assert "mem_total_gb, storage_total_tb, racks" in node["error"] and "missing columns" in node["error"]
    assert [(r["file"], r["line"], r["column"]) for r in quarantine(con, "cloud_node")] == [
        ("raw.cloud_node", None, "mem_total_gb,storage_total_tb,racks")]
    assert con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'cloud_node'").fetchone() == (0,)
    assert result["cloud_energy"]["rows"] == 2  # the other tables still load


def test_absent_tables_are_absent_and_other_schemas_ignored(con, database, region_codes, leaf_codes):
    result = load(con, database, region_codes, leaf_codes)
    assert "api_call" not in result and "cloud_sample" not in result
    public = load(con, database, region_codes, leaf_codes, schema="public")
    assert set(public) == {"statistic", "_warnings"} and "error" in public["statistic"]
    empty = load(con, database, region_codes, leaf_codes, schema="nowhere")
    assert set(empty) == {"_warnings"} and "nowhere" in empty["_warnings"][0]


def test_versions_are_stable_and_follow_changes(con, database, region_codes, leaf_codes):
    first = load(con, database, region_codes, leaf_codes)
    again = load(con, database, region_codes, leaf_codes)
    versions = lambda r: {t: v["version"] for t, v in r.items() if t != "_warnings"}  # noqa: E731
    assert versions(first) == versions(again)
    with psycopg.connect(database) as pg:
        pg.execute("INSERT INTO raw.cloud_energy VALUES ('2024-05-03', 'N1', 80, 120)")
    changed = load(con, database, region_codes, leaf_codes)
    assert changed["cloud_energy"]["version"] != first["cloud_energy"]["version"]
    assert changed["statistic"]["version"] == first["statistic"]["version"]
    assert changed["cloud_energy"]["rows"] == 3


def test_unreachable_server_names_host_and_database_not_password(con, pg_server, region_codes, leaf_codes):
    dsn = pg_server.dsn("gov", port=1, connect_timeout=3)
    with pytest.raises(PostgresSourceError) as err:
        load(con, dsn, region_codes, leaf_codes)
    message = str(err.value)
    assert "host=127.0.0.1" in message and "dbname=gov" in message and "'dw'" in message
    assert pg_server.password not in message


def test_wrong_password_is_reported_without_it(con, pg_server, region_codes, leaf_codes):
    dsn = pg_server.dsn("postgres", password="wrong-pw-123")
    with pytest.raises(PostgresSourceError) as err:
        load(con, dsn, region_codes, leaf_codes)
    message = str(err.value)
    assert f"port={pg_server.port}" in message and "password authentication failed" in message
    assert "wrong-pw-123" not in message and err.value.__cause__ is None


def test_unparseable_dsn_is_not_echoed(con, region_codes, leaf_codes):
    with pytest.raises(PostgresSourceError, match="invalid PostgreSQL DSN") as err:
        load(con, "host=x password=top secret", region_codes, leaf_codes)
    assert "secret" not in str(err.value)


def test_unreadable_table_does_not_abort_the_others(con, quarantine, pg_server, database, region_codes, leaf_codes):
    role = f"reader_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(database, autocommit=True) as pg:
        pg.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'reader-pw'")
        pg.execute(f"GRANT USAGE ON SCHEMA raw TO {role}")
        pg.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA raw TO {role}")
        pg.execute(f"REVOKE SELECT ON raw.statistic FROM {role}")
    dbname = psycopg.conninfo.conninfo_to_dict(database)["dbname"]
    result = load(con, pg_server.dsn(dbname, user=role, password="reader-pw"), region_codes, leaf_codes)
    assert "permission denied" in result["statistic"]["error"]
    assert result["work_order"]["rows"] == 2 and result["cloud_energy"]["rows"] == 2
    assert [r["reason"] for r in quarantine(con, "statistic")] == [result["statistic"]["error"]]
