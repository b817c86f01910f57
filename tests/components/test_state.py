"""URL state: every parameter parses, round-trips, and a bad value is reported, not obeyed."""
from __future__ import annotations

from datetime import datetime

import pytest

from components.state import ViewState, parse, period_end

ROOT = 370000
KNOWN_REGIONS = {370000, 370200, 370202}


def _parse(search):
    return parse(search, root=ROOT, region_ok=lambda a: a in KNOWN_REGIONS, indicator_ok=lambda i: i == "gdp",
                 page_ok=lambda p: p in ("overview", "economy"))


def test_defaults():
    s = _parse("")
    assert s == ViewState(region=ROOT) and s.errors == ()
    assert s.period_end == datetime(9999, 12, 31)


def test_every_parameter_round_trips():
    search = "?region=370202&indicator=gdp&period=2026Q2&lang=en&kiosk=1&theme=light&fit=fill&dwell=20&pages=economy,overview"
    s = _parse(search)
    assert s.errors == ()
    assert (s.region, s.indicator, s.period, s.lang, s.kiosk, s.theme, s.fit, s.dwell, s.pages) == \
        (370202, "gdp", "2026Q2", "en", True, "light", "fill", 20, ("economy", "overview"))
    assert _parse(s.query(ROOT)) == s


@pytest.mark.parametrize("search, names", [
    ("?region=abc", "region=abc"),
    ("?region=110000", "region=110000"),        # a real adcode, but not in this cockpit
    ("?indicator=nope", "indicator=nope"),
    ("?period=2026-13", "period=2026-13"),
    ("?period=yesterday", "period=yesterday"),
    ("?lang=fr", "lang=fr"),
    ("?kiosk=maybe", "kiosk=maybe"),
    ("?theme=pink", "theme=pink"),
    ("?dwell=1", "dwell=1"),
    ("?pages=economy,bogus", "pages=economy,bogus"),
])
def test_bad_values_fall_back_with_a_message(search, names):
    s = _parse(search)
    assert len(s.errors) == 1 and names in s.errors[0]
    assert s.with_() == ViewState(region=ROOT)   # nothing of the bad value was applied


def test_good_values_survive_next_to_bad_ones():
    s = _parse("?region=370200&indicator=nope&lang=en")
    assert s.region == 370200 and s.lang == "en" and s.indicator is None and len(s.errors) == 1


@pytest.mark.parametrize("text, end", [
    ("2026", datetime(2026, 12, 31, 23, 59, 59)),
    ("2026-02", datetime(2026, 2, 28, 23, 59, 59)),
    ("2024-02", datetime(2024, 2, 29, 23, 59, 59)),
    ("2026-09-30", datetime(2026, 9, 30, 23, 59, 59)),
    ("2026Q3", datetime(2026, 9, 30, 23, 59, 59)),
])
def test_period_end(text, end):
    assert period_end(text) == end


def test_panel_view_keeps_what_decides_content_and_drops_how_the_screen_is_arranged():
    s = _parse("?region=370200&indicator=gdp&lang=en&theme=light&kiosk=1&fit=fill&dwell=20&pages=overview")
    v = s.panel_view()
    assert (v.region, v.indicator, v.lang, v.theme) == (370200, "gdp", "en", "light")
    assert v.query(ROOT) == "?region=370200&indicator=gdp&lang=en&theme=light"
    assert _parse("?kiosk=1&fit=fill").panel_view() == _parse("").panel_view()
