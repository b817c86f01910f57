"""The one validation step every source's rows go through before staging.

`validate_table` turns a relation of raw rows (usually all VARCHAR, straight out
of a CSV, a Parquet file or a PostgreSQL COPY) into a table with exactly the
schema's columns and types, and writes every problem it finds to the
`quarantine` table, one row per problem.

Everything is set-based SQL generated from `pipeline.raw_schema`: the step runs
on tens of millions of rows, so Python only builds statements, never touches rows.

Quarantine rows (QUARANTINE_COLUMNS):
    source     name of the configured source
    raw_table  raw table name (statistic, work_order, ...)
    file       where the row came from: a file name relative to the drop folder,
               `schema.table` for PostgreSQL, NULL if the relation had no `_file`
    line       CSV files: physical line in the file (header = line 1);
               Parquet, PostgreSQL and in-memory relations: 1-based row number;
               NULL when the problem concerns a whole file
    column     offending column (key columns joined by ',' for duplicates,
               NULL for problems that concern a whole line or file)
    value      offending value as text (personal data masked, cut at 200 chars)
    reason     Chinese explanation followed by English in parentheses,
               e.g. "未知区划代码 123456 (unknown region code)"
A row with several problems yields several quarantine rows but is counted once.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

import duckdb

from pipeline.raw_schema import Column, RawTable

QUARANTINE_COLUMNS = ("source", "raw_table", "file", "line", "column", "value", "reason")
QUARANTINE_TABLE = "quarantine"
VALUE_MAX_CHARS = 200

_QUARANTINE_DDL = f"""
CREATE TABLE IF NOT EXISTS {QUARANTINE_TABLE} (
    source VARCHAR, raw_table VARCHAR, file VARCHAR, line INTEGER,
    "column" VARCHAR, value VARCHAR, reason VARCHAR
)"""

# Booleans as Chinese spreadsheets write them, on top of DuckDB's true/false/t/f/1/0/yes/no.
_CHINESE_BOOLEANS = {"是": True, "否": False}


# ---------------------------------------------------------------- SQL helpers
def ident(name: str) -> str:
    """Quote an identifier; a dotted name is taken as schema.table."""
    return ".".join('"' + part.replace('"', '""') + '"' for part in name.split("."))


def lit(value) -> str:
    """Render a Python value as a SQL literal (values come from the schema, but quote anyway)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def ensure_quarantine(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_QUARANTINE_DDL)


def add_quarantine_rows(con: duckdb.DuckDBPyConnection, rows: Iterable[Sequence]) -> int:
    """Append a few rows built in Python (file-level problems); returns how many."""
    rows = [tuple(r) for r in rows]
    ensure_quarantine(con)
    if rows:
        con.executemany(f"INSERT INTO {QUARANTINE_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


# ---------------------------------------------------------------- masking
def mask_sql(expr: str) -> str:
    """SQL that masks one personal value, idempotently.

    Digit-free text up to 30 characters is taken as a name and keeps its first
    character: 张三丰 -> 张**. Phone-like values (8+ digits, separators dropped)
    keep their first 3 and last 4 characters: 13812345678 -> 138****5678.
    Anything else (mixed text, e-mail, short numbers) is masked completely.
    Masked output falls under the same rule again and comes out unchanged, so
    masking twice is harmless. Bare phone numbers get a branch of their own
    because stripping separators costs more than the rest of the rule.
    """
    v = expr
    # Separators people type in phone numbers; replace() is much cheaper than a regex here.
    compact = f"replace(replace(replace(replace({v}, ' ', ''), '-', ''), '(', ''), ')', '')"
    return f"""CASE
        WHEN {v} IS NULL THEN NULL
        WHEN length({v}) <= 30 AND NOT regexp_matches({v}, '[0-9@]')
            THEN CASE WHEN length({v}) = 1 THEN '*' ELSE left({v}, 1) || repeat('*', length({v}) - 1) END
        WHEN regexp_full_match({v}, '\\+?[0-9*]{{8,}}')
            THEN left({v}, 3) || repeat('*', length({v}) - 7) || right({v}, 4)
        WHEN regexp_full_match({v}, '\\+?[0-9*() \\-]+') AND length({compact}) >= 8
            THEN left({compact}, 3) || repeat('*', length({compact}) - 7) || right({compact}, 4)
        ELSE repeat('*', length({v}))
    END"""


# ---------------------------------------------------------------- per-column SQL
def _clean_text(expr: str) -> str:
    """Text without surrounding blanks; empty means missing.

    trim() costs several times a plain copy, so only values that start or end
    with a blank pay for it.
    """
    return (f"CASE WHEN starts_with({expr}, ' ') OR ends_with({expr}, ' ') "
            f"THEN NULLIF(trim({expr}), '') ELSE NULLIF({expr}, '') END")


def _typed_sql(col: Column, src: str, src_type: str) -> tuple[str, str]:
    """(typed value, raw text) expressions for one column read from `src`.

    Input that already has the schema type is taken as is; anything else goes
    through its trimmed text so that CSV, Parquet and PostgreSQL values follow
    the same rules. Stricter than a bare TRY_CAST where that would silently
    change data: '1.5' is not an INTEGER (TRY_CAST would round it), and NaN,
    infinity and DuckDB's 'infinity' dates are not values at all.
    """
    t = col.type
    if src_type == t:
        if t == "VARCHAR":
            return _clean_text(src), _clean_text(src)
        raw = f"CAST({src} AS VARCHAR)"
        if t in ("DOUBLE", "DATE", "TIMESTAMP"):
            return f"CASE WHEN isfinite({src}) THEN {src} END", raw
        return src, raw
    raw = _clean_text(src if src_type == "VARCHAR" else f"CAST({src} AS VARCHAR)")
    if t == "VARCHAR":
        typed = raw
    elif t in ("INTEGER", "SMALLINT", "BIGINT", "TINYINT"):
        typed = f"CASE WHEN TRY_CAST({raw} AS DOUBLE) = TRY_CAST({raw} AS {t}) THEN TRY_CAST({raw} AS {t}) END"
    elif t in ("DOUBLE", "DATE", "TIMESTAMP"):
        typed = f"CASE WHEN isfinite(TRY_CAST({raw} AS {t})) THEN TRY_CAST({raw} AS {t}) END"
    elif t == "BOOLEAN":
        cases = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in _CHINESE_BOOLEANS.items())
        typed = f"CASE {raw} {cases} ELSE TRY_CAST({raw} AS BOOLEAN) END"
    else:
        typed = f"TRY_CAST({raw} AS {t})"
    return typed, raw


