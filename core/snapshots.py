"""Snapshot files and the CURRENT pointer: the only state shared between the
refresher (one writer) and the web workers (many readers).

A snapshot is an immutable DuckDB file `<id>.duckdb`. Readers open whatever id
CURRENT names. The writer builds under a hidden temporary name, renames it into
place, then replaces CURRENT with os.replace, which is atomic on POSIX: a reader
sees the old id or the new one, never a half-written file or pointer.
"""
from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

POINTER = "CURRENT"
RUNS_LOG_MAX_BYTES = 1_000_000
RUNS_LOG_KEEP_LINES = 2000
RUNS_LOG = "runs.jsonl"
SUFFIX = ".duckdb"


def new_snapshot_id(now: datetime | None = None) -> str:
    """Sortable by build time, unique across concurrent builders."""
    now = now or datetime.now(timezone.utc)
    return now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond // 1000:03d}Z-" + secrets.token_hex(2)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, text: str) -> None:
    """Replace a small file so that readers see either the old or the new text."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


@dataclass(frozen=True)
class SnapshotInfo:
    id: str
    path: Path
    size: int
    mtime: float


class SnapshotStore:
    def __init__(self, directory: Path):
        self.dir = Path(directory)

    def ensure(self) -> "SnapshotStore":
        self.dir.mkdir(parents=True, exist_ok=True)
        return self

    def path(self, snapshot_id: str) -> Path:
        return self.dir / f"{snapshot_id}{SUFFIX}"

    def building_path(self, snapshot_id: str) -> Path:
        # Hidden and without the suffix, so list() never offers a half-built file.
        return self.dir / f".{snapshot_id}.building"

    def current_id(self) -> str | None:
        try:
            text = (self.dir / POINTER).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return text or None

    def pointer_signature(self) -> tuple[int, int]:
        """Cheap change check for readers: one stat() per request. os.replace
        gives the pointer a new inode, so this changes even within one mtime tick."""
        try:
            st = (self.dir / POINTER).stat()
        except FileNotFoundError:
            return (0, 0)
        return (st.st_ino, st.st_mtime_ns)

    def list(self) -> list[SnapshotInfo]:
        out = []
        for p in self.dir.glob(f"*{SUFFIX}"):
            if p.name.startswith("."):
                continue
            st = p.stat()
            out.append(SnapshotInfo(p.name[: -len(SUFFIX)], p, st.st_size, st.st_mtime))
        return sorted(out, key=lambda s: s.id)

    def publish(self, snapshot_id: str) -> None:
        if not self.path(snapshot_id).exists():
            raise FileNotFoundError(f"snapshot {snapshot_id} does not exist in {self.dir}")
        write_atomic(self.dir / POINTER, snapshot_id + "\n")

    def prune(self, keep: int) -> list[str]:
        """Delete all but the newest `keep` snapshots, never the current one.

        A worker that still has a deleted file open keeps reading it (POSIX
        unlink semantics) until it notices the new pointer and reopens.
        """
        current = self.current_id()
        snaps = self.list()
        removed = []
        for s in snaps[: max(0, len(snaps) - keep)]:
            if s.id == current:
                continue
            s.path.unlink(missing_ok=True)
            removed.append(s.id)
        return removed

    def clean_leftovers(self) -> list[str]:
        """Remove half-built files from builds that died; returns their names."""
        out = []
        for p in self.dir.glob(".*.building*"):
            p.unlink(missing_ok=True)
            out.append(p.name)
        return out

    def rollback(self, to: str | None = None, problems=None) -> str:
        """Point CURRENT at `to`, or at the snapshot before the current one.
        problems(id) -> [reason, ...] may veto the choice (ValueError)."""
        ids = [s.id for s in self.list()]
        if to is None:
            current = self.current_id()
            older = [i for i in ids if current is None or i < current]
            if not older:
                raise LookupError("没有更早的快照可回滚 (no earlier snapshot to roll back to)")
            to = older[-1]
        elif to not in ids:
            raise LookupError(f"快照 {to} 不存在 (no such snapshot); available: {', '.join(ids[-5:]) or 'none'}")
        found = problems(to) if problems is not None else []
        if found:
            raise ValueError(f"快照 {to} 与当前版本不兼容，未回滚 (snapshot {to} does not fit this version's "
                             "queries; CURRENT unchanged):\n  " + "\n  ".join(found))
        self.publish(to)
        return to

    # --- the run log: one JSON object per line, appended by the writer -------
    def log_run(self, **record) -> None:
        record.setdefault("at", datetime.now(timezone.utc).isoformat(timespec="seconds"))
        line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
        # O_APPEND writes of one short line are atomic enough for one writer
        # plus readers that skip a torn last line.
        path = self.dir / RUNS_LOG
        with open(path, "a", encoding="utf-8") as f:
            f.write(line)
            size = f.tell()
        # A scheduler refreshing every minute writes ~1 MB a day: keep the tail.
        if size > RUNS_LOG_MAX_BYTES:
            tail = path.read_text(encoding="utf-8").splitlines(keepends=True)[-RUNS_LOG_KEEP_LINES:]
            write_atomic(path, "".join(tail))

    def settle_interrupted(self) -> list[dict]:
        """Persist an 'interrupted' record for every run whose process died mid-build."""
        records = self.runs(limit=200)
        raw_ended = {r.get("run") for r in self._raw_runs() if r.get("state") != "started"}
        settled = [r for r in records if r.get("state") == "interrupted" and r.get("run") not in raw_ended]
        for r in settled:
            self.log_run(**{k: v for k, v in r.items() if k != "at"})
        return settled

    def _raw_runs(self) -> list[dict]:
        try:
            lines = (self.dir / RUNS_LOG).read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in lines:
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return out

    def runs(self, limit: int = 50) -> list[dict]:
        return _close_interrupted(self._raw_runs())[-limit:]


def _close_interrupted(records: list[dict]) -> list[dict]:
    """A 'started' run with no end whose process is gone was killed: say so."""
    ended = {r.get("run") for r in records if r.get("state") in ("published", "failed", "interrupted")}
    out = []
    for r in records:
        out.append(r)
        if r.get("state") == "started" and r.get("run") not in ended and not _alive(r.get("pid")):
            out.append({**r, "state": "interrupted",
                        "error": "构建进程意外终止，未发布任何内容 (build process died; nothing was published)"})
    return out


def _alive(pid) -> bool:
    if not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def age_seconds(built_at_iso: str) -> float:
    built = datetime.fromisoformat(built_at_iso)
    if built.tzinfo is None:
        built = built.replace(tzinfo=timezone.utc)
    return time.time() - built.timestamp()
