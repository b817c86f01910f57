"""What a callback needs to draw a panel: the database, the view state, and the
indicator definitions of the snapshot being shown. Built per request from the
URL; holds no state of its own."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import pandas as pd
from flask import current_app

from components.state import ViewState, parse
from queries.database import Database, NoSnapshot, ScopeError


def database() -> Database:
    return current_app.config["COCKPIT_DB"]


def settings():
    return current_app.config["COCKPIT_SETTINGS"]


def indicators(db: Database, snapshot: str | None = None) -> dict[str, dict]:
    """Indicator definitions by id, as the snapshot was built. Read-only: the
    dict is shared by every request on that snapshot (every callback parses
    the URL against it, and building it from rows cost more than the rest of
    a cached callback)."""
    return _indicators(db, snapshot or db.snapshot_id())


@lru_cache(maxsize=8)
def _indicators(db: Database, snapshot: str) -> dict[str, dict]:
    out = {}
    for r in db.execute("indicators", snapshot=snapshot).to_dict("records"):
        r["pages"] = [str(p) for p in (r.get("pages") if r.get("pages") is not None else [])]
        out[r["id"]] = r
    return out


def region_exists(db: Database, adcode: int) -> bool:
    try:
        db.check_region(adcode)
        return True
    except ScopeError:
        return False


def read_state(search: str | None, pages: tuple[str, ...] = ()) -> "ViewState":
    db, s = database(), settings()
    try:
        known = indicators(db)
    except NoSnapshot:
        known = {}
    return parse(search, root=s.root_adcode, region_ok=lambda a: region_exists(db, a),
                 indicator_ok=lambda i: i in known, page_ok=lambda p: p in pages)


@dataclass
class Ctx:
    state: ViewState
    snapshot: str

    @property
    def db(self) -> Database:
        return database()

    @property
    def lang(self) -> str:
        return self.state.lang

    @property
    def theme(self) -> str:
        return self.state.theme

    @cached_property
    def indicators(self) -> dict[str, dict]:
        return indicators(self.db, self.snapshot)

    @cached_property
    def meta(self) -> dict:
        return self.db.meta(snapshot=self.snapshot)

    @cached_property
    def region(self) -> dict:
        df = self.q("region_path")
        return df.iloc[-1].to_dict()

    @cached_property
    def children(self) -> pd.DataFrame:
        return self.q("region_children")

    def q(self, name: str, **params) -> pd.DataFrame:
        """A serving query for this view: region and period filled in."""
        params.setdefault("adcode", self.state.region)
        params.setdefault("period", self.state.period_end)
        return self.db.execute(name, snapshot=self.snapshot, **params)

    def name(self, indicator: dict) -> str:
        return indicator["name_en"] if self.lang == "en" else indicator["name_zh"]

    def stamp(self) -> str:
        """Source line carried by every chart and export."""
        built = self.meta.get("built_at")
        demo = "（演示数据）" if self.meta.get("demo") else ""
        return f"一网统管驾驶舱 · 快照 {self.snapshot} · 生成于 {built:%Y-%m-%d %H:%M}{demo}"
