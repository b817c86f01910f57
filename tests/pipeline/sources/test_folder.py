"""load_folder on real files: broken lines and files are quarantined by file, line and reason."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb
import pytest

from pipeline.raw_schema import RAW_BY_NAME
from pipeline.sources.folder import load_folder

WORK_ORDER_HEADER = "order_id,created_at,adcode,channel,category,topic,department,caller,phone,due_at,closed_at,satisfied"


def order(order_id, *, created="2024-05-01 09:00:00", adcode="370302", channel="电话", topic="城市管理",
          caller="张三丰", extra=None) -> str:
    fields = [order_id, created, adcode, channel, "咨询", topic, "住建局", caller, "13812345678",
              "2024-05-03 09:00:00", "", "是"]
    if extra is not None:
        fields.append(extra)
    return ",".join(fields)


def write_lines(path: Path, lines: list[bytes | str], newline: bytes = b"\n", encoding: str = "utf-8") -> None:
    path.write_bytes(newline.join(x if isinstance(x, bytes) else x.encode(encoding) for x in lines) + newline)


def load(con, path, region_codes, leaf_codes, **kwargs):
    return load_folder(con, "drop", path, region_codes=region_codes, leaf_codes=leaf_codes, **kwargs)


def problems(quarantine, con, table):
    """(file, line, column, reason) sorted by file and line."""
    rows = [(r["file"], r["line"], r["column"], r["reason"]) for r in quarantine(con, table)]
    return sorted(rows, key=lambda r: (r[0] or "", r[1] or 0))


@pytest.fixture
def drop(tmp_path) -> Path:
    """A drop folder with one of every kind of problem, line numbers known by construction."""
    folder = tmp_path / "drop"
    folder.mkdir()
    write_lines(folder / "work_order.csv", [
        WORK_ORDER_HEADER,                                   # 1
        order("W1"),                                         # 2  good
        order("W2", created="2024-13-45"),                   # 3  bad timestamp
        order("W3", adcode="123456"),                        # 4  unknown region
        order("W1", caller="李四"),                           # 5  duplicate of line 2
        order("W4", caller="王五").encode("gbk"),              # 6  GBK bytes in a UTF-8 file
        order("W5", extra="surplus"),                        # 7  too many fields
        order("W6", topic='"城市\n管理"'),                     # 8-9 quoted value over two lines: good
        order("W7", channel="传真"),                          # 10 not an allowed channel
        "",                                                  # 11 blank line
        order("W8"),                                         # 12 good
        order("W9", adcode="370300"),                        # 13 not a leaf
    ])
    # A file lacking a column is quarantined whole; the other file of the table still loads.
    write_lines(folder / "emergency_event.csv", [
        "event_id,category,subtype,severity,adcode,lon,lat,reported_at,responded_at,closed_at,deadline_at,unit,reporter",
        "E1,自然灾害,森林火灾,2,370302,120.4,36.1,2024-05-01 08:00,,,2024-05-02 08:00,应急局,张三",
        "E2,自然灾害,森林火灾,2,370302,120.4,36.1,2024-05-01 08:00,,,2024-05-02 08:00,应急局,张三",
    ])
    write_lines(folder / "emergency_event-2.csv", [
        "event_id,category,subtype,severity,adcode,lon,lat,reported_at,responded_at,closed_at,deadline_at,unit,title,reporter",
        "E3,事故灾难,危化品,1,370303,120.4,36.1,2024-05-01 08:00,,,2024-05-02 08:00,应急局,泄漏,13812345678",
    ])
    # Parquet (typed, row numbers) plus a CSV part; the part repeats a Parquet key.
    con = duckdb.connect()
    con.execute(f"""COPY (SELECT * FROM (VALUES
        (370302::BIGINT, DATE '2024-04-01', 'gdp', 10.5::DOUBLE),
        (999999::BIGINT, DATE '2024-04-01', 'gdp', 11.0::DOUBLE),
        (370303::BIGINT, DATE '2024-04-01', 'gdp', 'NaN'::DOUBLE)) t(adcode, period, measure, value))
        TO '{folder / "statistic.parquet"}' (FORMAT parquet)""")
    con.close()
    write_lines(folder / "statistic-2024.csv", [
        "measure,adcode,period,value,remark",               # other column order, an extra column
        "gdp,370303,2024-05-01,12,ok",                      # 2 good
        "gdp,370302,2024-04-01,13,again",                   # 3 duplicate of statistic.parquet row 1
    ])
    # An unterminated quote swallows the rest of the file.
    write_lines(folder / "cloud_energy.csv", [
        "day,node_id,it_kwh,facility_kwh",
        "2024-05-01,N1,100,150",
        '2024-05-02,"N1,100,150',
        "2024-05-03,N1,100,150",
    ])
    # Windows line ends.
    write_lines(folder / "cloud_system.csv", [
        "system_id,name,department,node_id,onboarded_on,is_new,cloud_native",
        "S1,一网通办,大数据局,N1,2023-01-05,true,false",
        "S2,城市大脑,大数据局,N1,2023-02-05,maybe,false",
    ], newline=b"\r\n")
    (folder / "notes.txt").write_text("not data")
    (folder / "unknown_table.csv").write_text("a,b\n1,2\n")
    (folder / ".hidden.csv").write_text("ignored silently")
    return folder


def test_load_keeps_good_rows_and_quarantines_the_rest(con, quarantine, drop, region_codes, leaf_codes):
    result = load(con, drop, region_codes, leaf_codes)
    assert set(result) == {"work_order", "emergency_event", "statistic", "cloud_energy", "cloud_system", "_warnings"}
    assert result["work_order"]["rows"] == 3
    assert result["work_order"]["quarantined"] == 7
    assert result["work_order"]["files"] == ["work_order.csv"]
    assert con.execute("SELECT order_id, topic FROM work_order").fetchall() == [
        ("W1", "城市管理"), ("W6", "城市\n管理"), ("W8", "城市管理")]

    found = problems(quarantine, con, "work_order")
    expected = [
        (3, "created_at", "不是有效的 TIMESTAMP: '2024-13-45' (not a valid TIMESTAMP)"),
        (4, "adcode", "未知区划代码 123456 (unknown region code)"),
        (5, "order_id", "重复的键 order_id=W1, 首次出现于 work_order.csv 第 2 行 (duplicate key, first seen at line 2)"),
        (6, None, "不是有效的 UTF-8 编码 (invalid UTF-8 encoding)"),
        (7, None, "字段过多: 应为 12 个, 实为 13 个 (too many fields)"),
        (10, "channel", "取值 '传真' 不在允许值 电话、网站、APP、微信 之内 (not an allowed value)"),
        (13, "adcode", "区划代码 370300 不是末级区划 (not a leaf region)"),
    ]
    assert found == [("work_order.csv", *e) for e in expected]


def test_broken_lines_of_personal_tables_do_not_show_their_text(con, quarantine, drop, region_codes, leaf_codes):
    load(con, drop, region_codes, leaf_codes)
    for r in quarantine(con, "work_order"):
        if r["column"] is None:
            assert r["value"] is None
        assert "张三丰" not in (r["value"] or "") and "13812345678" not in (r["value"] or "")
    assert con.execute("SELECT DISTINCT caller, phone FROM work_order").fetchall() == [("张**", "138****5678")]


def test_file_missing_a_column_is_quarantined_whole(con, quarantine, drop, region_codes, leaf_codes):
    result = load(con, drop, region_codes, leaf_codes)
    assert result["emergency_event"]["files"] == ["emergency_event.csv", "emergency_event-2.csv"]
    assert (result["emergency_event"]["rows"], result["emergency_event"]["quarantined"]) == (1, 2)
    assert problems(quarantine, con, "emergency_event") == [
        ("emergency_event.csv", 1, "title", "缺少列 title, 整个文件未载入 (missing columns, file not loaded)")]
    assert con.execute("SELECT event_id, reporter FROM emergency_event").fetchall() == [("E3", "138****5678")]


def test_parquet_and_csv_parts_load_together(con, quarantine, drop, region_codes, leaf_codes):
    result = load(con, drop, region_codes, leaf_codes)
    assert result["statistic"]["files"] == ["statistic.parquet", "statistic-2024.csv"]
    assert (result["statistic"]["rows"], result["statistic"]["quarantined"]) == (2, 3)
    assert con.execute("SELECT * FROM statistic ORDER BY period").fetchall() == [
        (370302, dt.date(2024, 4, 1), "gdp", 10.5), (370303, dt.date(2024, 5, 1), "gdp", 12.0)]
    assert problems(quarantine, con, "statistic") == [
        ("statistic-2024.csv", 3, "adcode,period,measure",
         "重复的键 adcode=370302, period=2024-04-01, measure=gdp, 首次出现于 statistic.parquet 第 1 行 "
         "(duplicate key, first seen at line 1)"),
        ("statistic.parquet", 2, "adcode", "未知区划代码 999999 (unknown region code)"),
        ("statistic.parquet", 3, "value", "不是有效的 DOUBLE: 'nan' (not a valid DOUBLE)"),
    ]


def test_unterminated_quote_and_crlf(con, quarantine, drop, region_codes, leaf_codes):
    result = load(con, drop, region_codes, leaf_codes)
    assert (result["cloud_energy"]["rows"], result["cloud_energy"]["quarantined"]) == (1, 1)
    assert problems(quarantine, con, "cloud_energy") == [
        ("cloud_energy.csv", 3, None, "引号未闭合或位置不当 (unterminated or misplaced quote)")]
    assert (result["cloud_system"]["rows"], result["cloud_system"]["quarantined"]) == (1, 1)
    assert problems(quarantine, con, "cloud_system") == [
        ("cloud_system.csv", 3, "is_new", "不是有效的 BOOLEAN: 'maybe' (not a valid BOOLEAN)")]
    assert con.execute("SELECT cloud_native FROM cloud_system").fetchall() == [(False,)]


def test_warnings_for_unknown_files_and_extra_columns(con, drop, region_codes, leaf_codes):
    warnings = load(con, drop, region_codes, leaf_codes)["_warnings"]
    assert any("notes.txt" in w and "unrecognised" in w for w in warnings)
    assert any("unknown_table.csv" in w for w in warnings)
    assert any("statistic-2024.csv" in w and "remark" in w and "extra columns" in w for w in warnings)
    assert not any(".hidden.csv" in w for w in warnings)


def test_versions_follow_the_files(con, drop, region_codes, leaf_codes):
    first = load(con, drop, region_codes, leaf_codes)
    again = load(con, drop, region_codes, leaf_codes)
    assert {t: first[t]["version"] for t in first if t != "_warnings"} == \
        {t: again[t]["version"] for t in again if t != "_warnings"}
    path = drop / "statistic-2024.csv"
    path.write_bytes(path.read_bytes() + b"gdp,370303,2024-06-01,14,new\n")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    changed = load(con, drop, region_codes, leaf_codes)
    assert changed["statistic"]["version"] != first["statistic"]["version"]
    assert changed["work_order"]["version"] == first["work_order"]["version"]
    assert changed["statistic"]["rows"] == 3


def test_gb18030_file_loads_cleanly(con, quarantine, tmp_path, region_codes, leaf_codes):
    folder = tmp_path / "gb"
    folder.mkdir()
    # 𪚥 exists in GB18030 only (four bytes), not in GBK.
    write_lines(folder / "work_order.csv", [WORK_ORDER_HEADER, order("W1", caller="𪚥三"),
                                            order("W2", topic="住房保障")], encoding="gb18030")
    result = load(con, folder, region_codes, leaf_codes, encoding="gb18030")
    assert (result["work_order"]["rows"], result["work_order"]["quarantined"]) == (2, 0)
    assert quarantine(con) == []
    assert con.execute("SELECT caller, topic, channel FROM work_order ORDER BY order_id").fetchall() == [
        ("𪚥*", "城市管理", "电话"), ("张**", "住房保障", "电话")]


def test_gb18030_file_with_an_undecodable_line(con, quarantine, tmp_path, region_codes, leaf_codes):
    folder = tmp_path / "gb"
    folder.mkdir()
    write_lines(folder / "work_order.csv", [WORK_ORDER_HEADER, order("W1"), b"W2,\xff\xff,broken", order("W3")],
                newline=b"\r\n", encoding="gb18030")
    result = load(con, folder, region_codes, leaf_codes, encoding="gbk")
    assert (result["work_order"]["rows"], result["work_order"]["quarantined"]) == (2, 1)
    assert problems(quarantine, con, "work_order") == [
        ("work_order.csv", 3, None, "不是有效的 GBK 编码 (invalid GBK encoding)")]


def test_utf8_bom_header_case_and_timezone_aware_parquet(con, quarantine, tmp_path, region_codes, leaf_codes):
    folder = tmp_path / "misc"
    folder.mkdir()
    (folder / "cloud_energy.csv").write_bytes("\ufeffDay, Node_ID ,it_kwh,facility_kwh\n2024-05-01,N1,1,2\n".encode())
    c = duckdb.connect()
    c.execute(f"""COPY (SELECT 'R1' AS resource_id, 'warehouse' AS kind, '物资库' AS name, NULL AS subtype,
                  NULL::SMALLINT AS grade, 370302 AS adcode, 120.1 AS lon, 36.1 AS lat, 10.0 AS capacity,
                  TIMESTAMPTZ '2024-05-01 00:00:00+00' AS updated_at)
                  TO '{folder / "emergency_resource.parquet"}' (FORMAT parquet)""")
    c.close()
    result = load(con, folder, region_codes, leaf_codes)
    assert quarantine(con) == []
    assert result["cloud_energy"]["rows"] == 1
    assert con.execute("SELECT updated_at FROM emergency_resource").fetchall() == [(dt.datetime(2024, 5, 1, 8, 0),)]


def test_unreadable_and_empty_files(con, quarantine, tmp_path, region_codes, leaf_codes):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "cloud_energy.csv").write_bytes(b"")
    (folder / "cloud_node.parquet").write_bytes(b"PAR1 this is not parquet")
    result = load(con, folder, region_codes, leaf_codes)
    assert result["cloud_energy"]["rows"] == 0 and result["cloud_node"]["rows"] == 0
    reasons = {r["file"]: r["reason"] for r in quarantine(con)}
    assert reasons["cloud_energy.csv"] == "缺少表头 (missing header row)"
    assert reasons["cloud_node.parquet"].startswith("无法读取 Parquet 文件")
    # The tables exist, empty and typed, so downstream code sees the schema.
    assert [r[1] for r in con.execute("DESCRIBE cloud_node").fetchall()] == [c.type for c in RAW_BY_NAME["cloud_node"].columns]


def test_missing_folder_is_an_error(con, tmp_path, region_codes, leaf_codes):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        load(con, tmp_path / "nowhere", region_codes, leaf_codes)


@pytest.mark.parametrize(("seed", "records"), [(1, 60), (2, 400), (3, 1500)])
def test_line_numbers_match_the_file_whatever_the_layout(con, quarantine, tmp_path, region_codes, leaf_codes,
                                                         seed, records):
    """Random mixes of multi-line values, blank lines and broken lines, checked against the line count.

    The larger cases have hundreds of multi-line rows, which takes the join path
    of the line mapping instead of the CASE chain.
    """
    import random

    rng = random.Random(seed)
    day0 = dt.date(2020, 1, 1)
    lines = ["day,node_id,it_kwh,facility_kwh"]
    expected = []  # (line, reason prefix) of every record that must be quarantined
    for i in range(records):
        day = (day0 + dt.timedelta(days=i)).isoformat()
        kind = rng.choice(["good", "good", "multiline", "blank", "too_many", "bad_type", "multiline_bad"])
        start = sum(entry.count("\n") + 1 for entry in lines) + 1
        if kind == "good":
            lines.append(f"{day},N{i},1,2")
        elif kind == "multiline":
            lines.append(f'{day},"N{i}\n' + "\n".join("x" * rng.randint(0, 3) for _ in range(rng.randint(1, 3))) + '",1,2')
        elif kind == "blank":
            lines.append("")
        elif kind == "too_many":
            lines.append(f"{day},N{i},1,2,3")
            expected.append((start, "字段过多"))
        elif kind == "bad_type":
            lines.append(f"{day},N{i},x,2")
            expected.append((start, "不是有效的 DOUBLE"))
        else:
            lines.append(f'{day},"N{i}\nmore",oops,2')
            expected.append((start, "不是有效的 DOUBLE"))
    folder = tmp_path / "random"
    folder.mkdir()
    (folder / "cloud_energy.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = load(con, folder, region_codes, leaf_codes)
    found = sorted((r["line"], r["reason"]) for r in quarantine(con, "cloud_energy"))
    assert [(line, reason[:len(prefix)]) for (line, reason), (_, prefix) in zip(found, expected)] == expected
    assert len(found) == len(expected) == result["cloud_energy"]["quarantined"]
