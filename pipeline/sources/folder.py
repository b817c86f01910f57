"""Drop-folder source: raw tables as CSV and Parquet files in one directory.

For raw table `work_order` the folder may hold `work_order.csv`,
`work_order.parquet` and any number of `work_order-<part>.csv|parquet`; they are
read in that order (parts sorted by name), so for duplicate keys the earliest
file wins. Every file is staged as text and the table goes through the shared
`validate_table` step; broken lines, missing columns and unreadable files end in
the `quarantine` table instead of failing the load.

CSV specifics: the header row is required; quotes are `"` (doubled inside a
quoted value), the delimiter is `,`. DuckDB parses the file with all columns as
VARCHAR and `store_rejects`, so lines with the wrong number of fields, invalid
characters or unterminated quotes become quarantine rows. Files in an encoding
other than UTF-8 (GB18030/GBK) are transcoded in streaming chunks first: DuckDB
only decodes UTF-8/UTF-16/Latin-1 without its `encodings` extension, which is
not available offline.

`stage_csv` is shared with the PostgreSQL source, which COPYs tables into CSV.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import mmap
import re
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline.raw_schema import RAW_BY_NAME, RAW_TABLES, RawTable
from pipeline.sources.validate import (
    VALUE_MAX_CHARS,
    add_quarantine_rows,
    ensure_quarantine,
    ident,
    lit,
    validate_table,
)

_FILE_NAME = re.compile(r"^(?P<table>[a-z0-9_]+)(?:-(?P<part>.+))?\.(?P<ext>csv|parquet)$", re.IGNORECASE)
_CHUNK = 1 << 22
# A field separator no CSV line contains, so DuckDB hands over whole lines.
_LINE_DELIM = "\x1f\x1e\x1d\x1c"
# Beyond this many line-number breakpoints a CASE chain gets slower than a join plus sort.
_MAX_CASE_BREAKS = 200

_CSV_ERRORS = {
    "TOO MANY COLUMNS": ("字段过多", "too many fields"),
    "MISSING COLUMNS": ("字段过少", "too few fields"),
    "UNQUOTED VALUE": ("引号未闭合或位置不当", "unterminated or misplaced quote"),
    "LINE SIZE OVER MAXIMUM": ("行过长", "line too long"),
}


# ---------------------------------------------------------------- file discovery
def discover(path: Path) -> tuple[dict[str, list[Path]], list[str]]:
    """Files per raw table in load order, plus warnings about everything else."""
    found: dict[str, list[tuple[tuple, Path]]] = {}
    warnings = []
    for entry in sorted(path.iterdir()):
        if entry.name.startswith("."):
            continue  # editor swap files, .DS_Store and the like
        m = _FILE_NAME.match(entry.name)
        if not entry.is_file() or not m or m["table"] not in RAW_BY_NAME:
            warnings.append(f"无法识别的文件, 已忽略: {entry.name} (unrecognised file name, ignored)")
            continue
        ext = m["ext"].lower()
        # Base files first (CSV before Parquet), then the parts by name.
        order = (0, 0 if ext == "csv" else 1, "") if m["part"] is None else (1, 0, entry.name)
        found.setdefault(m["table"], []).append((order, entry))
    return {t: [p for _, p in sorted(files)] for t, files in found.items()}, warnings


def files_version(files: list[Path]) -> str:
    """Changes whenever a file is added, removed, rewritten or touched."""
    h = hashlib.sha256()
    for f in files:
        st = f.stat()
        h.update(f"{f.name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


# ---------------------------------------------------------------- staging
class Staging:
    """The rows of one raw table from all its files, as one relation for validate_table.

    Each file contributes a SELECT (schema columns as text, `_file`, `_line`);
    the relation is a UNION ALL view over them, which keeps file order and
    avoids copying millions of parsed rows once more.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, table: RawTable):
        self.con, self.table = con, table
        self.name = f"_stage_{table.name}_{uuid.uuid4().hex[:8]}"
        self.parts: list[str] = []
        self.temp_tables: list[str] = []

    def add(self, select: str, *temp_tables: str) -> None:
        self.parts.append(select)
        self.temp_tables += temp_tables

    def create_view(self) -> str:
        cols = ", ".join(f"CAST(NULL AS VARCHAR) AS {ident(c)}" for c in self.table.column_names)
        empty = f"SELECT {cols}, CAST(NULL AS VARCHAR) AS _file, CAST(NULL AS INTEGER) AS _line WHERE false"
        body = "\nUNION ALL\n".join(self.parts) if self.parts else empty
        self.con.execute(f"CREATE TEMP VIEW {self.name} AS {body}")
        return self.name

    def drop(self) -> None:
        self.con.execute(f"DROP VIEW IF EXISTS {self.name}")
        for t in self.temp_tables:
            self.con.execute(f"DROP TABLE IF EXISTS {t}")


