"""Fixtures for the source tests: a tiny region tree, DuckDB, a real PostgreSQL server.

The region tree is fixed here so these tests do not depend on the geography
module: province 370000, city 370300 (青岛), its districts 370302 and 370303.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

REGION_CODES = {370000, 370300, 370302, 370303}
LEAF_CODES = {370302, 370303}

PG_USER = "cockpit"
PG_PASSWORD = "s3cret-pw"


@pytest.fixture
def region_codes() -> set[int]:
    return set(REGION_CODES)


@pytest.fixture
def leaf_codes() -> set[int]:
    return set(LEAF_CODES)


@pytest.fixture
def con():
    c = duckdb.connect()
    yield c
    c.close()


def _quarantine_rows(con, raw_table: str | None = None) -> list[dict]:
    where = "WHERE raw_table = ?" if raw_table else ""
    cur = con.execute(f'SELECT source, raw_table, file, line, "column", value, reason FROM quarantine {where}',
                      [raw_table] if raw_table else [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


@pytest.fixture
def quarantine():
    """quarantine(con, raw_table=None) -> the quarantine rows as dicts, in insertion order."""
    return _quarantine_rows


# ---------------------------------------------------------------- PostgreSQL server
@dataclass(frozen=True)
class PgServer:
    host: str
    port: int
    user: str
    password: str
    socket_dir: Path

    def dsn(self, dbname: str = "postgres", **overrides) -> str:
        params = {"host": self.host, "port": self.port, "dbname": dbname, "user": self.user,
                  "password": self.password, **overrides}
        return " ".join(f"{k}={v}" for k, v in params.items())


def _pg_bindir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    found = [Path(p).parent for p in candidates if (Path(p).parent / "pg_ctl").exists()]
    if not found:
        pytest.fail("PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin. "
                    "Run the project's test setup (`scripts/setup.sh --test`, as root): it installs the "
                    "Debian package `postgresql`.",
                    pytrace=False)
    return found[-1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_user() -> str | None:
    """PostgreSQL refuses to run as root: pick an unprivileged account to run it as."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    pytest.fail("running as root and neither a `postgres` nor a `nobody` account exists", pytrace=False)


def _run(cmd: list[str], user: str | None, **kwargs) -> subprocess.CompletedProcess:
    if user:
        cmd = ["runuser", "-u", user, "--", *cmd]
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kwargs)


@pytest.fixture(scope="session")
def pg_server():
    bindir = _pg_bindir()
    user = _server_user()
    # Not pytest's tmp_path: its parents are private to root, and the server user must reach it.
    base = Path(tempfile.mkdtemp(prefix="cockpit-pg-test-"))
    data, sockets, log, pwfile = base / "data", base / "sock", base / "server.log", base / "pw"
    sockets.mkdir()
    pwfile.write_text(PG_PASSWORD + "\n")
    if user:
        info = pwd.getpwnam(user)
        for p in (base, sockets, pwfile):
            os.chown(p, info.pw_uid, info.pw_gid)
    port = _free_port()
    started = False
    try:
        _run([str(bindir / "initdb"), "-D", str(data), "-U", PG_USER, f"--pwfile={pwfile}",
              "--auth-host=scram-sha-256", "--auth-local=trust", "--encoding=UTF8", "--no-locale"], user)
        _run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60",
              "-o", f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off", "start"], user)
        started = True
        yield PgServer("127.0.0.1", port, PG_USER, PG_PASSWORD, sockets)
    except subprocess.CalledProcessError as exc:
        server_log = log.read_text() if log.exists() else ""
        pytest.fail(f"could not start PostgreSQL: {exc.cmd}\n{exc.stdout}\n{exc.stderr}\n{server_log}", pytrace=False)
    finally:
        if started:
            _run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], user)
        shutil.rmtree(base, ignore_errors=True)
