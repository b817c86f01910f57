"""The one object that owns reading snapshots: `Database.execute(name, scope, **params)`.

Per worker process: one read-only DuckDB connection per snapshot, opened on first
use (never before gunicorn forks), a cursor per thread (a connection is not
thread-safe), and reopened when CURRENT names a new snapshot. Results are
memoized in flask-caching under (snapshot id, query, scope, params), so a new
snapshot is a new cache namespace and nothing needs invalidating.

Every serving query filters by `$scope`, the root of the subtree the caller may
see: access control narrows it in one place, here.

A serving query may have a second form, queries/serve/latest/<name>.sql, for
views at or after the snapshot's instant (as_of), the view every screen opens
on. It answers the same from serving tables the build computed at that instant,
so it skips the work (and the planning: DuckDB plans every branch of a UNION,
even one no row will come from) that only an earlier instant needs. A third,
queries/serve/day_end/<name>.sql, answers at the end of a day before as_of (a
period in the URL ends at its last day's 23:59:59) from tables the build
computed for each day end (queries/build/67_day_end.sql).
tests/queries/test_latest.py and test_day_end.py hold each to its general form.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
import warnings
from datetime import date, datetime
from functools import lru_cache

import cachetools
import duckdb
import pandas as pd

from core.snapshots import SnapshotStore
from queries.sql import QUERIES_DIR, QueryError, bind, load_sql, param_names
from queries.windows import day_ends, form_covers


# Serving queries run through cursor.execute(): it binds a statement once, where
# con.sql() binds it three times (parse, describe, run), 2-6 ms on the larger
# serving queries. Fetching that result as Arrow warns that the rows are copied
# once more, which costs nothing measurable at the sizes served here.
_ARROW_COPY_WARNING = "Arrow output on a DB-API result makes an extra copy"

# Settings of a serving connection (global to its database instance, so its
# cursors share them). A served result is at most a few thousand rows:
# - threads: DuckDB's worker threads (and pyarrow's conversion pool, see
#   execute) only add hand-offs at that size, and on a busy 2-core machine
#   each hand-off waits for a core. Concurrency comes from the web app's threads.
# - compressed_materialization packs sort and group keys to save memory on
#   large inputs; on these it only adds planning and (de)compression
#   projections: 10-30 % of the serving queries' time in the profile.
_SERVING_SETTINGS = ("SET threads = 1", "SET disabled_optimizers = 'compressed_materialization'")


class _RecentResults:
    """The results this worker served last, per snapshot, in front of the shared cache.

    A hit in the shared cache (files, or Redis) reads and unpickles the frame:
    0.4-1.4 ms p95 for frames of a few dozen rows with string columns, most of
    it pickle.loads (bench/README.md, "Serving queries"). A wall display's
    refresh asks the same queries of the same snapshot as every other display,
    so they are kept here as frames too, up to `max_bytes` per snapshot and only
    for the newest `keep` snapshots: a worker's memory stays flat while
    snapshots are published every minute. A frame's size is its Arrow size,
    known when it was fetched (pandas' memory_usage takes 1-2 ms). A hit is a
    shallow copy; pandas' copy-on-write keeps a caller that changes its copy
    from changing what the next one gets.
    """

    def __init__(self, keep: int, max_bytes: int):
        self.keep = keep
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._by_snapshot: dict[str, cachetools.LRUCache] = {}

    def get(self, snap: str, key: str) -> pd.DataFrame | None:
        with self._lock:
            held = self._by_snapshot.get(snap)
            entry = held.get(key) if held is not None else None
        return None if entry is None else entry[0].copy(deep=False)

    def put(self, snap: str, key: str, df: pd.DataFrame, nbytes: int) -> None:
        if nbytes > self.max_bytes:
            return
        with self._lock:
            held = self._by_snapshot.get(snap)
            if held is None:
                held = self._by_snapshot[snap] = cachetools.LRUCache(self.max_bytes, getsizeof=lambda e: e[1])
                # Snapshot ids sort by the time they were built: drop the oldest.
                for old in sorted(self._by_snapshot)[: -self.keep]:
                    if old != snap:
                        del self._by_snapshot[old]
            held[key] = (df, nbytes)

    def bytes_held(self) -> int:
        with self._lock:
            return sum(int(held.currsize) for held in self._by_snapshot.values())

    def clear(self) -> None:
        with self._lock:
            self._by_snapshot.clear()


class NoSnapshot(RuntimeError):
    """No snapshot has been published yet."""


class ScopeError(PermissionError):
    """A region outside the caller's scope, or not in the tree at all."""


def _key_part(v):
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    if isinstance(v, (list, tuple, set, frozenset)):
        return sorted(map(str, v))
    return v


@lru_cache(maxsize=None)
def _sql_digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


@lru_cache(maxsize=None)
def _has_form(form: str, name: str) -> bool:
    return (QUERIES_DIR / "serve" / form / f"{name}.sql").is_file()


def _instant(period) -> pd.Timestamp | None:
    try:
        return pd.Timestamp(period)
    except (TypeError, ValueError):     # not an instant: the general form decides what it means
        return None


def _is_day_end(t: pd.Timestamp) -> bool:
    """The instant a period in the URL ends at (components/state.period_end:
    a day, month, quarter or year ends at its last day's 23:59:59)."""
    return (t.hour, t.minute, t.second, t.microsecond, t.nanosecond) == (23, 59, 59, 0, 0)


# Parameters a serving query may name without the caller giving them.
# `period` bounds "latest": no bound unless a view asks for an earlier one.
QUERY_DEFAULTS = {"period": datetime(9999, 12, 31)}


class Database:
    # Old connections kept open after a swap, so queries already running on
    # them finish; older ones are closed.
    KEEP_CONNECTIONS = 2
    # Per snapshot, what _RecentResults keeps in each worker: every screen at
    # every region of a province's tree is a few MB.
    RECENT_BYTES_PER_SNAPSHOT = 32 * 2**20

    def __init__(self, store: SnapshotStore, cache=None, root_adcode: int | None = None):
        self.store = store
        self.cache = cache
        self.root_adcode = root_adcode
        self._lock = threading.Lock()
        self._reset()

    def _reset(self):
        self._pid = os.getpid()
        self.recent = _RecentResults(self.KEEP_CONNECTIONS, self.RECENT_BYTES_PER_SNAPSHOT)
        self._connections: dict[str, duckdb.DuckDBPyConnection] = {}
        self._retired: list[duckdb.DuckDBPyConnection] = []
        self._in_use: dict[int, int] = {}
        self._local = threading.local()
        self._pointer_sig = (-1, -1)
        self._current: str | None = None
        self._as_of: dict[str, object] = {}
        self._missing_forms: set[tuple[str, str]] = set()    # (snapshot, form) built before the form's table

    # --- which snapshot -----------------------------------------------------
    def snapshot_id(self) -> str:
        """The current snapshot id; a stat() per call, a read only when it changed."""
        if os.getpid() != self._pid:  # forked after first use: never share DuckDB handles
            with self._lock:
                self._reset()
        sig = self.store.pointer_signature()
        if sig != self._pointer_sig:
            with self._lock:
                self._current = self.store.current_id()
                self._pointer_sig = sig
        if self._current is None:
            raise NoSnapshot("尚无可用的数据快照，请先运行构建 (no snapshot yet: run `python -m pipeline build`)")
        return self._current

    def _acquire(self, snap: str) -> duckdb.DuckDBPyConnection:
        """The snapshot's connection, counted as in use until _release.

        Connections beyond KEEP_CONNECTIONS are retired, and closed only once no
        thread is running a query on them: closing one under a running query
        fails that request (seen under load while the scheduler publishes)."""
        with self._lock:
            con = self._connections.get(snap)
            if con is None:
                path = self.store.path(snap)
                if not path.exists():
                    raise NoSnapshot(f"快照文件缺失 (snapshot file missing): {path.name}")
                con = duckdb.connect(str(path), read_only=True)
                for setting in _SERVING_SETTINGS:
                    con.execute(setting)
                self._connections[snap] = con
                for old in sorted(self._connections)[: -self.KEEP_CONNECTIONS]:
                    if old != snap:
                        self._retired.append(self._connections.pop(old))
            self._in_use[id(con)] = self._in_use.get(id(con), 0) + 1
            return con

    def _release(self, con: duckdb.DuckDBPyConnection) -> None:
        with self._lock:
            left = self._in_use.pop(id(con)) - 1
            if left:
                self._in_use[id(con)] = left
            for old in [c for c in self._retired if id(c) not in self._in_use]:
                self._retired.remove(old)
                old.close()

    def _cursor_of(self, snap: str, con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
        """This thread's cursor on `con` (one connection is not thread-safe)."""
        cursors = getattr(self._local, "cursors", None)
        if cursors is None:
            cursors = self._local.cursors = {}
        held = cursors.get(snap)
        if held is None or held[0] is not con:     # new, or the snapshot was reopened since
            for old in [k for k in cursors if k != snap]:
                cursors.pop(old)
            held = cursors[snap] = (con, con.cursor())
        return held[1]

    def _statement(self, cursor: duckdb.DuckDBPyConnection, text: str) -> duckdb.Statement:
        """`text` parsed once per thread. DuckDB's parser takes 0.1-1.8 ms on the
        serving queries, a statement object runs without parsing again; kept per
        thread so no parse tree is shared between threads that run it at once."""
        parsed = getattr(self._local, "statements", None)
        if parsed is None:
            parsed = self._local.statements = {}
        statement = parsed.get(text)
        if statement is None:
            (statement,) = cursor.extract_statements(text)
            parsed[text] = statement
        return statement

    def cursor(self, snap: str) -> duckdb.DuckDBPyConnection:
        """A cursor for ad-hoc reads (tests, tools). Serving goes through execute()."""
        con = self._acquire(snap)
        try:
            return self._cursor_of(snap, con)
        finally:
            self._release(con)

    # --- queries ------------------------------------------------------------
    def execute(self, name: str, *, scope: int | None = None, snapshot: str | None = None,
                cached: bool = True, **params) -> pd.DataFrame:
        """Run queries/serve/<name>.sql on the current (or given) snapshot."""
        qname = f"serve/{name}"
        text = load_sql(qname)
        if "$scope" not in text:
            raise QueryError(f"queries/{qname}.sql must filter by $scope")
        snap = snapshot or self.snapshot_id()
        params = {**QUERY_DEFAULTS, **params, "scope": int(scope if scope is not None else self.root_adcode or 0)}
        form = self._form(snap, name, params)
        if form is not None:
            special = load_sql(f"serve/{form}/{name}")
            if "$scope" not in special:
                raise QueryError(f"queries/serve/{form}/{name}.sql must filter by $scope")
            try:
                return self._run(snap, name, special, bind(special, params, what=f"queries/serve/{form}/{name}.sql"),
                                 cached)
            except duckdb.CatalogException:
                # A snapshot built before its serving table existed (current at
                # an upgrade): the general form still answers, until the next build.
                self._missing_forms.add((snap, form))
        return self._run(snap, name, text, bind(text, params, what=f"queries/{qname}.sql"), cached)

    def _form(self, snap: str, name: str, params: dict) -> str | None:
        """Which precomputed form of `name` answers these parameters, if any:
        latest/ from the snapshot's instant on, day_end/ at a day's end before
        it within the days the build held (every instant a screen asks for
        before the snapshot's is a day end, see _is_day_end), each only for the
        windows queries/windows.py says it holds."""
        t = _instant(params["period"])
        if t is None or not (_has_form("latest", name) or _has_form("day_end", name)):
            return None
        as_of = pd.Timestamp(self.as_of(snap))
        if t >= as_of:
            form = "latest"
        elif _is_day_end(t) and day_ends(as_of)[0] <= t.date():
            form = "day_end"
        else:
            return None
        usable = _has_form(form, name) and (snap, form) not in self._missing_forms
        return form if usable and form_covers(form, name, params) else None

    def _run(self, snap: str, name: str, text: str, bound: dict, cached: bool) -> pd.DataFrame:
        key = None
        if cached and self.cache is not None:
            # The SQL text is part of the key: an edited query must not be answered
            # from a persistent cache filled by its previous version. "q2": the
            # shared cache holds (frame, Arrow bytes), no longer the bare frame.
            raw = json.dumps([snap, name, _sql_digest(text), {k: _key_part(v) for k, v in sorted(bound.items())}],
                             default=str)
            key = "q2:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()
            hit = self.recent.get(snap, key)
            if hit is not None:
                return hit
            hit = self.cache.get(key)
            if hit is not None:
                self.recent.put(snap, key, *hit)
                return hit[0].copy(deep=False)
        con = self._acquire(snap)
        try:
            # Through Arrow: duckdb 2.0's own .df() trips a pandas 3.1 deprecation. The
            # filter is set on every call: test runners reset filters between tests.
            warnings.filterwarnings("ignore", message=_ARROW_COPY_WARNING, category=UserWarning)
            cursor = self._cursor_of(snap, con)
            table = cursor.execute(self._statement(cursor, text), bound).to_arrow_table()
            df = table.to_pandas(use_threads=False)    # one thread: see _SERVING_SETTINGS
        finally:
            self._release(con)
        if key is not None:
            self.cache.set(key, (df, table.nbytes))
            self.recent.put(snap, key, df, table.nbytes)
            return df.copy(deep=False)
        return df

    def as_of(self, snapshot: str):
        """The snapshot's instant (its data up to then); a snapshot never changes."""
        as_of = self._as_of.get(snapshot)
        if as_of is None:
            meta = self.execute("snapshot_meta", snapshot=snapshot)
            as_of = meta["as_of"].iloc[0] if len(meta) else pd.NaT
            with self._lock:
                for old in list(self._as_of)[: -self.KEEP_CONNECTIONS * 4]:
                    self._as_of.pop(old)
                self._as_of[snapshot] = as_of
        return as_of

    def incompatibilities(self, snapshot: str) -> list[str]:
        """Serving queries this code cannot run on `snapshot`, one line each:
        a snapshot built by an older version may lack a serving table or column
        the queries now read. Each query is planned (EXPLAIN), not run."""
        sample = {**QUERY_DEFAULTS, "scope": int(self.root_adcode or 0), "adcode": int(self.root_adcode or 0),
                  "indicator": "gdp", "days": 30}
        problems = []
        con = self._acquire(snapshot)
        try:
            cur = self._cursor_of(snapshot, con)
            # General forms only: where a precomputed form's table is missing, execute()
            # answers through the general form.
            for path in sorted((QUERIES_DIR / "serve").glob("*.sql")):
                text = load_sql(f"serve/{path.stem}")
                params = {k: sample.get(k, int(self.root_adcode or 0)) for k in param_names(text)}
                try:
                    cur.execute("EXPLAIN " + text, params)
                except duckdb.Error as e:
                    problems.append(f"queries/serve/{path.stem}.sql: {str(e).splitlines()[0]}")
        finally:
            self._release(con)
        return problems

    def check_region(self, adcode: int, scope: int | None = None) -> None:
        """Raise ScopeError unless adcode is the scope root or below it."""
        df = self.execute("region_in_scope", scope=scope, adcode=int(adcode))
        if df.empty:
            raise ScopeError(f"区划代码 {adcode} 不在可见范围内或不存在 (region {adcode} is unknown or outside your scope)")

    def meta(self, snapshot: str | None = None) -> dict:
        df = self.execute("snapshot_meta", snapshot=snapshot)
        if df.empty:
            return {}
        row = df.iloc[0].to_dict()
        for k in ("source_versions", "row_counts", "warnings"):
            if isinstance(row.get(k), str):
                row[k] = json.loads(row[k])
        return row

    def close(self):
        with self._lock:
            for con in [*self._connections.values(), *self._retired]:
                con.close()
            self._connections.clear()
            self._retired.clear()