def _checks(col: Column, typed: str, raw: str) -> list[tuple[str, str]]:
    """(condition, reason) pairs for one cell, in the order they are reported.

    Regions are checked later, against the region tables (see _check_regions).
    Reasons quote the offending value, except for personal columns.
    """
    shown_raw, shown = (f"left({raw}, 100)", typed) if not col.personal else ("'***'", "'***'")
    checks = [(
        f"{raw} IS NOT NULL AND {typed} IS NULL",
        f"format('不是有效的 {col.type}: ''{{}}'' (not a valid {col.type})', {shown_raw})",
    )]
    if col.required:
        checks.append((f"{typed} IS NULL", "'缺少必填值 (missing required value)'"))
    if col.choices:
        allowed = "、".join(col.choices).replace("'", "''")
        checks.append((
            f"{typed} NOT IN ({', '.join(lit(c) for c in col.choices)})",
            f"format('取值 ''{{}}'' 不在允许值 {allowed} 之内 (not an allowed value)', {shown})",
        ))
    if col.min is not None or col.max is not None:
        bounds = []
        if col.min is not None:
            bounds.append(f"{typed} < {_number(col.min)}")
        if col.max is not None:
            bounds.append(f"{typed} > {_number(col.max)}")
        lo = _number(col.min) if col.min is not None else "-∞"
        hi = _number(col.max) if col.max is not None else "+∞"
        checks.append((
            " OR ".join(bounds),
            f"format('数值 {{}} 超出范围 [{lo}, {hi}] (out of range)', {shown})",
        ))
    return checks


def _problem_sql(column: str, value: str, reason: str) -> str:
    return (f"{{'column': {lit(column)}, 'value': CAST({value} AS VARCHAR), "
            f"'reason': CAST({reason} AS VARCHAR)}}")


def _raw(name: str) -> str:
    return ident(f"{name}__raw")


def _region_why(name: str) -> str:
    return ident(f"{name}__region")


# ---------------------------------------------------------------- steps
def _relation_types(con, relation: str) -> dict[str, str]:
    rows = con.execute(f"DESCRIBE SELECT * FROM {ident(relation)}").fetchall()
    return {r[0]: r[1] for r in rows}


def _create_region_tables(con, work: str, region_codes, leaf_codes) -> tuple[str, str]:
    regions, leaves = f"{work}_regions", f"{work}_leaves"
    for name, codes in ((regions, region_codes), (leaves, leaf_codes)):
        con.execute(f"CREATE TEMP TABLE {name} (code INTEGER PRIMARY KEY)")
        values = sorted({int(c) for c in codes})
        if values:
            con.execute(f"INSERT INTO {name} SELECT unnest(?::INTEGER[])", [values])
    return regions, leaves