@dataclass
class FileResult:
    staged: int = 0  # rows handed to validation
    rejected: int = 0  # rows quarantined before validation (broken lines, rejected file)
    warnings: list[str] = field(default_factory=list)


def _reject_file(con, source: str, table: RawTable, label: str, line, column, reason: str) -> None:
    add_quarantine_rows(con, [(source, table.name, label, line, column, None, reason)])


# ---------------------------------------------------------------- CSV: text preparation
def _is_utf8(encoding: str) -> bool:
    return codecs.lookup(encoding).name == "utf-8"


def _encoding_label(encoding: str) -> str:
    name = codecs.lookup(encoding).name
    return {"utf-8": "UTF-8", "gb18030": "GB18030", "gbk": "GBK"}.get(name, name.upper())


def _transcode(src: Path, dst: Path, encoding: str, crlf_to_lf: bool) -> None:
    """Stream `src` into UTF-8 `dst`, chunk by chunk.

    Undecodable bytes are passed through unchanged (surrogateescape), which
    leaves them invalid in UTF-8: DuckDB then rejects exactly those lines, as it
    would in a UTF-8 file, instead of the whole file failing here.
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="surrogateescape")
    carry = b""
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        while True:
            chunk = fin.read(_CHUNK)
            final = not chunk
            data = carry + decoder.decode(chunk, final=final).encode("utf-8", "surrogateescape")
            carry = b""
            if crlf_to_lf:
                # A CR at the end of a chunk may be half of a CRLF split across chunks.
                if not final and data.endswith(b"\r"):
                    data, carry = data[:-1], b"\r"
                data = data.replace(b"\r\n", b"\n")
            fout.write(data)
            if final:
                break


def _read_header(path: Path) -> list[str] | None:
    """Header fields of a UTF-8 file, lower-cased; None if the file has no first line."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as f:
        row = next(csv.reader(f), None)
    if not row:
        return None
    # DuckDB needs a name for every column; unnamed ones can only be extra columns anyway.
    return [h.strip().lower() or f"_unnamed_{i + 1}" for i, h in enumerate(row)]


def _scan_text(path: Path) -> tuple[bool, bool]:
    """(has blank lines, has quotes), by a byte scan at memory speed.

    DuckDB skips blank lines silently and values span lines only inside quotes:
    files without either (most exports) skip the line-number bookkeeping.
    """
    if path.stat().st_size == 0:
        return False, False
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        crlf = m.find(b"\r") >= 0  # single-byte searches are nearly free; skip the CRLF scan without CRs
        blank = m[:1] in (b"\n", b"\r") or m.find(b"\n\n") >= 0 or (crlf and m.find(b"\n\r\n") >= 0)
        return blank, m.find(b'"') >= 0


# ---------------------------------------------------------------- CSV: DuckDB reads
def _columns_struct(names: list[str]) -> str:
    return "{" + ", ".join(f"{lit(n)}: 'VARCHAR'" for n in names) + "}"


def _read_csv_table(con, path: Path, names: list[str], raw: str, rejects: str) -> None:
    """Parse the file into `raw` (file order = rowid order) and its broken lines into `rejects`."""
    con.execute(f"DROP TABLE IF EXISTS {rejects}")
    con.execute(f"DROP TABLE IF EXISTS {rejects}_scan")
    con.execute(f"""
        CREATE TEMP TABLE {raw} AS SELECT * FROM read_csv({lit(str(path))},
            header = true, auto_detect = false, columns = {_columns_struct(names)},
            delim = ',', quote = '"', escape = '"', strict_mode = true,
            store_rejects = true, rejects_table = {lit(rejects)}, rejects_scan = {lit(rejects + '_scan')},
            rejects_limit = 0)""")


