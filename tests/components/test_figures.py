"""Figure builders are pure and offline: boundaries travel as a URL, never inline."""
from __future__ import annotations

import json

import pandas as pd

from components import figures


def _regions():
    return pd.DataFrame({"adcode": [370102, 370103, 370104], "name": ["历下区", "市中区", "槐荫区"],
                         "value": [10.0, None, 30.0]})


def test_choropleth_references_boundaries_by_url_and_keeps_missing_regions():
    fig = figures.choropleth(_regions(), geojson_url="/geo/370000/county.geojson?v=1", unit="亿元", decimals=1)
    base, values = fig.data[0], fig.data[1]
    assert base.geojson == values.geojson == "/geo/370000/county.geojson?v=1"
    assert list(base.locations) == [370102, 370103, 370104]      # drawn (and clickable) even without a value
    assert list(values.locations) == [370102, 370104] and list(values.z) == [10.0, 30.0]
    payload = json.dumps(fig.to_plotly_json(), default=str)
    assert "http://" not in payload and "https://" not in payload
    assert len(payload) < 20_000


def test_a_choropleth_with_every_value_is_one_layer_and_reserves_its_colour_bar():
    df = _regions().fillna(20.0)
    fig = figures.choropleth(df, geojson_url="/x", unit="亿元", decimals=1)
    assert [t.name for t in fig.data] == ["values"]           # no grey layer underneath: nothing to show through
    assert list(fig.data[0].locations) == [370102, 370103, 370104]
    wide = figures.choropleth(df.assign(value=df["value"] * 1e6), geojson_url="/x", unit="亿元", decimals=1)
    assert 40 < fig.layout.margin.r < wide.layout.margin.r     # longer tick labels, more room


def test_text_width_grows_with_text_and_size():
    assert figures.text_width("", 12) == 0
    assert figures.text_width("自然灾害", 13) > figures.text_width("Fire", 13)
    assert figures.text_width("1,579", 22) == 2 * figures.text_width("1,579", 11)


def test_builders_do_not_mutate_their_input():
    df = _regions()
    before = df.copy()
    figures.choropleth(df, geojson_url="/x", unit="", decimals=0)
    figures.ranking(df.dropna(), unit="", decimals=0, colors=["#fff"] * 2)
    pd.testing.assert_frame_equal(df, before)


def test_trend_draws_target_line_when_given():
    df = pd.DataFrame({"period": pd.date_range("2025-01-01", periods=4, freq="QS"), "value": [1, 2, 3, 4],
                       "year_ago_value": [None, None, None, None]})
    fig = figures.trend(df, unit="%", decimals=1, labels={"value": "v", "year_ago": "y"},
                        target={"value": 5.0, "label": "2025年目标 5%"})
    assert any(s.y0 == 5.0 for s in fig.layout.shapes)
    assert len(fig.data) == 1            # no year-ago line without year-ago values


def test_fmt():
    assert figures.fmt(27615.94, 1, "亿元") == "27,615.9 亿元"
    assert figures.fmt(float("nan"), 1) == "—" and figures.fmt(None) == "—"


def test_sparkline_is_an_svg_image_with_gaps_for_missing_values():
    from urllib.parse import unquote

    uri = figures.sparkline([1.0, 2.0, float("nan"), 3.0, 4.0, None], "#ff4d4f")
    assert uri.startswith("data:image/svg+xml,")             # drawn by the browser, nothing fetched
    svg = unquote(uri.split(",", 1)[1])
    line = svg.split('stroke="#ff4d4f"')[0].rsplit('<path d="', 1)[1].split('"')[0]
    assert line.count("M") == 2                              # the missing value breaks the line in two
    ys = [float(p.split(",")[1]) for p in line.replace("M", " ").replace("L", " ").split() if "," in p]
    assert 0 < min(ys) and max(ys) < 34                      # padded: the line never touches the edge
    assert ys[0] > ys[1]                                     # larger values are drawn higher
    assert figures.sparkline([], "#000") is None and figures.sparkline([float("nan")] * 3, "#000") is None