def _stage_typed(con, table: RawTable, relation: str, rows: str, types: dict[str, str]) -> None:
    """Materialise typed values plus, for bad rows only, the list of their problems.

    Problems live in one LIST column that is NULL for good rows: a reason and a
    raw-text column per schema column cost more to write than all the checks.
    A single-table SELECT keeps the relation's row order, so rows.rowid is the
    input order: the duplicate check relies on it to keep the first occurrence.
    """
    inner, typed_cols, conditions, problems = [], [], [], []
    for col in table.columns:
        typed, raw = _typed_sql(col, ident(col.name), types[col.name])
        q, r = ident(col.name), _raw(col.name)
        inner += [f"{typed} AS {q}", f"{raw} AS {r}"]
        typed_cols.append(q)
        checks = _checks(col, q, r)
        conditions += [f"({cond})" for cond, _ in checks]
        whens = " ".join(f"WHEN {cond} THEN {reason}" for cond, reason in checks)
        # The raw text is what is worth showing when a value did not convert.
        value = f"coalesce(CASE WHEN {q} IS NULL THEN {r} END, CAST({q} AS VARCHAR))"
        problems.append(_problem_sql(col.name, value, f"CASE {whens} END"))
    file_expr = "CAST(_file AS VARCHAR)" if "_file" in types else "CAST(NULL AS VARCHAR)"
    line_expr = "CAST(_line AS INTEGER)" if "_line" in types else "CAST(row_number() OVER () AS INTEGER)"
    con.execute(f"""
        CREATE TEMP TABLE {rows} AS
        SELECT _file, _line, {', '.join(typed_cols)},
               CASE WHEN {' OR '.join(conditions)}
                    THEN list_filter([{', '.join(problems)}], lambda p: p.reason IS NOT NULL) END AS _problems,
               {''.join(f"CAST(NULL AS VARCHAR) AS {_region_why(c.name)}, " for c in table.columns if c.region)}
               CAST(NULL AS VARCHAR) AS _dup_why
        FROM (SELECT {file_expr} AS _file, {line_expr} AS _line, {', '.join(inner)}
              FROM {ident(relation)})""")


def _check_regions(con, table: RawTable, rows: str, regions: str, leaves: str) -> None:
    # Membership needs a join, and a join in the staging SELECT would not keep
    # the input order. Updating a VARCHAR column in place keeps rowids (updating
    # the LIST column would move the row to the end), hence one column per check.
    for col in table.columns:
        if not col.region:
            continue
        q = ident(col.name)
        allowed = leaves if col.region == "leaf" else regions
        con.execute(f"""
            UPDATE {rows} SET {_region_why(col.name)} = CASE
                WHEN {q} IN (SELECT code FROM {regions})
                    THEN format('区划代码 {{}} 不是末级区划 (not a leaf region)', {q})
                ELSE format('未知区划代码 {{}} (unknown region code)', {q}) END
            WHERE {q} IS NOT NULL AND {q} NOT IN (SELECT code FROM {allowed})""")


def _valid_sql(table: RawTable, alias: str = "", *, with_dups: bool = False) -> str:
    """Condition of a row that passed every check so far."""
    a = f"{alias}." if alias else ""
    parts = [f"{a}_problems IS NULL"]
    parts += [f"{a}{_region_why(c.name)} IS NULL" for c in table.columns if c.region]
    if with_dups:
        parts.append(f"{a}_dup_why IS NULL")
    return " AND ".join(parts)


def _check_duplicates(con, table: RawTable, rows: str, work: str) -> None:
    """Mark later occurrences of a key among otherwise valid rows.

    Only valid rows compete, so a broken first copy does not push out a good
    later one. Grouping first keeps the window to the (usually few) repeated keys.
    """
    keys = ", ".join(ident(k) for k in table.key)
    r_keys = ", ".join(f"r.{ident(k)}" for k in table.key)
    joined = " AND ".join(f"r.{ident(k)} = d.{ident(k)}" for k in table.key)
    shown = " || ', ' || ".join(f"'{k}=' || CAST({ident(k)} AS VARCHAR)" for k in table.key)
    dups = f"{work}_dups"
    con.execute(f"""
        CREATE TEMP TABLE {dups} AS
        WITH repeated AS (
            SELECT {keys} FROM {rows} WHERE {_valid_sql(table)}
            GROUP BY {keys} HAVING count(*) > 1
        ), ranked AS (
            SELECT r.rowid AS rid, {r_keys},
                   row_number() OVER w AS n,
                   first_value(r._file) OVER w AS first_file,
                   first_value(r._line) OVER w AS first_line
            FROM {rows} r JOIN repeated d ON {joined}
            WHERE {_valid_sql(table, "r")}
            WINDOW w AS (PARTITION BY {r_keys} ORDER BY r.rowid)
        )
        SELECT rid, format('重复的键 {{}}, 首次出现于 {{}}第 {{}} 行 (duplicate key, first seen at line {{}})',
                           {shown}, coalesce(first_file || ' ', ''), first_line, first_line) AS reason
        FROM ranked WHERE n > 1""")
    con.execute(f"UPDATE {rows} SET _dup_why = d.reason FROM {dups} d WHERE {rows}.rowid = d.rid")
    con.execute(f"DROP TABLE {dups}")