def _blank_lines(con, path: Path, work: str) -> list[int]:
    """Physical numbers of empty lines, which DuckDB counts as records but skips."""
    lines, rejects = f"{work}_lines", f"{work}_lines_rj"
    con.execute(f"""
        CREATE TEMP TABLE {lines} AS SELECT l IS NULL AS blank FROM read_csv({lit(str(path))},
            header = false, auto_detect = false, columns = {{'l': 'VARCHAR'}},
            delim = ?, quote = '', escape = '', strict_mode = false,
            store_rejects = true, rejects_table = {lit(rejects)}, rejects_scan = {lit(rejects + '_scan')})""",
                [_LINE_DELIM])
    blank_rowids = [r[0] for r in con.execute(f"SELECT rowid FROM {lines} WHERE blank ORDER BY rowid").fetchall()]
    # Lines DuckDB could not decode are missing from `lines`: put them back to get physical numbers.
    skipped = [r[0] for r in con.execute(f"SELECT DISTINCT line FROM {rejects} ORDER BY line").fetchall()]
    for t in (lines, rejects, rejects + "_scan"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    out, j = [], 0
    for rowid in blank_rowids:
        physical = rowid + 1 + j
        while j < len(skipped) and skipped[j] <= physical:
            j += 1
            physical = rowid + 1 + j
        out.append(physical)
    return out


def _multiline_rows(con, raw: str, names: list[str]) -> list[tuple[int, int]]:
    """(rowid, extra physical lines) of parsed rows whose quoted values span lines."""
    has_nl = " OR ".join(f"contains({ident(n)}, chr(10))" for n in names)
    count = " + ".join(f"coalesce(length({ident(n)}) - length(replace({ident(n)}, chr(10), '')), 0)" for n in names)
    return con.execute(f"SELECT rowid, {count} FROM {raw} WHERE {has_nl} ORDER BY rowid").fetchall()


def _rejected_records(con, rejects: str) -> list[tuple]:
    """One entry per rejected record: (record number, extra lines, error type, message, text)."""
    # In CRLF files DuckDB's csv_line starts with the LF of the previous line end.
    return con.execute(f"""
        WITH r AS (SELECT line, error_type, error_message, byte_position,
                          trim(csv_line, chr(13) || chr(10)) AS text FROM {rejects})
        SELECT line,
               max(length(text) - length(replace(text, chr(10), ''))),
               arg_min(error_type, byte_position), arg_min(error_message, byte_position),
               arg_min(text, byte_position)
        FROM r GROUP BY line ORDER BY line""").fetchall()


# ---------------------------------------------------------------- CSV: line numbers
def _line_breaks(n_rows: int, rejects: list[tuple], multiline: list[tuple[int, int]], blanks: list[int]):
    """Map parsed rows and rejected records to physical lines and row numbers.

    DuckDB numbers records (header = 1, blank lines included) but gives good
    rows no position at all. Walking the few irregular records in order
    recovers both for everything: rejected records (known record number, their
    text tells how many lines they span), rows whose quoted values contain
    newlines, and blank lines (known physical line). Plain rows in between
    advance line and record number together, so the walk visits only events.

    Returns (breaks, reject_positions): breaks are (first rowid, line offset,
    row offset) such that row `rowid` sits on physical line rowid + line offset
    and is data row rowid + row offset; reject_positions maps a record number
    to (physical line, data row number).
    """
    inf = float("inf")
    n, line, k = 2, 2, 0  # next record number, next physical line, next parsed row
    ri = mi = bi = 0
    breaks: list[tuple[int, int, int]] = []
    positions: dict[int, tuple[int, int]] = {}

    def mark():
        if k < n_rows and (not breaks or breaks[-1][1:] != (line - k, n - 1 - k)):
            breaks.append((k, line - k, n - 1 - k))

    while True:
        while bi < len(blanks) and blanks[bi] < line:
            bi += 1  # an empty line inside a multi-line value, not a record
        gaps = [
            max(rejects[ri][0] - n, 0) if ri < len(rejects) else inf,
            blanks[bi] - line if bi < len(blanks) else inf,
            multiline[mi][0] - k if mi < len(multiline) else inf,
        ]
        step = min(min(gaps), n_rows - k)
        mark()
        n, line, k = n + step, line + step, k + step
        if bi < len(blanks) and blanks[bi] == line:
            n, line, bi = n + 1, line + 1, bi + 1
        elif ri < len(rejects) and (rejects[ri][0] <= n or k >= n_rows):
            positions[rejects[ri][0]] = (line, rejects[ri][0] - 1)
            n, line, ri = n + 1, line + 1 + rejects[ri][1], ri + 1
        elif mi < len(multiline) and multiline[mi][0] == k:
            n, line, k, mi = n + 1, line + 1 + multiline[mi][1], k + 1, mi + 1
        elif k >= n_rows:
            break
    return breaks, positions


def _offset_sql(breaks: list[tuple[int, int, int]], index: int, default: int) -> str:
    if not breaks:
        return str(default)
    whens = " ".join(f"WHEN rowid >= {b[0]} THEN {b[index]}" for b in reversed(breaks[1:]))
    return f"CASE {whens} ELSE {breaks[0][index]} END" if whens else str(breaks[0][index])


# ---------------------------------------------------------------- CSV: staging
def _quarantine_rejects(con, source, table, label, rejects, positions, line_numbers, encoding) -> None:
    rows = []
    personal = any(c.personal for c in table.columns)
    for record, _extra, error_type, message, text in rejects:
        physical, row_number = positions.get(record, (None, None))
        if error_type == "INVALID ENCODING":
            enc = _encoding_label(encoding)
            reason = f"不是有效的 {enc} 编码 (invalid {enc} encoding)"
        elif error_type in _CSV_ERRORS:
            zh, en = _CSV_ERRORS[error_type]
            counts = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", message or "")
            detail = f": 应为 {counts[1]} 个, 实为 {counts[2]} 个" if counts else ""
            reason = f"{zh}{detail} ({en})"
        else:
            reason = f"CSV 解析错误: {(message or error_type).splitlines()[0]} (CSV parse error)"
        # A broken line cannot be split into columns, so personal values in it cannot be masked.
        value = None if personal else (text or "")[:VALUE_MAX_CHARS]
        rows.append((source, table.name, label, physical if line_numbers == "physical" else row_number,
                     None, value, reason))
    add_quarantine_rows(con, rows)


def _add_rows(con, table: RawTable, raw: str, staging: Staging, label: str, breaks, line_numbers: str) -> None:
    index, default = (1, 2) if line_numbers == "physical" else (2, 1)
    cols = ", ".join(ident(c) for c in table.column_names)
    if len(breaks) <= _MAX_CASE_BREAKS:
        # A single-table SELECT keeps file order, which the duplicate check relies on.
        staging.add(f"SELECT {cols}, {lit(label)} AS _file, "
                    f"CAST(rowid + {_offset_sql(breaks, index, default)} AS INTEGER) AS _line FROM {raw}", raw)
        return
    lined = f"{raw}_lined"
    con.execute(f"CREATE TEMP TABLE {raw}_breaks (k BIGINT, off BIGINT)")
    con.executemany(f"INSERT INTO {raw}_breaks VALUES (?, ?)", [(b[0], b[index]) for b in breaks])
    con.execute(f"""CREATE TEMP TABLE {lined} AS
                    SELECT {', '.join(f'r.{ident(c)}' for c in table.column_names)}, {lit(label)} AS _file,
                           CAST(r.rowid + b.off AS INTEGER) AS _line
                    FROM {raw} r ASOF JOIN {raw}_breaks b ON r.rowid >= b.k ORDER BY r.rowid""")
    con.execute(f"DROP TABLE {raw}_breaks")
    con.execute(f"DROP TABLE {raw}")
    staging.add(f"SELECT * FROM {lined}", lined)


def _load_csv_text(con, path, names, raw, rejects, tmpdir: Path):
    """Parse `path` (already UTF-8); on a whole-file failure retry once with CRLF made LF.

    DuckDB's strict parser gives up on files that mix CRLF and LF line ends
    (files concatenated from several systems); the line count is unchanged by
    the fix, so line numbers still point into the original file.
    """
    try:
        _read_csv_table(con, path, names, raw, rejects)
        return path
    except duckdb.Error:
        fixed = tmpdir / f"{uuid.uuid4().hex}.lf.csv"
        _transcode(path, fixed, "utf-8", crlf_to_lf=True)
        con.execute(f"DROP TABLE IF EXISTS {raw}")
        _read_csv_table(con, fixed, names, raw, rejects)
        return fixed


def stage_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    table: RawTable,
    staging: Staging,
    source: str,
    label: str,
    encoding: str = "utf-8",
    line_numbers: str = "physical",
) -> FileResult:
    """Add the rows of one CSV file to `staging`; quarantine what cannot be read.

    `label` is what quarantine rows call the file. `line_numbers` is "physical"
    (line in the file, header = 1) or "row" (1-based data row, for COPY output
    where physical lines mean nothing to the reader).
    """
    result = FileResult()
    work = f"_csv_{uuid.uuid4().hex[:12]}"
    raw, rejects = f"{work}_raw", f"{work}_rj"
    with tempfile.TemporaryDirectory(prefix="cockpit-csv-") as tmp:
        tmpdir = Path(tmp)
        text = path
        if not _is_utf8(encoding):
            text = tmpdir / "utf8.csv"
            _transcode(path, text, encoding, crlf_to_lf=False)
        header = _read_header(text)
        if not header:
            _reject_file(con, source, table, label, 1, None, "缺少表头 (missing header row)")
            return result
        dupes = sorted({h for h in header if header.count(h) > 1})
        if dupes:
            _reject_file(con, source, table, label, 1, ",".join(dupes),
                         f"列名重复: {', '.join(dupes)} (duplicate column names)")
            return result
        try:
            text = _load_csv_text(con, text, header, raw, rejects, tmpdir)
        except duckdb.Error as exc:
            first = str(exc).strip().splitlines()[0]
            _reject_file(con, source, table, label, None, None, f"无法解析 CSV 文件: {first} (unreadable CSV file)")
            return result
        try:
            return _stage_parsed(con, table, text, header, raw, rejects, staging, source, label,
                                 encoding, line_numbers, work, result)
        finally:
            # The parsed rows stay (the staging view reads them) unless they were not wanted.
            leftovers = [rejects, rejects + "_scan"] + ([] if raw in staging.temp_tables else [raw])
            for t in leftovers:
                con.execute(f"DROP TABLE IF EXISTS {t}")


