"""Loads the SQL files of this folder: the only place SQL text lives.

Files use DuckDB named parameters (`$as_of`, `$scope`); `params_for` passes a
query exactly the parameters it names, so callers can hand over a superset.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

QUERIES_DIR = Path(__file__).resolve().parent
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


class QueryError(ValueError):
    pass


@lru_cache(maxsize=None)
def load_sql(name: str) -> str:
    """`name` like 'serve/kpi' or 'measures/cloud' (no suffix)."""
    path = (QUERIES_DIR / f"{name}.sql").resolve()
    if QUERIES_DIR not in path.parents:
        raise QueryError(f"query name outside queries/: {name!r}")
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QueryError(f"no such query: {name!r} (expected {path})") from None


@lru_cache(maxsize=1024)   # serving queries bind on every request: scan each text once
def param_names(text: str) -> frozenset[str]:
    return frozenset(_PARAM.findall(re.sub(r"--[^\n]*", "", text)))


def bind(text: str, params: dict, *, what: str = "query") -> dict:
    """The subset of `params` that `text` names; DuckDB rejects unused ones."""
    wanted = param_names(text)
    missing = wanted - set(params)
    if missing:
        raise QueryError(f"{what} needs parameters {sorted(missing)}")
    return {k: params[k] for k in wanted}


def statements(name: str) -> list[str]:
    """Split a multi-statement build file on ';' at line ends (no ';' inside strings by convention)."""
    parts = re.split(r";\s*(?:\n|$)", load_sql(name))
    return [p for p in parts if re.sub(r"--[^\n]*", "", p).strip()]


def named_statements(name: str) -> dict[str, str]:
    """Split a file of queries each headed by a line `-- name: <id>`."""
    out: dict[str, str] = {}
    current = None
    for line in load_sql(name).splitlines(keepends=True):
        m = re.match(r"--\s*name:\s*(\w+)", line)
        if m:
            current = m.group(1)
            out[current] = ""
        elif current:
            out[current] += line
    return {k: v.strip().rstrip(";") for k, v in out.items()}


def available(folder: str) -> list[str]:
    return sorted(f"{folder}/{p.stem}" for p in (QUERIES_DIR / folder).glob("*.sql"))