def _write_quarantine(con, table: RawTable, rows: str, source: str) -> None:
    """Append one quarantine row per problem, in input order, column order within a row."""
    personal = [c.name for c in table.columns if c.personal]
    value = "p.value"
    if personal:
        # Quarantine reports are read by people who must not see personal data either.
        value = f"CASE WHEN p.column IN ({', '.join(lit(n) for n in personal)}) THEN {mask_sql('p.value')} ELSE p.value END"
    names = "[" + ", ".join(lit(c) for c in table.column_names) + "]"
    parts = [f"""
            SELECT rid, list_position({names}, p.column) AS pos, _file, _line, p.column, {value}, p.reason
            FROM (SELECT rowid AS rid, _file, _line, unnest(_problems) AS p
                  FROM {rows} WHERE _problems IS NOT NULL)"""]
    parts += [f"""
            SELECT rowid, {i + 0.5}, _file, _line, {lit(c.name)}, CAST({ident(c.name)} AS VARCHAR),
                   {_region_why(c.name)}
            FROM {rows} WHERE {_region_why(c.name)} IS NOT NULL"""
              for i, c in enumerate(table.columns, 1) if c.region]
    key_value = " || ', ' || ".join(f"CAST({ident(k)} AS VARCHAR)" for k in table.key)
    parts.append(f"""
            SELECT rowid, {len(table.columns) + 1}, _file, _line, {lit(",".join(table.key))}, {key_value}, _dup_why
            FROM {rows} WHERE _dup_why IS NOT NULL""")
    con.execute(f"""
        INSERT INTO {QUARANTINE_TABLE} (source, raw_table, file, line, "column", value, reason)
        SELECT {lit(source)}, {lit(table.name)}, _file, _line, col, left(value, {VALUE_MAX_CHARS}), reason
        FROM ({" UNION ALL ".join(parts)}) AS q(rid, pos, _file, _line, col, value, reason)
        ORDER BY rid, pos""")


def _create_target(con, table: RawTable, rows: str, target: str) -> None:
    cols = []
    for col in table.columns:
        expr = ident(col.name)
        if col.personal:
            # A masked value is text: a personal column of another type cannot keep any of it.
            expr = mask_sql(expr) if col.type == "VARCHAR" else "NULL"
        cols.append(f"CAST({expr} AS {col.type}) AS {ident(col.name)}")
    con.execute(f"""
        CREATE OR REPLACE TABLE {ident(target)} AS
        SELECT {', '.join(cols)} FROM {rows}
        WHERE {_valid_sql(table, with_dups=True)}""")


# ---------------------------------------------------------------- entry point
def validate_table(
    con: duckdb.DuckDBPyConnection,
    table: RawTable,
    relation: str,
    *,
    source: str,
    region_codes,
    leaf_codes,
    target: str,
) -> tuple[int, int]:
    """Validate `relation` against `table`, create `target`, quarantine the rest.

    `relation` is a table or view in `con` with (at least) the schema's columns,
    of any type, plus optional `_file` and `_line` (see the module docstring for
    what `line` means). `region_codes`/`leaf_codes` are any iterable of adcodes.
    Returns (good_rows, bad_rows); `target` keeps the relation's row order.
    """
    types = _relation_types(con, relation)
    missing = [c for c in table.column_names if c not in types]
    if missing:
        raise ValueError(f"{relation} lacks columns of raw table {table.name}: {', '.join(missing)}")
    ensure_quarantine(con)
    work = f"_validate_{uuid.uuid4().hex[:12]}"
    rows = f"{work}_rows"
    try:
        regions, leaves = _create_region_tables(con, work, region_codes, leaf_codes)
        _stage_typed(con, table, relation, rows, types)
        _check_regions(con, table, rows, regions, leaves)
        _check_duplicates(con, table, rows, work)
        _write_quarantine(con, table, rows, source)
        _create_target(con, table, rows, target)
        good = con.execute(f"SELECT count(*) FROM {ident(target)}").fetchone()[0]
        bad = con.execute(f"SELECT count(*) FROM {rows} WHERE NOT ({_valid_sql(table, with_dups=True)})").fetchone()[0]
        return int(good), int(bad)
    finally:
        for suffix in ("rows", "regions", "leaves", "dups"):
            con.execute(f"DROP TABLE IF EXISTS {work}_{suffix}")