def _stage_parsed(con, table, text, header, raw, rejects, staging: Staging, source, label, encoding,
                  line_numbers, work, result: FileResult) -> FileResult:
    n_rows = con.execute(f"SELECT count(*) FROM {raw}").fetchone()[0]
    rejected = _rejected_records(con, rejects)
    missing = [c for c in table.column_names if c not in header]
    if missing:
        result.rejected = n_rows + len(rejected)
        _reject_file(con, source, table, label, 1, ",".join(missing),
                     f"缺少列 {', '.join(missing)}, 整个文件未载入 (missing columns, file not loaded)")
        return result
    extra = [h for h in header if h not in table.column_names]
    if extra:
        result.warnings.append(f"{label}: 多余的列已忽略: {', '.join(extra)} (extra columns ignored)")
    has_blanks, has_quotes = _scan_text(text)
    multiline = _multiline_rows(con, raw, header) if has_quotes else []
    blanks = _blank_lines(con, text, work) if has_blanks else []
    breaks, positions = _line_breaks(n_rows, rejected, multiline, blanks)
    _quarantine_rejects(con, source, table, label, rejected, positions, line_numbers, encoding)
    _add_rows(con, table, raw, staging, label, breaks, line_numbers)
    result.staged, result.rejected = n_rows, len(rejected)
    return result


