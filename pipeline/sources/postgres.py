"""PostgreSQL source: raw tables of the same names in one schema.

Each table is streamed with `COPY (SELECT <schema columns>) TO STDOUT (FORMAT
csv, HEADER)` into a temporary CSV file and then takes exactly the drop-folder
path (`stage_csv` + `validate_table`), so parsing, validation and quarantine
rules are the same for both sources. In quarantine rows `file` is
`schema.table` and `line` is the 1-based row number within the COPY output.

All tables are read in one read-only REPEATABLE READ transaction: the raw
tables of one load come from the same database snapshot, and so do their
versions.
"""
from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import duckdb
import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from pipeline.raw_schema import RAW_TABLES, RawTable
from pipeline.sources.folder import Staging, stage_csv
from pipeline.sources.validate import add_quarantine_rows, ensure_quarantine, validate_table

CONNECT_TIMEOUT_SECONDS = 10
# Raw timestamps are local wall-clock time; timestamptz columns are converted to it.
LOCAL_TIME_ZONE = "Asia/Shanghai"


class PostgresSourceError(RuntimeError):
    """The database cannot be used at all (bad DSN, unreachable, login refused)."""


# ---------------------------------------------------------------- connection
def describe_dsn(dsn: str) -> str:
    """host/port/dbname/user of a DSN for messages; the password never appears."""
    try:
        info = conninfo_to_dict(dsn)
    except psycopg.Error:
        return "(unparseable DSN)"
    parts = [f"{k}={info[k]}" for k in ("host", "port", "dbname", "user") if info.get(k)]
    return " ".join(parts) or "(libpq defaults)"


def _scrub(message: str, dsn: str) -> str:
    try:
        password = conninfo_to_dict(dsn).get("password")
    except psycopg.Error:
        password = None
    return message.replace(password, "***") if password else message


