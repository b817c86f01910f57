"""The view state every screen shares, read from and written to the URL query.

region, period, indicator, lang, kiosk (plus theme/fit/dwell/pages for walls)
live in the query string so any view can be bookmarked and shared. Parsing never
raises: a bad value is dropped, the default is used, and a message says which
parameter was wrong and why.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

from components.i18n import LANGS

_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?|Q([1-4]))?$")
FITS = ("fit", "fill")
THEMES = ("dark", "light")


@dataclass(frozen=True)
class ViewState:
    region: int
    indicator: str | None = None
    period: str | None = None          # as written in the URL, e.g. 2026-09, 2026Q2
    lang: str = "zh"
    kiosk: bool = False
    theme: str = "dark"
    fit: str = "fit"
    dwell: int | None = None
    pages: tuple[str, ...] = ()
    errors: tuple[str, ...] = field(default=(), compare=False)

    @property
    def period_end(self) -> datetime:
        """The last instant the view may show ("latest" when no period is chosen)."""
        return period_end(self.period) if self.period else datetime(9999, 12, 31)

    def with_(self, **kw) -> "ViewState":
        return replace(self, errors=(), **kw)

    def panel_view(self) -> "ViewState":
        """What decides a panel's content: region, indicator, period, language,
        theme. Kiosk, fit, dwell and the carousel's pages only arrange the
        screen, so a wall in kiosk mode shares its panels' renders with
        everyone looking at the same view."""
        return self.with_(kiosk=False, fit="fit", dwell=None, pages=())

    def query(self, root: int) -> str:
        """The query string for this state, leaving defaults out (short, stable URLs)."""
        q = {}
        if self.region != root:
            q["region"] = self.region
        if self.indicator:
            q["indicator"] = self.indicator
        if self.period:
            q["period"] = self.period
        if self.lang != "zh":
            q["lang"] = self.lang
        if self.kiosk:
            q["kiosk"] = 1
        if self.theme != "dark":
            q["theme"] = self.theme
        if self.fit != "fit":
            q["fit"] = self.fit
        if self.dwell:
            q["dwell"] = self.dwell
        if self.pages:
            q["pages"] = ",".join(self.pages)
        return ("?" + urlencode(q)) if q else ""


def period_end(text: str) -> datetime:
    m = _PERIOD.match(text)
    if not m:
        raise ValueError(text)
    y, mo, d, q = m.groups()
    y = int(y)
    if q:
        last_month = int(q) * 3
        return datetime(y, last_month, calendar.monthrange(y, last_month)[1], 23, 59, 59)
    if d:
        return datetime(y, int(mo), int(d), 23, 59, 59)
    if mo:
        mo = int(mo)
        if not 1 <= mo <= 12:
            raise ValueError(text)
        return datetime(y, mo, calendar.monthrange(y, mo)[1], 23, 59, 59)
    return datetime(y, 12, 31, 23, 59, 59)


def parse(search: str | None, *, root: int, region_ok, indicator_ok, page_ok=lambda p: True) -> ViewState:
    """Read the query string. `region_ok(adcode)`/`indicator_ok(id)` say whether
    a value exists (and is visible); unknown ones are reported, not obeyed."""
    q = dict(parse_qsl((search or "").lstrip("?"), keep_blank_values=True))
    errors: list[str] = []
    kw: dict = {}

    raw = q.get("region")
    region = root
    if raw not in (None, ""):
        if not raw.isdigit() or len(raw) != 6:
            errors.append(f"region={raw}（区划代码应为 6 位数字 / adcode must be 6 digits）")
        elif not region_ok(int(raw)):
            errors.append(f"region={raw}（未知或无权查看的地区 / unknown region）")
        else:
            region = int(raw)

    raw = q.get("indicator")
    if raw not in (None, ""):
        if indicator_ok(raw):
            kw["indicator"] = raw
        else:
            errors.append(f"indicator={raw}（未知指标 / unknown indicator）")

    raw = q.get("period")
    if raw not in (None, ""):
        try:
            period_end(raw)
            kw["period"] = raw
        except ValueError:
            errors.append(f"period={raw}（格式应为 2026、2026-09、2026-09-30 或 2026Q3 / bad period）")

    raw = q.get("lang")
    if raw not in (None, ""):
        if raw in LANGS:
            kw["lang"] = raw
        else:
            errors.append(f"lang={raw}（可选 zh、en）")

    raw = q.get("kiosk")
    if raw not in (None, ""):
        if raw in ("1", "true", "yes", "0", "false", "no"):
            kw["kiosk"] = raw in ("1", "true", "yes")
        else:
            errors.append(f"kiosk={raw}（可选 1 或 0）")

    for name, choices in (("theme", THEMES), ("fit", FITS)):
        raw = q.get(name)
        if raw not in (None, ""):
            if raw in choices:
                kw[name] = raw
            else:
                errors.append(f"{name}={raw}（可选 {'、'.join(choices)}）")

    raw = q.get("dwell")
    if raw not in (None, ""):
        if raw.isdigit() and 5 <= int(raw) <= 3600:
            kw["dwell"] = int(raw)
        else:
            errors.append(f"dwell={raw}（轮播间隔为 5–3600 秒 / seconds between 5 and 3600）")

    raw = q.get("pages")
    if raw not in (None, ""):
        names = tuple(p for p in raw.split(",") if p)
        bad = [p for p in names if not page_ok(p)]
        if bad or not names:
            errors.append(f"pages={raw}（未知页面 / unknown page: {','.join(bad)}）")
        else:
            kw["pages"] = names

    return ViewState(region=region, errors=tuple(errors), **kw)