# ---------------------------------------------------------------- Parquet
def _parquet_select(name: str, type_: str) -> str:
    q = ident(name)
    if type_.startswith("TIMESTAMP WITH TIME ZONE"):
        # Raw timestamps are local (Asia/Shanghai) wall-clock time.
        return f"CAST(timezone('Asia/Shanghai', {q}) AS VARCHAR)"
    return f"CAST({q} AS VARCHAR)"


def stage_parquet(con, path: Path, *, table: RawTable, staging: Staging, source: str, label: str) -> FileResult:
    """Add one Parquet file to `staging`; `line` is the 1-based row number."""
    result = FileResult()
    scan = f"read_parquet({lit(str(path))}, file_row_number = true)"
    try:
        # DuckDB resolves identifiers case-insensitively, so matching may too.
        types = {r[0].lower(): r[1] for r in con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()}
        rows = con.execute(f"SELECT count(*) FROM {scan}").fetchone()[0]
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        _reject_file(con, source, table, label, None, None, f"无法读取 Parquet 文件: {first} (unreadable Parquet file)")
        return result
    missing = [c for c in table.column_names if c not in types]
    if missing:
        result.rejected = rows
        _reject_file(con, source, table, label, None, ",".join(missing),
                     f"缺少列 {', '.join(missing)}, 整个文件未载入 (missing columns, file not loaded)")
        return result
    extra = [c for c in types if c not in table.column_names and c != "file_row_number"]
    if extra:
        result.warnings.append(f"{label}: 多余的列已忽略: {', '.join(extra)} (extra columns ignored)")
    cols = ", ".join(f"{_parquet_select(c, types[c])} AS {ident(c)}" for c in table.column_names)
    staging.add(f"SELECT {cols}, {lit(label)} AS _file, CAST(file_row_number + 1 AS INTEGER) AS _line FROM {scan}")
    result.staged = rows
    return result