def connect(dsn: str, source: str) -> psycopg.Connection:
    try:
        info = conninfo_to_dict(dsn)
    except psycopg.Error:
        # libpq's parse errors quote fragments of the string, password included.
        raise PostgresSourceError(
            f"source {source!r}: invalid PostgreSQL DSN (not shown: it may contain a password)") from None
    # COPY hands over bytes in the client encoding: make it the UTF-8 DuckDB reads.
    extra = {"client_encoding": "UTF8"}
    if "connect_timeout" not in info:
        extra["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    try:
        return psycopg.connect(dsn, **extra)
    except psycopg.Error as exc:
        reason = _scrub(str(exc).strip(), dsn)
        raise PostgresSourceError(
            f"source {source!r}: cannot connect to PostgreSQL at {describe_dsn(dsn)}: {reason}") from None


# ---------------------------------------------------------------- catalog
def _table_columns(pg: psycopg.Connection, schema: str) -> dict[str, dict[str, str]]:
    """{table: {column: type}} for the raw tables (or views) present in `schema`.

    pg_catalog rather than information_schema: the latter hides tables the user
    may not read, and such a table should be reported, not silently skipped.
    """
    rows = pg.execute(
        """SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
           FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
           WHERE n.nspname = %s AND c.relname = ANY(%s) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')""",
        [schema, [t.name for t in RAW_TABLES]],
    ).fetchall()
    out: dict[str, dict[str, str]] = {}
    for table, column, data_type in rows:
        out.setdefault(table, {})[column] = data_type
    return out


def _select_list(table: RawTable, types: dict[str, str]) -> sql.Composed:
    items = []
    for name in table.column_names:
        col = sql.Identifier(name)
        if types[name].startswith("timestamp") and types[name].endswith("with time zone"):  # also timestamp(3) …
            items.append(sql.SQL("({} AT TIME ZONE {}) AS {}").format(col, sql.Literal(LOCAL_TIME_ZONE), col))
        else:
            items.append(col)
    return sql.SQL(", ").join(items)


def table_version(pg: psycopg.Connection, schema: str, table: RawTable) -> str:
    """Cheap fingerprint: row count and newest time value.

    Tables without a time column are small dimension tables (cloud_node):
    their content digest is cheap and also catches in-place updates.
    """
    ref = sql.Identifier(schema, table.name)
    if table.time_column:
        query = sql.SQL("SELECT count(*), max({})::text, '' FROM {}").format(sql.Identifier(table.time_column), ref)
    else:
        cols = sql.SQL(", ").join(sql.Identifier(c) for c in table.column_names)
        query = sql.SQL("SELECT count(*), '', md5(coalesce(string_agg(r::text, E'\\n' ORDER BY r::text), '')) "
                        "FROM (SELECT {} FROM {}) r").format(cols, ref)
    count, newest, digest = pg.execute(query).fetchone()
    return hashlib.sha256(f"{table.name}|{count}|{newest}|{digest}".encode()).hexdigest()


def _copy_to_file(pg: psycopg.Connection, schema: str, table: RawTable, types: dict[str, str], dest: Path) -> None:
    query = sql.SQL("COPY (SELECT {} FROM {}) TO STDOUT (FORMAT csv, HEADER)").format(
        _select_list(table, types), sql.Identifier(schema, table.name))
    with pg.cursor() as cur, open(dest, "wb") as out, cur.copy(query) as copy:
        for chunk in copy:
            out.write(chunk)


# ---------------------------------------------------------------- loading
def _load_table(con, pg, source: str, schema: str, table: RawTable, types: dict[str, str],
                region_codes, leaf_codes) -> dict:
    label = f"{schema}.{table.name}"
    missing = [c for c in table.column_names if c not in types]
    if missing:
        reason = f"缺少列 {', '.join(missing)}, 整张表未载入 (missing columns, table not loaded)"
        add_quarantine_rows(con, [(source, table.name, label, None, ",".join(missing), None, reason)])
        return {"rows": 0, "quarantined": 0, "files": [label], "version": None, "error": reason}
    version = table_version(pg, schema, table)
    staging = Staging(con, table)
    try:
        with tempfile.TemporaryDirectory(prefix="cockpit-pg-") as tmp:
            dump = Path(tmp) / f"{table.name}.csv"
            _copy_to_file(pg, schema, table, types, dump)
            staged = stage_csv(con, dump, table=table, staging=staging, source=source, label=label,
                               line_numbers="row")
        good, bad = validate_table(con, table, staging.create_view(), source=source, region_codes=region_codes,
                                   leaf_codes=leaf_codes, target=table.name)
    finally:
        staging.drop()
    return {"rows": good, "quarantined": bad + staged.rejected, "files": [label], "version": version}


def load_postgres(
    con: duckdb.DuckDBPyConnection,
    source: str,
    dsn: str,
    *,
    schema: str = "public",
    region_codes,
    leaf_codes,
) -> dict[str, dict]:
    """Load every raw table present in `schema` into con tables of the same name.

    Returns {table: {"rows", "quarantined", "files", "version"}} for tables that
    exist; a table that exists but cannot be read (missing columns, no
    privilege) gets an "error" text instead of a con table. "_warnings" lists
    source-level remarks. Raises PostgresSourceError if the database cannot be
    reached at all.
    """
    ensure_quarantine(con)
    result: dict[str, dict] = {}
    warnings: list[str] = []
    with connect(dsn, source) as pg:
        pg.read_only = True
        pg.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with pg.transaction():
            # COPY writes dates in the session's DateStyle: make it the one DuckDB reads.
            pg.execute("SET LOCAL DateStyle = 'ISO, YMD'")
            columns = _table_columns(pg, schema)
            if not columns:
                warnings.append(f"模式 {schema} 中没有任何原始表 (no raw tables in schema {schema})")
            for table in RAW_TABLES:
                if table.name not in columns:
                    continue
                try:
                    # A savepoint per table: one unreadable table must not abort the snapshot.
                    with pg.transaction():
                        result[table.name] = _load_table(con, pg, source, schema, table, columns[table.name],
                                                         region_codes, leaf_codes)
                except psycopg.Error as exc:
                    reason = f"无法读取表: {str(exc).strip().splitlines()[0]} (table unreadable)"
                    add_quarantine_rows(con, [(source, table.name, f"{schema}.{table.name}", None, None, None, reason)])
                    result[table.name] = {"rows": 0, "quarantined": 0, "files": [f"{schema}.{table.name}"],
                                          "version": None, "error": reason}
    result["_warnings"] = warnings
    return result
