"""Exports of what a panel shows: its rows as CSV/XLSX, a map as a standalone
HTML file (folium) that opens without any network. Each carries the panel
title, the snapshot and, for demo data, the demo notice."""
from __future__ import annotations

import io
import json
from pathlib import Path

import folium
import pandas as pd

ASSETS = Path(__file__).resolve().parent.parent / "assets"


def _flat(df: pd.DataFrame) -> pd.DataFrame:
    """Scalar columns only (sparklines and the like are screen decoration)."""
    keep = [c for c in df.columns if not df[c].map(lambda v: isinstance(v, (list, dict, tuple))).any()]
    return df[keep]


def to_csv(df: pd.DataFrame, title: str, stamp: str) -> bytes:
    buf = io.StringIO()
    buf.write(f"# {title}\n# {stamp}\n")
    _flat(df).to_csv(buf, index=False)
    # BOM: Excel opens UTF-8 Chinese text correctly only with it.
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(df: pd.DataFrame, title: str, stamp: str) -> bytes:
    buf = io.BytesIO()
    flat = _flat(df).copy()
    for col in flat.columns:   # Excel has no time zones
        if isinstance(flat[col].dtype, pd.DatetimeTZDtype):
            flat[col] = flat[col].dt.tz_localize(None)
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        flat.to_excel(xl, index=False, sheet_name="data", startrow=2)
        sheet = xl.sheets["data"]
        sheet["A1"] = title
        sheet["A2"] = stamp
    return buf.getvalue()


def _inline_leaflet(m: folium.Map) -> None:
    """folium links leaflet, jquery and bootstrap from CDNs; inline leaflet
    instead and drop the rest (this map needs neither)."""
    m.default_js = []
    m.default_css = []
    js = (ASSETS / "vendor" / "leaflet" / "leaflet.js").read_text(encoding="utf-8")
    css = (ASSETS / "vendor" / "leaflet" / "leaflet.css").read_text(encoding="utf-8")
    # Leaflet's CSS refers to marker images we never use; strip the url()s.
    css = css.replace("url(images/", "url(data:,").replace('url("images/', 'url("data:,')
    m.get_root().header.add_child(folium.Element(f"<style>{css}</style><script>{js}</script>"), index=0)


def to_map_html(df: pd.DataFrame, geojson_path: Path, *, title: str, stamp: str, unit: str, decimals: int) -> bytes:
    """`df`: adcode, name, value for the regions shown; boundaries from the
    served GeoJSON file of that level, cut down to those regions."""
    gj = json.loads(geojson_path.read_text(encoding="utf-8"))
    values = {int(r.adcode): (r.name, None if pd.isna(r.value) else float(r.value)) for r in df.itertuples()}
    feats = [f for f in gj["features"] if int(f["id"]) in values]
    for f in feats:
        name, v = values[int(f["id"])]
        f["properties"] = {"name": name, "value": "—" if v is None else f"{v:,.{decimals}f} {unit}"}
    vs = [v for _, v in values.values() if v is not None]
    lo, hi = (min(vs), max(vs)) if vs else (0.0, 1.0)

    def color(feature):
        v = values[int(feature["id"])][1]
        if v is None:
            return "#cccccc"
        x = 0 if hi == lo else (v - lo) / (hi - lo)
        # light to dark blue
        r, g, b = int(222 - 190 * x), int(235 - 150 * x), int(247 - 90 * x)
        return f"#{r:02x}{g:02x}{b:02x}"

    m = folium.Map(tiles=None, zoom_control=True, control_scale=True)
    _inline_leaflet(m)
    layer = folium.GeoJson(
        {"type": "FeatureCollection", "features": feats},
        style_function=lambda f: {"fillColor": color(f), "color": "#335", "weight": 1, "fillOpacity": 0.85},
        tooltip=folium.GeoJsonTooltip(fields=["name", "value"], aliases=["地区", "数值"]),
    )
    layer.add_to(m)
    if feats:
        m.fit_bounds(layer.get_bounds())
    header = (f'<div style="position:fixed;top:8px;left:50px;z-index:1000;background:#fff;padding:6px 10px;'
              f'font:14px sans-serif;border-radius:4px;box-shadow:0 1px 4px #0003"><b>{title}</b><br>'
              f'<small>{stamp}</small></div>')
    m.get_root().html.add_child(folium.Element(header))
    return m.get_root().render().encode("utf-8")