# ---------------------------------------------------------------- entry point
def load_table_files(con, table: RawTable, files: list[Path], *, source: str, region_codes, leaf_codes,
                     encoding: str = "utf-8") -> dict:
    """Stage, validate and create con table `table.name` from the given files."""
    ensure_quarantine(con)
    staging = Staging(con, table)
    rejected, warnings = 0, []
    try:
        for f in files:
            if f.suffix.lower() == ".csv":
                r = stage_csv(con, f, table=table, staging=staging, source=source, label=f.name, encoding=encoding)
            else:
                r = stage_parquet(con, f, table=table, staging=staging, source=source, label=f.name)
            rejected += r.rejected
            warnings += r.warnings
        good, bad = validate_table(con, table, staging.create_view(), source=source, region_codes=region_codes,
                                   leaf_codes=leaf_codes, target=table.name)
    finally:
        staging.drop()
    return {"rows": good, "quarantined": bad + rejected, "files": [f.name for f in files],
            "version": files_version(files), "warnings": warnings}


def load_folder(
    con: duckdb.DuckDBPyConnection,
    source: str,
    path: Path,
    *,
    region_codes,
    leaf_codes,
    encoding: str = "utf-8",
) -> dict[str, dict]:
    """Load every raw table that has files in `path` into con tables of the same name.

    Returns {table: {"rows", "quarantined", "files", "version"}} for tables with
    files, plus "_warnings": a list of texts (unrecognised files, extra columns).
    Problems with the data go to the `quarantine` table, never raise.
    """
    path = Path(path)
    if not path.is_dir():
        raise FileNotFoundError(f"drop folder of source {source!r} does not exist: {path}")
    codecs.lookup(encoding)  # an unknown encoding is a configuration error: fail early
    by_table, warnings = discover(path)
    result: dict[str, dict] = {}
    for table in RAW_TABLES:
        files = by_table.get(table.name)
        if not files:
            continue
        info = load_table_files(con, table, files, source=source, region_codes=region_codes,
                                leaf_codes=leaf_codes, encoding=encoding)
        warnings += info.pop("warnings")
        result[table.name] = info
    result["_warnings"] = warnings
    return result
