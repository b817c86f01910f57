"""Indicator.status: which side of the warn/alarm thresholds a value falls on.

A value exactly on a threshold is not past it: for direction up a value trips a
threshold when it is below it, for direction down when it is above it (the same
rule queries/build/70_alerts.sql applies)."""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from core.catalog import Indicator, load_catalog

CATALOG_PATH = Path(__file__).resolve().parents[2] / "data" / "catalog" / "indicators.yaml"


def make(direction: str, warn=None, alarm=None) -> Indicator:
    return Indicator(id="x", name_zh="测试", name_en="Test", unit="%", domain="services", cadence="day",
                     rollup="sum", direction=direction, department="省大数据局", measure="m",
                     warn=warn, alarm=alarm)


UP = make("up", warn=90.0, alarm=85.0)      # e.g. 按时办结率: lower is worse
DOWN = make("down", warn=85.0, alarm=90.0)  # e.g. vCPU使用率: higher is worse


@pytest.mark.parametrize("value, expected", [
    (100.0, "ok"),
    (90.0001, "ok"),
    (90.0, "ok"),        # on the warn line: not below it
    (89.9999, "warn"),
    (87, "warn"),        # ints work as well as floats
    (85.0, "warn"),      # on the alarm line: not below it
    (84.9999, "alarm"),
    (0.0, "alarm"),
    (-5.0, "alarm"),
    (-math.inf, "alarm"),
    (math.inf, "ok"),
])
def test_direction_up(value, expected):
    assert UP.status(value) == expected


@pytest.mark.parametrize("value, expected", [
    (0.0, "ok"),
    (-3.0, "ok"),
    (84.9999, "ok"),
    (85.0, "ok"),        # on the warn line: not above it
    (85.0001, "warn"),
    (88, "warn"),
    (90.0, "warn"),      # on the alarm line: not above it
    (90.0001, "alarm"),
    (math.inf, "alarm"),
    (-math.inf, "ok"),
])
def test_direction_down(value, expected):
    assert DOWN.status(value) == expected


@pytest.mark.parametrize("ind", [UP, DOWN], ids=["up", "down"])
@pytest.mark.parametrize("value", [None, float("nan"), math.nan, -math.nan], ids=["None", "nan", "math.nan", "-nan"])
def test_missing_values_have_no_status(ind, value):
    assert ind.status(value) == "none"


def test_numpy_nan_has_no_status():
    np = pytest.importorskip("numpy")
    assert UP.status(np.float64("nan")) == "none"
    assert DOWN.status(np.float64(91.0)) == "alarm"


@pytest.mark.parametrize("value", [None, math.nan, 0.0, 50.0, 1e9, -1e9])
def test_without_thresholds_status_is_none(value):
    assert make("up").status(value) == "none"
    assert make("down").status(value) == "none"


def test_equal_warn_and_alarm_skip_the_warn_band():
    up = make("up", warn=99.99, alarm=99.99)
    assert up.status(99.99) == "ok"
    assert up.status(99.98) == "alarm"
    down = make("down", warn=1.0, alarm=1.0)
    assert down.status(1.0) == "ok"
    assert down.status(1.01) == "alarm"


def test_negative_thresholds_for_growth():
    growth = make("up", warn=1.0, alarm=-3.0)
    assert growth.status(4.5) == "ok"
    assert growth.status(1.0) == "ok"
    assert growth.status(0.0) == "warn"
    assert growth.status(-3.0) == "warn"
    assert growth.status(-12.0) == "alarm"


def test_count_thresholds_from_the_real_catalog():
    """在办较大及以上事件: one open major event warns, two or more alarm."""
    ind = load_catalog(CATALOG_PATH).indicators["events_major_open"]
    assert ind.direction == "down"
    assert [ind.status(n) for n in (0, 1, 2, 5)] == ["ok", "warn", "alarm", "alarm"]
