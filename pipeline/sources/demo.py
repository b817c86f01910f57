"""Demo source: a deterministic, live simulator of every raw table.

    generate(regions, geo_dir, *, seed, scale, as_of) -> Iterator[(raw_table_name, pyarrow.Table)]

Everything here is invented demo data (see DEMO_NOTICE); magnitudes follow the
public 2022 figures in /work/shared/INDICATORS.md where the root is Shandong and a
generic rule elsewhere (a province total split by stable pseudo-random weights).

Determinism and liveness
------------------------
* Region magnitudes and statistics come from a counter-based hash of
  (seed, measure, period, adcode): a county's series is the same whatever the root.
* Event-like tables (events, work orders, samples, calls, requests ...) are
  generated one day (or month) at a time with ``np.random.default_rng([seed,
  table_no, day])`` and then cut at ``as_of``; a fact that happened before ``t``
  is therefore identical for every ``as_of >= t``. Only status fields progress:
  responded_at / closed_at / answered_at / resolved_at (and the flags that go with
  them) are NULL while they lie after ``as_of``; resource ``updated_at`` and
  catalog ``last_updated`` are "latest review/update not after as_of".
* Rates depend on ``scale`` and the region tree only, never on ``as_of``.
* Planted anomalies (PLANTED_ANOMALIES) are persistent in absolute time, so
  "the last 6 hours / last day / recent months" show them at any ``as_of``
  without ever rewriting the past.

Scale: total rows ~ scale x 1e6 for scale >= 0.5 (statistic is bounded by
regions x periods; the rest is split 55/33/12 between cloud_sample (more days of
history), api_call (more calls over the last 35 days) and work_order). Chunks stay
below ~1.5M rows (600k for string-heavy tables).

Statistics run from January three years before as_of's year through the last
complete month / quarter (daily measures through yesterday; year measures are
year-to-date with period = Jan 1). Additive measures are given for leaves only,
cpi / unemployment_rate / ishandong_dau for provinces and cities (and the country
root). Jan and Feb of industrial_va, fai and retail_sales are reported combined
(1-2月) and split evenly, as the statistics bureau does.

Public names: generate, DEMO_NOTICE, PLANTED_ANOMALIES (resolved for Shandong),
planted_anomalies(regions) (resolved for any tree), SCHEMAS, STAT_MEASURES.
"""
from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.raw_schema import RAW_TABLES

DEMO_NOTICE = "演示数据（模拟生成，非真实统计）"
IS_DEMO = True

# --------------------------------------------------------------------------- schema

_ARROW_TYPES = {
    "INTEGER": pa.int32(), "SMALLINT": pa.int16(), "DOUBLE": pa.float64(), "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(), "TIMESTAMP": pa.timestamp("us"), "VARCHAR": pa.string(),
}
SCHEMAS: dict[str, pa.Schema] = {
    t.name: pa.schema([pa.field(c.name, _ARROW_TYPES[c.type]) for c in t.columns]) for t in RAW_TABLES
}
# Stable numbers for RNG streams (never renumber: it would change every fact).
TABLE_NO = {
    "statistic": 1, "emergency_event": 2, "emergency_resource": 3, "work_order": 4, "cloud_node": 5,
    "cloud_sample": 6, "cloud_energy": 7, "cloud_system": 8, "api_call": 9, "data_catalog": 10,
    "share_request": 11, "quality_objection": 12,
}
MAX_CHUNK_ROWS = 1_500_000
# String-heavy tables (ids, names, masked phones) are built in smaller chunks to bound memory.
STRING_CHUNK_ROWS = 600_000

SEC = 1_000_000
MIN = 60 * SEC
HOUR = 60 * MIN
DAY = 24 * HOUR
_EPOCH = _dt.datetime(1970, 1, 1)
_EPOCH_DAY_2022_07_02 = (_dt.date(2022, 7, 2) - _dt.date(1970, 1, 1)).days

# --------------------------------------------------------------------------- reference magnitudes

# 2022, 亿元 / 万人 (INDICATORS.md).
SHANDONG = 370000
SD_CITIES = {
    370100: (12028, 941), 370200: (14921, 1034), 370300: (4403, 471), 370400: (2039, 384),
    370500: (3620, 220), 370600: (9516, 705), 370700: (7307, 939), 370800: (5317, 830),
    370900: (3198, 539), 371000: (3408, 291), 371100: (2307, 297), 371300: (5779, 1099),
    371400: (3633, 558), 371500: (2789, 589), 371600: (2976, 393), 371700: (4212, 868),
}
SD_BACKBONE = (370200, 370400)
SD_GDP_2022 = 87435.0
SD_POP_2022 = 10163.0
# Approximate 2022 provincial GDP (亿元) and population (万人) for non-Shandong roots.
PROVINCES = {
    110000: ("北京市", 41611, 2184), 120000: ("天津市", 16311, 1363), 130000: ("河北省", 42370, 7420),
    140000: ("山西省", 25643, 3481), 150000: ("内蒙古自治区", 23159, 2401), 210000: ("辽宁省", 28975, 4197),
    220000: ("吉林省", 13070, 2348), 230000: ("黑龙江省", 15901, 3099), 310000: ("上海市", 44653, 2475),
    320000: ("江苏省", 122876, 8515), 330000: ("浙江省", 77715, 6577), 340000: ("安徽省", 45045, 6127),
    350000: ("福建省", 53110, 4188), 360000: ("江西省", 32075, 4528), 370000: ("山东省", 87435, 10163),
    410000: ("河南省", 61345, 9872), 420000: ("湖北省", 53735, 5844), 430000: ("湖南省", 48670, 6604),
    440000: ("广东省", 129119, 12657), 450000: ("广西壮族自治区", 26301, 5047), 460000: ("海南省", 6818, 1027),
    500000: ("重庆市", 29129, 3213), 510000: ("四川省", 56750, 8374), 520000: ("贵州省", 20165, 3856),
    530000: ("云南省", 28954, 4693), 540000: ("西藏自治区", 2133, 364), 610000: ("陕西省", 32773, 3956),
    620000: ("甘肃省", 11202, 2492), 630000: ("青海省", 3610, 595), 640000: ("宁夏回族自治区", 5070, 728),
    650000: ("新疆维吾尔自治区", 17741, 2587),
}
_FALLBACK_PROVINCE = (20000.0, 2000.0)

PROV_DEPTS = ("公安厅", "人力资源社会保障厅", "卫生健康委", "市场监管局", "大数据局", "教育厅",
              "自然资源厅", "交通运输厅", "住房城乡建设厅", "医保局", "民政厅", "生态环境厅")
CITY_DEPTS = ("公安局", "人力资源社会保障局", "卫生健康委", "市场监管局", "大数据局", "教育局",
              "自然资源和规划局", "交通运输局", "住房城乡建设局", "医保局", "民政局", "生态环境局")
COUNTY_DEPTS = ("公安局", "人力资源社会保障局", "卫生健康局", "市场监管局", "大数据中心", "教育和体育局",
                "自然资源局", "交通运输局", "住房城乡建设局", "医保局", "民政局", "生态环境分局")
_DEPT_WEIGHT = np.array([1.5, 1.3, 1.2, 1.6, 1.4, 0.8, 0.7, 0.8, 0.9, 1.1, 0.9, 0.6])
MARKET_DEPT_NO = 3  # 市场监管局: the provider planted with failing calls

# --------------------------------------------------------------------------- planted anomalies

# Resolved for a Shandong root; other roots get the same list with regions picked
# by a fixed rule (see planted_anomalies()). Anomalies hold for the whole generated
# history, so they are visible in any recent window at any as_of.
PLANTED_ANOMALIES: list[dict] = [
    {"id": "industrial_va_drop_1", "what": "规上工业增加值同比下降", "table": "statistic",
     "measure": "industrial_va", "level": "county", "region": 370302, "region_name": "淄川区",
     "expected": "YoY about -8% in every month (so in the last 3 months)", "value": -8.0, "normal": (5.0, 8.0)},
    {"id": "industrial_va_drop_2", "what": "规上工业增加值同比下降", "table": "statistic",
     "measure": "industrial_va", "level": "county", "region": 370982, "region_name": "新泰市",
     "expected": "YoY about -8% in every month (so in the last 3 months)", "value": -8.0, "normal": (5.0, 8.0)},
    {"id": "fai_drop", "what": "固定资产投资同比下降", "table": "statistic", "measure": "fai",
     "level": "city", "region": 371500, "region_name": "聊城市",
     "expected": "YoY about -12% (all its counties)", "value": -12.0, "normal": (3.0, 6.0)},
    {"id": "cpi_high", "what": "居民消费价格指数偏高", "table": "statistic", "measure": "cpi",
     "level": "city", "region": 371100, "region_name": "日照市",
     "expected": "CPI about 103.4 in recent months", "value": 103.4, "normal": (100.2, 102.3)},
    {"id": "unemployment_high", "what": "城镇调查失业率偏高", "table": "statistic",
     "measure": "unemployment_rate", "level": "city", "region": 371700, "region_name": "菏泽市",
     "expected": "about 6.3%", "value": 6.3, "normal": (4.9, 5.6)},
    {"id": "online_service_low", "what": "依申请政务服务事项可网办率偏低", "table": "statistic",
     "measure": "service_items_online", "level": "county", "region": 371728, "region_name": "东明县",
     "expected": "可网办率 about 85% (全程网办率 about 82% there, a subset)", "value": 85.0,
     "normal": (96.0, 100.0)},
    {"id": "cloud_vcpu_overload", "what": "政务云节点 vCPU 使用率过高", "table": "cloud_sample",
     "measure": "vcpu_used", "level": "city", "region": 370700, "region_name": "潍坊市",
     "node_id": "GC-C-370700", "expected": "vCPU used/total > 92% (e.g. the last 6 hours)", "value": 0.94,
     "normal": (0.35, 0.75)},
    {"id": "cloud_availability_low", "what": "政务云节点可用性不足", "table": "cloud_sample",
     "measure": "available", "level": "city", "region": 371300, "region_name": "临沂市",
     "node_id": "GC-C-371300",
     "expected": "about 99.3-99.5% of samples available in every hour, so over the last day (one tenant "
                 "misses the sample at the top of each hour)", "value": 0.993, "normal": (0.9999, 1.0)},
    {"id": "cloud_pue_high", "what": "数据中心 PUE 偏高", "table": "cloud_energy", "measure": "facility_kwh",
     "level": "city", "region": 371400, "region_name": "德州市", "node_id": "GC-C-371400",
     "expected": "PUE about 1.48", "value": 1.48, "normal": (1.25, 1.38)},
    {"id": "api_success_drop", "what": "共享接口调用成功率下降", "table": "api_call", "measure": "ok",
     "level": "province", "region": 370000, "region_name": "山东省", "provider_dept": "山东省市场监管局",
     "expected": "success about 93% for calls to this provider (e.g. the last day)", "value": 0.93,
     "normal": (0.993, 0.999)},
    {"id": "api_latency_spike", "what": "共享接口调用时延突增", "table": "api_call", "measure": "latency_ms",
     "level": "city", "region": 370600, "region_name": "烟台市",
     "expected": "mean latency about 400 ms for calls by this consumer region (e.g. the last day)",
     "value": 400.0, "normal": (40.0, 120.0)},
    {"id": "emergency_response_slow", "what": "突发事件响应时长过长", "table": "emergency_event",
     "measure": "responded_at", "level": "county", "region": 371323, "region_name": "沂水县",
     "expected": "mean response about 55 minutes", "value": 55.0, "normal": (8.0, 25.0)},
    {"id": "emergency_ontime_low", "what": "突发事件按时办结率偏低", "table": "emergency_event",
     "measure": "closed_at", "level": "county", "region": 370305, "region_name": "临淄区",
     "expected": "about 70% closed by the deadline", "value": 0.70, "normal": (0.88, 0.98)},
    {"id": "hotline_ontime_low", "what": "12345 工单按时办结率偏低", "table": "work_order",
     "measure": "closed_at", "level": "county", "region": 370112, "region_name": "历城区",
     "expected": "about 80% closed by due_at", "value": 0.80, "normal": (0.93, 0.99)},
    {"id": "major_event_open", "what": "在办较大及以上突发事件", "table": "emergency_event",
     "measure": "severity", "level": "root", "region": 370000, "region_name": "山东省",
     "expected": "at least one open severity-2 event at any as_of (one reported every other day, "
                 "closed 100-160 h later) and several overdue open events", "value": 2, "normal": None},
]

# --------------------------------------------------------------------------- hashing helpers

_G = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _mix(x: np.ndarray) -> np.ndarray:
    x = x + _G
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


def _hash_u(*keys) -> np.ndarray:
    """Uniform [0, 1) from a counter-based hash of integer keys (broadcast)."""
    with np.errstate(over="ignore"):
        h = None
        for k in keys:
            k = np.asarray(k, dtype=np.int64).astype(np.uint64)
            h = _mix(k) if h is None else _mix(h ^ k)
        return (h >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def _hash_n(*keys) -> np.ndarray:
    """Standard normal from the hash (Box-Muller)."""
    u1 = np.maximum(_hash_u(*keys, 1), 1e-12)
    u2 = _hash_u(*keys, 2)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2 * np.pi * u2)


def _rng(seed: int, table: str, *keys: int) -> np.random.Generator:
    return np.random.default_rng([seed, TABLE_NO[table], *[int(k) + 1_000_000 for k in keys]])


# --------------------------------------------------------------------------- arrow helpers

def _ts(us: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(us, dtype=np.int64).view("datetime64[us]"), type=pa.timestamp("us"), mask=mask)


def _date(days: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(days, dtype=np.int64).astype("datetime64[D]"), type=pa.date32())


def _take(labels, codes: np.ndarray) -> pa.Array:
    arr = labels if isinstance(labels, pa.Array) else pa.array(list(labels), type=pa.string())
    return arr.take(pa.array(np.asarray(codes, dtype=np.int32)))


def _ascii(mat: np.ndarray) -> pa.Array:
    """(n, w) uint8 ASCII matrix -> string array of fixed width w."""
    mat = np.ascontiguousarray(mat, dtype=np.uint8)
    n, w = mat.shape
    offsets = (np.arange(n + 1, dtype=np.int64) * w).astype(np.int32)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(mat.tobytes())])


def _digits(num: np.ndarray, width: int) -> np.ndarray:
    num = np.asarray(num, dtype=np.int64)
    out = np.empty((len(num), width), dtype=np.uint8)
    for i in range(width - 1, -1, -1):
        out[:, i] = 48 + num % 10
        num = num // 10
    return out


def _ids(prefix: str, num: np.ndarray, width: int) -> pa.Array:
    """prefix + zero-padded number, vectorised."""
    p = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    d = _digits(num, width)
    return _ascii(np.hstack([np.broadcast_to(p, (len(d), len(p))), d]))


def _cat(*parts) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


_PHONE_PREFIX = np.array([list(p.encode()) for p in (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156",
    "157", "158", "159", "166", "176", "177", "178", "180", "181", "182", "183", "185", "186", "187",
    "188", "189", "198", "199")], dtype=np.uint8)
_SURNAMES = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段")
_MASKED_NAMES = pa.array([s + "*" for s in _SURNAMES] + [s + "**" for s in _SURNAMES], type=pa.string())


def _masked_phone(rng: np.random.Generator, n: int) -> pa.Array:
    """'139****2231': a real-looking shape, never a real number (middle digits masked)."""
    pre = _PHONE_PREFIX[rng.integers(0, len(_PHONE_PREFIX), n)]
    stars = np.full((n, 4), ord("*"), dtype=np.uint8)
    tail = _digits(rng.integers(0, 10000, n), 4)
    return _ascii(np.hstack([pre, stars, tail]))


def _masked_name(rng: np.random.Generator, n: int) -> pa.Array:
    return _take(_MASKED_NAMES, rng.integers(0, len(_MASKED_NAMES), n))


def _table(name: str, cols: dict) -> pa.Table:
    schema = SCHEMAS[name]
    arrays = []
    for f in schema:
        a = cols[f.name]
        if not isinstance(a, (pa.Array, pa.ChunkedArray)):
            a = pa.array(a, type=f.type)
        elif a.type != f.type:
            a = a.cast(f.type)
        arrays.append(a)
    return pa.Table.from_arrays(arrays, schema=schema)


def _empty(name: str) -> pa.Table:
    return SCHEMAS[name].empty_table()


def _concat(parts: list[dict]) -> dict:
    if not parts:
        return {}
    out = {}
    for k in parts[0]:
        vals = [p[k] for p in parts]
        if isinstance(vals[0], pa.Array):
            out[k] = pa.concat_arrays(vals)
        else:
            out[k] = np.concatenate(vals)
    return out


def _filter(cols: dict, keep: np.ndarray) -> dict:
    idx = np.nonzero(keep)[0]
    if len(idx) == len(keep):
        return cols
    ia = pa.array(idx)
    return {k: (v.take(ia) if isinstance(v, pa.Array) else v[idx]) for k, v in cols.items()}


def _diurnal_times(rng: np.random.Generator, n: int, weights: np.ndarray) -> np.ndarray:
    """Microseconds into the day, hour drawn from `weights` (24), second uniform."""
    hour = rng.choice(24, size=n, p=weights / weights.sum())
    sec = rng.integers(0, 3600, n)
    return (hour * 3600 + sec).astype(np.int64) * SEC


_OFFICE_HOURS = np.array([0.6, 0.4, 0.3, 0.3, 0.3, 0.5, 1.0, 2.2, 4.5, 6.5, 6.8, 5.5,
                          3.5, 4.5, 6.2, 6.5, 6.0, 4.8, 3.0, 2.3, 2.0, 1.6, 1.2, 0.8])
_HOTLINE_HOURS = np.array([0.6, 0.4, 0.3, 0.3, 0.3, 0.5, 1.2, 2.8, 5.5, 6.8, 6.9, 5.8,
                           4.2, 4.8, 6.0, 6.2, 5.8, 5.0, 4.2, 3.8, 3.4, 2.6, 1.8, 1.0])
_EVENT_HOURS = np.array([1.6, 1.2, 1.0, 0.9, 0.9, 1.2, 2.0, 3.2, 4.2, 4.6, 4.8, 4.6,
                         4.0, 4.4, 4.8, 5.0, 5.2, 5.4, 4.8, 4.0, 3.4, 2.8, 2.3, 1.9])

# --------------------------------------------------------------------------- world (regions & magnitudes)


# Region sizes (GDP/population weights below the INDICATORS.md table) are a property of the
# region, not of the seed, so planted_anomalies() resolves the same regions for every seed.
_REGION_SALT = 20231


class _World:
    """The region tree with demo magnitudes, participants and cloud nodes."""

    def __init__(self, regions: pd.DataFrame, seed: int):
        df = regions.copy()
        df["adcode"] = df["adcode"].astype(np.int64)
        df = df.sort_values("adcode").reset_index(drop=True)
        self.seed = seed
        self.df = df
        codes = df["adcode"].to_numpy()
        self.codes = codes
        self.code_set = set(int(c) for c in codes)
        self.name = dict(zip(codes.tolist(), df["name"].astype(str)))
        self.level = dict(zip(codes.tolist(), df["level"].astype(str)))
        par = pd.to_numeric(df["parent"], errors="coerce").fillna(-1).astype(np.int64)
        self.parent = dict(zip(codes.tolist(), par.tolist()))
        self.lon = dict(zip(codes.tolist(), df["lon"].astype(float)))
        self.lat = dict(zip(codes.tolist(), df["lat"].astype(float)))
        roots = [c for c in codes.tolist() if self.parent[c] not in self.code_set]
        if "depth" in df.columns:
            roots.sort(key=lambda c: int(df.loc[df["adcode"] == c, "depth"].iloc[0]))
        self.root = int(roots[0])
        self.root_level = self.level[self.root]
        leaf_mask = df["is_leaf"].astype(bool).to_numpy()
        self.leaves = codes[leaf_mask]
        self.leaf_names = [self.name[c] for c in self.leaves.tolist()]
        self.leaf_index = {int(c): i for i, c in enumerate(self.leaves.tolist())}
        self.L = len(self.leaves)
        self.cities = np.array([c for c in codes.tolist() if self.level[c] == "city"], dtype=np.int64)
        self.provinces = np.array([c for c in codes.tolist() if self.level[c] == "province"], dtype=np.int64)
        self._magnitudes()
        self._participants()
        self._nodes()
        self.anomalies = planted_anomalies(regions, _world=self)
        self.anom = {a["id"]: a for a in self.anomalies}

    # -- tree helpers
    def ancestor(self, code: int, level: str) -> int | None:
        c = int(code)
        while c in self.code_set:
            if self.level[c] == level:
                return c
            c = self.parent[c]
        return None

    def province_of(self, code: int) -> int:
        return int(code) // 10000 * 10000

    def province_name(self, prov: int) -> str:
        if prov in self.code_set:
            return self.name[prov]
        return PROVINCES.get(prov, ("省",))[0]

    # -- magnitudes
    def _city_magnitude(self, city: int) -> tuple[float, float]:
        if city in SD_CITIES:
            g, p = SD_CITIES[city]
            return float(g), float(p)
        prov = self.province_of(city)
        pg, pp = (PROVINCES[prov][1:] if prov in PROVINCES else _FALLBACK_PROVINCE)

        def w(c):
            base = np.exp(0.6 * _hash_n(_REGION_SALT, 901, c))
            return float(base * (2.5 if c == prov + 100 else 1.0))

        sibs = [c for c in self.cities.tolist() if self.province_of(c) == prov]
        if prov in self.code_set and sibs:
            share = w(city) / sum(w(c) for c in sibs)
            pshare = w(city) ** 0.8 / sum(w(c) ** 0.8 for c in sibs)
        else:  # the city alone (root is the city): one of ~14 average cities
            share = pshare = w(city) / (14 * 1.2)
        return pg * share, pp * pshare

    def _magnitudes(self):
        L = self.L
        leaves = self.leaves
        z1 = _hash_n(_REGION_SALT, 902, leaves)
        z2 = _hash_n(_REGION_SALT, 903, leaves)
        district = np.array([n.endswith("区") for n in self.leaf_names])
        w = np.exp(0.45 * z1) * np.where(district, 1.3, 1.0)
        pw = w ** 0.6 * np.exp(0.2 * z2)
        group = np.empty(L, dtype=np.int64)
        for i, c in enumerate(leaves.tolist()):
            if self.level[c] in ("city", "province"):  # a leaf city (东莞) or province (台湾)
                group[i] = c
                continue
            up = self.parent.get(c, -1)
            g = self.ancestor(up, "city") or self.ancestor(up, "province")
            group[i] = g if g is not None else -(c // 100 * 100)  # negative: group outside the tree
        gdp = np.zeros(L)
        pop = np.zeros(L)
        city_cache: dict[int, tuple[float, float]] = {}
        for g in np.unique(group).tolist():
            idx = np.nonzero(group == g)[0]
            if g > 0 and self.level[g] == "province":
                pg, pp = (PROVINCES[g][1:] if g in PROVINCES else _FALLBACK_PROVINCE)
            else:
                cc = abs(g)
                if cc not in city_cache:
                    city_cache[cc] = self._city_magnitude(cc)
                pg, pp = city_cache[cc]
            if len(idx) == 1 and leaves[idx[0]] == abs(g):
                gdp[idx], pop[idx] = pg, pp
                continue
            if g > 0:
                sw, spw = w[idx].sum(), pw[idx].sum()
            else:
                sw, spw = 9 * 1.27, 9 * 1.1
            gdp[idx] = pg * w[idx] / sw
            pop[idx] = pp * pw[idx] / spw
        self.group = group
        self.leaf_gdp = gdp
        self.leaf_pop = pop
        # Ancestors present in the tree for every leaf (for region totals).
        self.leaf_city = np.array([self.ancestor(c, "city") or c for c in leaves.tolist()], dtype=np.int64)
        self.leaf_city_name = [self.name.get(c, n) for c, n in zip(self.leaf_city.tolist(), self.leaf_names)]
        rg: dict[int, float] = {}
        rp: dict[int, float] = {}
        for i, c in enumerate(leaves.tolist()):
            a = c
            while a in self.code_set:
                rg[a] = rg.get(a, 0.0) + gdp[i]
                rp[a] = rp.get(a, 0.0) + pop[i]
                a = self.parent[a]
        self.region_gdp, self.region_pop = rg, rp
        self.root_pop = rp.get(self.root, pop.sum())
        self.popf = max(self.root_pop / SD_POP_2022, 0.005)

    # -- departments (participants in sharing, catalog owners)
    def dept_names(self, code: int) -> tuple[str, ...]:
        lvl = self.level.get(code, "county")
        nm = self.name.get(code) or self.province_name(code)
        if lvl == "province":
            suf = CITY_DEPTS if nm.endswith("市") else PROV_DEPTS
        elif lvl == "city":
            suf = CITY_DEPTS
        else:
            suf = COUNTY_DEPTS
        return tuple(nm + s for s in suf)

    def _participants(self):
        tiers = []
        if self.root_level == "country":
            tiers = [self.provinces, self.cities, self.leaves[[self.level[c] == "county" for c in self.leaves.tolist()]]]
        elif self.root_level == "province":
            tiers = [np.array([self.root]), self.cities,
                     self.leaves[[self.level[c] == "county" for c in self.leaves.tolist()]]]
        elif self.root_level == "city":
            tiers = [np.array([self.root]), self.leaves[self.leaves != self.root], np.array([], dtype=np.int64)]
        else:
            tiers = [np.array([self.root]), np.array([], dtype=np.int64), np.array([], dtype=np.int64)]
        names, adcodes, tier, dept_no, rsize = [], [], [], [], []
        for t, regs in enumerate(tiers):
            for c in np.asarray(regs, dtype=np.int64).tolist():
                for k, nm in enumerate(self.dept_names(c)):
                    names.append(nm)
                    adcodes.append(c)
                    tier.append(t)
                    dept_no.append(k)
                    rsize.append(self.region_gdp.get(c, 1.0))
        self.p_name = pa.array(names, type=pa.string())
        self.p_names = names
        self.p_adcode = np.array(adcodes, dtype=np.int64)
        self.p_tier = np.array(tier, dtype=np.int64)
        self.p_dept = np.array(dept_no, dtype=np.int64)
        size = np.array(rsize, dtype=float)
        # size share within the tier
        share = np.zeros(len(size))
        for t in range(3):
            m = self.p_tier == t
            if m.any():
                share[m] = size[m] / size[m].sum() * 12
        self.p_share = share
        dw = _DEPT_WEIGHT[self.p_dept]
        tiers_present = [t for t in range(3) if (self.p_tier == t).any()]

        def mix(fracs):
            f = np.array([fracs[t] if t in tiers_present else 0.0 for t in range(3)])
            f = f / f.sum()
            out = np.zeros(len(size))
            for t in tiers_present:
                m = self.p_tier == t
                ww = dw[m] * share[m]
                out[m] = f[t] * ww / ww.sum()
            return out

        self.p_consumer_w = mix([0.12, 0.50, 0.38])
        self.p_provider_w = mix([0.45, 0.45, 0.10])
        self.p_owner_w = mix([0.30, 0.45, 0.25])
        # first participant of each region (12 consecutive depts)
        self.p_region_first = {}
        for i, c in enumerate(self.p_adcode.tolist()):
            self.p_region_first.setdefault(c, i)

    # -- cloud nodes
    def _nodes(self):
        rows = []  # (node_id, name, tier, adcode, lon, lat, vcpu_total, hosted dept names)
        if self.root_level == "country":
            provs = self.provinces.tolist()
        else:
            provs = [self.province_of(self.root)]
        for prov in provs:
            pname = self.province_name(prov)
            cities = [c for c in self.cities.tolist() if self.province_of(c) == prov]
            gd = {c: self.region_gdp.get(c, 0.0) for c in cities}
            if (prov + 100) in self.code_set:
                capital = prov + 100
            elif prov in self.code_set:  # whole province in the tree: its largest city, or itself
                capital = max(gd, key=gd.get) if gd else prov
            else:  # root is a city or county that is not the capital: no provincial node here
                capital = None
            if prov == SHANDONG:
                backbone = [c for c in SD_BACKBONE if c in self.code_set]
            elif self.root_level in ("province", "country"):
                backbone = sorted((c for c in cities if c != capital), key=lambda c: -gd[c])[:2]
            else:
                backbone = []
            prov_depts = tuple(pname + s for s in (CITY_DEPTS if pname.endswith("市") else PROV_DEPTS))
            if capital is not None and capital in self.code_set:
                pg = PROVINCES.get(prov, ("", *_FALLBACK_PROVINCE))[1]
                vcpu = 48000.0 * min(1.0, max(0.25, pg / SD_GDP_2022))
                rows.append((f"GC-P-{capital}", f"{pname}政务云主节点", "provincial", capital, 0.03, 0.02,
                             float(np.round(vcpu / 500.0) * 500.0), prov_depts))
            for b in backbone:
                rows.append((f"GC-B-{b}", f"{self.name[b]}政务云骨干节点", "backbone", b, -0.03, 0.02, 16000.0,
                             prov_depts))
            if self.root_level != "country":
                for c in cities:
                    v = 3000.0 + 9000.0 * min(1.0, gd[c] / 15000.0)
                    rows.append((f"GC-C-{c}", f"{self.name[c]}政务云节点", "city", c, 0.0, 0.0,
                                 float(np.round(v / 500.0) * 500.0), self.dept_names(c)))
        if not rows:  # a lone county: host a node on the root itself so cloud tables are not empty
            rows.append((f"GC-C-{self.root}", f"{self.name[self.root]}政务云节点", "city", self.root, 0.0, 0.0,
                         2000.0, self.dept_names(self.root)))
        self.nodes = rows
        self.node_ids = [r[0] for r in rows]


# --------------------------------------------------------------------------- anomaly resolution


def planted_anomalies(regions: pd.DataFrame, *, _world: _World | None = None) -> list[dict]:
    """PLANTED_ANOMALIES resolved for this region tree (Shandong: the constant as is).

    A planted region outside the tree is replaced by a fixed rule: cities by GDP
    rank (skipping the capital and backbone cities), counties by a stable hash order,
    nodes = the city node of the chosen city (or a backbone node).
    """
    w = _world or _World(regions, 0)
    out = []
    counties = [c for c in w.leaves.tolist()]
    counties.sort(key=lambda c: float(_hash_u(7771, c)))
    special = {r[3] for r in w.nodes if r[2] in ("provincial", "backbone")}
    cities = [c for c in w.cities.tolist()]
    cities.sort(key=lambda c: -w.region_gdp.get(c, 0.0))
    city_pool = [c for c in cities if c not in special] + [c for c in cities if c in special] or [w.root]
    used_c: set[int] = set()
    used_l: set[int] = set()
    node_pool = [r for r in w.nodes if r[2] == "city" and r[3] not in special] + \
                [r for r in w.nodes if r[2] == "city" and r[3] in special] + \
                [r for r in w.nodes if r[2] == "backbone"] + [r for r in w.nodes if r[2] == "provincial"]
    used_n: set[str] = set()
    for a in PLANTED_ANOMALIES:
        a = dict(a)
        lvl = a["level"]
        reg = a["region"]
        if a.get("node_id"):
            nid = a["node_id"]
            if nid not in w.node_ids or nid in used_n:
                free = [r for r in node_pool if r[0] not in used_n] or node_pool
                r = free[0]
                nid, reg = r[0], r[3]
            used_n.add(nid)
            a["node_id"], a["region"] = nid, reg
        elif lvl == "county":
            if reg not in w.leaf_index or reg in used_l:
                free = [c for c in counties if c not in used_l] or counties
                reg = free[0]
            used_l.add(reg)
            a["region"] = reg
        elif lvl == "city":
            if reg not in w.code_set or w.level.get(reg) != "city" or reg in used_c:
                free = [c for c in city_pool if c not in used_c] or city_pool
                reg = free[0]
            used_c.add(reg)
            a["region"] = reg
        elif a["id"] == "api_success_drop":
            top = int(w.p_adcode[0])
            reg = top
            a["provider_dept"] = w.p_names[w.p_region_first[top] + MARKET_DEPT_NO]
            a["region"] = reg
        else:
            a["region"] = w.root
        a["region_name"] = w.name.get(a["region"], a["region_name"])
        out.append(a)
    return out


# --------------------------------------------------------------------------- statistics


def _month_index(y, m):
    return (np.asarray(y) - 1970) * 12 + np.asarray(m) - 1


STAT_MEASURES = (
    "gdp", "gdp_const", "industrial_va", "fai", "retail_sales", "online_retail", "budget_revenue",
    "tax_revenue", "trade_total", "power_use", "digital_core_va", "bigdata_industry", "firms_above_scale",
    "firms_digitalized", "population", "cpi", "unemployment_rate", "service_items", "service_items_online",
    "service_items_full_online", "ishandong_dau", "smart_communities", "smart_city_covered", "county_units",
    "env_monitor_points", "data_scenarios", "data_services_platform", "data_services_total",
    "income_pc",
)
NON_ADDITIVE = ("cpi", "unemployment_rate", "ishandong_dau")
# Non-additive, but given for every leaf (they roll up as weighted means).
LEAF_INTENSIVE = ("income_pc",)


def _seasonal(v):
    v = np.asarray(v, dtype=float)
    return v / v.sum()


# Monthly shares of the annual total; Jan and Feb are reported combined (1-2月) and split evenly.
SEAS_INDUSTRY = _seasonal([.074, .074, .085, .081, .084, .089, .080, .082, .088, .082, .087, .094])
SEAS_FAI = _seasonal([.035, .035, .080, .082, .090, .110, .085, .085, .100, .080, .090, .140])
SEAS_RETAIL = _seasonal([.080, .080, .080, .077, .083, .085, .080, .081, .085, .088, .085, .096])
SEAS_ONLINE = _seasonal([.065, .065, .075, .072, .080, .095, .075, .075, .080, .085, .125, .108])
SEAS_BUDGET = _seasonal([.115, .070, .085, .100, .085, .085, .090, .065, .070, .085, .070, .080])
SEAS_TRADE = _seasonal([.078, .069, .083, .082, .085, .084, .086, .085, .087, .080, .085, .096])
SEAS_QUARTER = _seasonal([0.228, 0.246, 0.251, 0.275])


class _Periods:
    def __init__(self, as_of: _dt.datetime):
        Y = as_of.year
        cur_m = _month_index(Y, as_of.month)
        m0 = _month_index(Y - 3, 1)
        mi = np.arange(m0, cur_m, dtype=np.int64)  # complete months
        self.month_idx = mi
        self.month_y = mi // 12 + 1970
        self.month_m = mi % 12 + 1
        self.month_day = mi.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
        self.month_t = (self.month_y - 2022) + (self.month_m - 6.5) / 12.0
        q = mi[(self.month_m - 1) % 3 == 0]
        q = q[q + 3 <= cur_m]
        self.q_idx = q
        self.q_y = q // 12 + 1970
        self.q_no = (q % 12) // 3
        self.q_day = q.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
        self.q_t = (self.q_y - 2022) + (self.q_no * 3 + 1.5 - 6.0) / 12.0
        d0 = (_dt.date(Y - 3, 1, 1) - _dt.date(1970, 1, 1)).days
        d1 = (as_of.date() - _dt.date(1970, 1, 1)).days  # today, exclusive
        self.days = np.arange(d0, d1, dtype=np.int64)
        dd = self.days.astype("datetime64[D]")
        self.day_y = dd.astype("datetime64[Y]").astype(np.int64) + 1970
        self.day_doy = (dd - dd.astype("datetime64[Y]").astype("datetime64[D]")).astype(np.int64) + 1
        self.day_wd = (self.days + 3) % 7  # 0 = Monday
        self.day_t = (self.days - _EPOCH_DAY_2022_07_02) / 365.25
        years = list(range(Y - 3, Y + (1 if as_of.month > 1 else 0)))
        self.years = np.array(years, dtype=np.int64)
        self.year_day = np.array([(_dt.date(y, 1, 1) - _dt.date(1970, 1, 1)).days for y in years], dtype=np.int64)
        # fraction of the year reported (YTD through the last complete month)
        self.year_frac_months = np.array([12 if y < Y else as_of.month - 1 for y in years], dtype=np.int64)


def _statistics(w: _World, seed: int, as_of: _dt.datetime) -> Iterator[tuple]:
    """(measure, adcodes, period epoch-days, values) per statistic measure."""
    P = _Periods(as_of)
    leaves = w.leaves
    L = w.L
    gdp22 = w.leaf_gdp
    pop22 = w.leaf_pop
    a = w.anom

    def mno(name):
        return 100 + STAT_MEASURES.index(name)

    def noise(name, pdays, sigma, salt=0):
        return 1.0 + sigma * _hash_n(seed, mno(name), salt, pdays[:, None], leaves[None, :])

    def rate(name, lo, hi):
        return lo + (hi - lo) * _hash_u(seed, mno(name), 77, leaves)

    def jitter(name):
        return _hash_u(seed, mno(name), 78, leaves)[None, :]

    def factor(salt, sigma):
        return np.exp(sigma * _hash_n(_REGION_SALT, 950 + salt, leaves))  # a region property

    def out(name, pdays, values):
        P_, L_ = values.shape
        return name, np.tile(leaves, P_), np.repeat(pdays, L_), values.ravel()

    def growth(g, t):
        return (1.0 + g)[None, :] ** t[:, None]

    county_of_city = {}
    for i, c in enumerate(w.leaf_city.tolist()):
        county_of_city.setdefault(c, []).append(i)

    def idx_of(code):
        if code in w.leaf_index:
            return [w.leaf_index[code]]
        return county_of_city.get(code, [])

    results = []
    # --- GDP (quarterly, current and constant prices)
    g_real = rate("gdp_const", 0.050, 0.058)
    real = (gdp22[None, :] * SEAS_QUARTER[P.q_no][:, None] * growth(g_real, P.q_t)
            * noise("gdp_const", P.q_day, 0.001))
    deflator = 1.003 ** P.q_t[:, None]
    results.append(out("gdp", P.q_day, real * deflator))
    results.append(out("gdp_const", P.q_day, real))
    dshare = rate("digital_core_va", 0.073, 0.082)[None, :] + 0.0013 * np.clip(P.q_t, 0, None)[:, None]
    results.append(out("digital_core_va", P.q_day, real * deflator * dshare))

    mt, md, mm = P.month_t, P.month_day, P.month_m - 1
    # Jan and Feb are published combined (1-2月) and split evenly: same trend point and noise.
    feb = P.month_m == 2
    mt_jf = np.where(feb, mt - 1.0 / 12.0, mt)
    md_jf = md.copy()
    md_jf[feb] = np.array([m - 1 for m in P.month_idx[feb]]).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    # --- industry
    g_ind = rate("industrial_va", 0.058, 0.072)
    for key in ("industrial_va_drop_1", "industrial_va_drop_2"):
        for i in idx_of(a[key]["region"]):
            g_ind[i] = -0.08
    ind_ratio = 0.28 * factor(1, 0.35)
    ind = gdp22[None, :] * ind_ratio[None, :] * SEAS_INDUSTRY[mm][:, None] * growth(g_ind, mt_jf) \
        * noise("industrial_va", md_jf, 0.002)
    results.append(out("industrial_va", md, ind))
    # --- investment
    g_fai = rate("fai", 0.039, 0.050)
    for i in idx_of(a["fai_drop"]["region"]):
        g_fai[i] = -0.12
    fai = gdp22[None, :] * 0.6 * factor(2, 0.25)[None, :] * SEAS_FAI[mm][:, None] * growth(g_fai, mt_jf) \
        * noise("fai", md_jf, 0.002)
    results.append(out("fai", md, fai))
    # --- consumption
    g_ret = rate("retail_sales", 0.050, 0.060)
    ret = gdp22[None, :] * 0.38 * factor(3, 0.2)[None, :] * SEAS_RETAIL[mm][:, None] * growth(g_ret, mt_jf) \
        * noise("retail_sales", md_jf, 0.002)
    results.append(out("retail_sales", md, ret))
    g_onl = rate("online_retail", 0.08, 0.12)
    onl = gdp22[None, :] * 0.065 * factor(4, 0.4)[None, :] * SEAS_ONLINE[mm][:, None] * growth(g_onl, mt) \
        * noise("online_retail", md, 0.006)
    results.append(out("online_retail", md, onl))
    # --- public finance
    g_bud = rate("budget_revenue", 0.033, 0.047)
    bud = gdp22[None, :] * 0.081 * factor(5, 0.25)[None, :] * SEAS_BUDGET[mm][:, None] * growth(g_bud, mt) \
        * noise("budget_revenue", md, 0.002)
    results.append(out("budget_revenue", md, bud))
    tshare = rate("tax_revenue", 0.68, 0.72)[None, :] * noise("tax_revenue", md, 0.006)
    results.append(out("tax_revenue", md, bud * tshare))
    # --- trade
    g_tr = rate("trade_total", 0.020, 0.040)
    tr = gdp22[None, :] * 0.38 * factor(6, 0.9)[None, :] * SEAS_TRADE[mm][:, None] * growth(g_tr, mt) \
        * noise("trade_total", md, 0.006)
    results.append(out("trade_total", md, tr))
    # --- firms
    firms = 34000.0 * (gdp22 * ind_ratio) / max((gdp22 * ind_ratio).sum(), 1e-9) * (w.root_pop / SD_POP_2022)
    firms_t = firms[None, :] * 1.03 ** mt[:, None] * noise("firms_above_scale", md, 0.004)
    firms_i = np.floor(firms_t + jitter("firms_above_scale"))
    firms_i = np.maximum(firms_i, 1)
    results.append(out("firms_above_scale", md, firms_i))
    dig = np.clip(0.665 + 0.012 * mt[:, None] + 0.03 * (2 * _hash_u(seed, 960, leaves)[None, :] - 1), 0.3, 0.95)
    results.append(out("firms_digitalized", md, np.minimum(np.floor(firms_i * dig + jitter("firms_digitalized")),
                                                           firms_i)))
    # --- population (万人)
    results.append(out("population", md, np.round(pop22[None, :] * 0.9985 ** mt[:, None], 2)))
    # --- per-capita disposable income (元, annualised): an intensive county figure that
    # only rolls up as a population-weighted mean. Shandong 2022: 37,560 元; richer
    # counties (GDP per head) earn more, less than proportionally.
    gdp_pc = gdp22 / np.maximum(pop22, 1e-9)
    rel = (gdp_pc / max(gdp22.sum() / max(pop22.sum(), 1e-9), 1e-9)) ** 0.45
    inc = 37560.0 * rel[None, :] * 1.052 ** mt[:, None] * noise("income_pc", md, 0.004)
    results.append(out("income_pc", md, np.round(inc, 0)))
    # --- government services
    items = np.floor(1100 + 500 * _hash_u(seed, 961, leaves))[None, :] * 1.02 ** np.floor(mt)[:, None]
    items = np.floor(items + jitter("service_items"))
    r_on = np.minimum(rate("service_items_online", 0.965, 0.985)[None, :] + 0.003 * np.clip(mt, 0, None)[:, None],
                      0.997)
    r_full = np.minimum(rate("service_items_full_online", 0.865, 0.915)[None, :]
                        + 0.008 * np.clip(mt, 0, None)[:, None], 0.945)
    for i in idx_of(a["online_service_low"]["region"]):
        r_on[:, i] = 0.85
        r_full[:, i] = 0.82
    results.append(out("service_items", md, items))
    results.append(out("service_items_online", md, np.floor(items * r_on + 0.5)))
    results.append(out("service_items_full_online", md, np.floor(items * r_full + 0.5)))
    popshare = pop22 / max(SD_POP_2022, 1e-9)
    tt = P.month_y + (P.month_m - 0.5) / 12.0
    comm_total = 7000.0 / (1.0 + np.exp(-0.738 * (tt - 2024.26)))
    results.append(out("smart_communities", md, np.floor(comm_total[:, None] * popshare[None, :]
                                                         + jitter("smart_communities"))))
    f_cov = np.clip(0.4 + 0.6 * (tt - 2020.0) / 5.5, 0, 1)
    u_cov = _hash_u(seed, 962, leaves)
    results.append(out("smart_city_covered", md, (u_cov[None, :] < f_cov[:, None]).astype(float)))
    results.append(out("county_units", md, np.ones((len(md), L))))
    env_total = np.minimum(9000.0 + 2000.0 * (tt - 2022.5), 18000.0)
    env_w = 0.5 * popshare + 0.5 * (w.root_pop / SD_POP_2022) * _hash_u(seed, 963, leaves) / max(
        _hash_u(seed, 963, leaves).sum(), 1e-9)
    results.append(out("env_monitor_points", md, np.floor(env_total[:, None] * env_w[None, :]
                                                          + jitter("env_monitor_points"))))
    gshare = gdp22 / SD_GDP_2022
    svc_total = 3.0e8 * 1.3 ** mt
    svc = np.floor(svc_total[:, None] * gshare[None, :] * factor(7, 0.3)[None, :] * noise("data_services_total", md, 0.02))
    plat = np.clip(0.30 + 0.11 * mt[:, None] + 0.04 * (2 * _hash_u(seed, 964, leaves)[None, :] - 1), 0.05, 0.92)
    results.append(out("data_services_total", md, svc))
    results.append(out("data_services_platform", md, np.floor(svc * plat)))

    # --- power use (daily, 万千瓦时)
    doy, wd, dt_ = P.day_doy, P.day_wd, P.day_t
    g_pw = rate("power_use", 0.044, 0.056)
    season = (1.0 + 0.07 * np.cos(2 * np.pi * (doy - 200) / 182.5) + 0.03 * np.cos(2 * np.pi * (doy - 205) / 365.0))
    week = np.where(wd == 5, 0.993, np.where(wd == 6, 0.99, 1.0))
    power_ann = 7.559e7 * (gdp22 / SD_GDP_2022) * factor(8, 0.35)
    pw_vals = (power_ann[None, :] / 365.0 * (season * week)[:, None] * growth(g_pw, dt_)
               * noise("power_use", P.days, 0.002))
    name, ad, pdays, vals = out("power_use", P.days, pw_vals)
    results.append((name, ad, pdays, vals))

    # --- year-to-date annual measures (period = Jan 1)
    frac = P.year_frac_months / 12.0
    yt = (P.years - 2022).astype(float)
    big_share = (gdp22 ** 1.3) / max((gdp22 ** 1.3).sum(), 1e-9) * (w.region_gdp.get(w.root, gdp22.sum()) / SD_GDP_2022)
    big = 1552.0 * 1.246 ** yt[:, None] * big_share[None, :] * frac[:, None]
    keep = P.year_frac_months > 0
    results.append(out("bigdata_industry", P.year_day[keep], big[keep]))
    sc_total = 560.0 * 1.1 ** yt
    sc_annual = np.floor(sc_total[:, None] * (0.5 * gshare + 0.5 * popshare)[None, :] + jitter("data_scenarios"))
    results.append(out("data_scenarios", P.year_day[keep], np.floor(sc_annual * frac[:, None] + 1e-9)[keep]))

    for name, ad, pdays, vals in results:
        yield name, ad, pdays, vals

    # --- non-additive: province and city (and country) level
    yield from _non_additive(w, seed, P)


def _non_additive(w: _World, seed: int, P: _Periods):
    a = w.anom
    cities = [c for c in w.cities.tolist()]
    # a region "is a city" for survey purposes if level city; provinces without cities get direct values
    base_regions = list(cities)
    provs = [c for c in w.provinces.tolist()]
    for p in provs:
        if not any(w.province_of(c) == p for c in cities):
            base_regions.append(p)
    if not base_regions and w.root_level in ("city", "province", "country"):
        base_regions = [w.root]
    base = np.array(sorted(base_regions), dtype=np.int64)
    popb = np.array([w.region_pop.get(c, 1.0) for c in base.tolist()])
    md = P.month_day
    tt = P.month_y + (P.month_m - 0.5) / 12.0
    # CPI
    cpi_base = 101.05 + 0.5 * np.sin(2 * np.pi * (tt - 2022.0) / 2.5)
    off = -0.1 + 0.55 * _hash_u(seed, 970, base)
    cpi = cpi_base[:, None] + off[None, :] + 0.05 * _hash_n(seed, 971, md[:, None], base[None, :])
    # unemployment
    seas_u = np.array([0.05, 0.15, 0.12, 0.05, 0.0, 0.0, 0.08, 0.06, 0.0, -0.05, -0.08, -0.1])[P.month_m - 1]
    uoff = -0.15 + 0.25 * _hash_u(seed, 972, base)
    une = 5.25 + seas_u[:, None] + uoff[None, :] + 0.03 * _hash_n(seed, 973, md[:, None], base[None, :])
    for j, c in enumerate(base.tolist()):
        if c == a["cpi_high"]["region"]:
            cpi[:, j] = 103.4 + 0.05 * _hash_n(seed, 974, md)
        if c == a["unemployment_high"]["region"]:
            une[:, j] = 6.3 + 0.5 * np.clip(seas_u, 0, None) + 0.02 * _hash_n(seed, 975, md)
    # DAU (万人): ~2.95% of residents in mid-2022, logistic growth
    dt_ = P.day_t
    dau_rate = (900.0 / (1.0 + 2.0 * np.exp(-0.45 * dt_))) / SD_POP_2022
    week = np.where(P.day_wd >= 5, 0.8, 1.0)
    dfac = np.exp(0.1 * _hash_n(seed, 976, base))
    dau = (popb * dfac)[None, :] * (dau_rate * week)[:, None] * (1 + 0.02 * _hash_n(seed, 977, P.days[:, None], base[None, :]))

    regions = [c for c in base.tolist()]
    series = {"cpi": cpi, "unemployment_rate": une, "ishandong_dau": dau}
    # aggregate upwards: provinces from their cities, country from provinces
    def agg(children_idx, kind):
        wts = popb[children_idx]
        out_ = {}
        for k, v in series.items():
            if k == "ishandong_dau":
                out_[k] = v[:, children_idx].sum(axis=1) * (0.96 if kind == "province" else 0.98)
            else:
                out_[k] = (v[:, children_idx] * wts[None, :]).sum(axis=1) / wts.sum()
        return out_

    extra_codes = []
    extra = {k: [] for k in series}
    for p in provs:
        if p in base.tolist():
            continue
        idx = [j for j, c in enumerate(base.tolist()) if w.province_of(c) == p]
        if not idx:
            continue
        r = agg(idx, "province")
        extra_codes.append(p)
        for k in series:
            extra[k].append(r[k])
    if w.root_level == "country":
        prov_idx = list(range(len(base)))
        r = agg(prov_idx, "country")
        extra_codes.append(w.root)
        for k in series:
            extra[k].append(r[k])
    codes = np.array(regions + extra_codes, dtype=np.int64)
    for k in ("cpi", "unemployment_rate", "ishandong_dau"):
        v = series[k]
        if extra_codes:
            v = np.hstack([v, np.stack(extra[k], axis=1)])
        pdays = P.days if k == "ishandong_dau" else md
        if k != "ishandong_dau":
            v = np.round(v, 2)
        else:
            v = np.round(v, 3)
        yield k, np.tile(codes, len(pdays)), np.repeat(pdays, len(codes)), v.ravel()


def _stat_chunks(w: _World, seed: int, as_of: _dt.datetime) -> Iterator[pa.Table]:
    for name, ad, pdays, vals in _statistics(w, seed, as_of):
        n = len(vals)
        for s in range(0, max(n, 1), MAX_CHUNK_ROWS):
            e = min(n, s + MAX_CHUNK_ROWS)
            if e <= s:
                break
            yield _table("statistic", {
                "adcode": ad[s:e].astype(np.int32), "period": _date(pdays[s:e]),
                "measure": _take([name], np.zeros(e - s, dtype=np.int32)),
                "value": np.asarray(vals[s:e], dtype=np.float64),
            })


# --------------------------------------------------------------------------- emergency

# (category, subtype, weight, monthly multipliers, unit suffix, title templates)
_SUBTYPES = [
    ("事故灾难", "道路交通", 0.25, [1.2, 1.3, 1, 1, 1, 1, 1, 1, 1, 1.1, 1.1, 1.3], "公安局交通警察大队",
     ["某国道路段两车相撞", "某高速路段多车追尾", "某路口货车侧翻", "某县道客车与货车碰撞"]),
    ("事故灾难", "火灾", 0.10, [1.5, 1.4, 1.1, 1, 0.9, 0.8, 0.8, 0.8, 0.9, 1, 1.2, 1.5], "消防救援大队",
     ["某居民楼发生火灾", "某仓库起火", "某商铺发生火情"]),
    ("事故灾难", "工贸", 0.08, [0.8] + [1] * 10 + [1.1], "应急管理局",
     ["某机械加工企业机械伤害", "某企业有限空间作业中毒窒息", "某冶金企业高温熔融金属喷溅"]),
    ("事故灾难", "建筑施工", 0.07, [0.5, 0.4, 1, 1.2, 1.2, 1.1, 1, 1, 1.1, 1.1, 1, 0.7], "住房城乡建设局",
     ["某在建工地塔吊倒塌", "某工地高处坠落", "某基坑局部坍塌"]),
    ("事故灾难", "危化品", 0.05, [1] * 12, "应急管理局",
     ["某化工企业危化品泄漏", "某危化品运输车辆侧翻泄漏", "某化工园区储罐区火情"]),
    ("事故灾难", "煤矿/非煤矿山", 0.03, [1] * 12, "应急管理局",
     ["某煤矿井下透水", "某非煤矿山边坡坍塌", "某尾矿库坝体渗漏"]),
    ("事故灾难", "大面积停电", 0.03, [1.2, 1, 0.8, 0.8, 0.9, 1.2, 1.6, 1.5, 0.9, 0.8, 0.9, 1.2], "供电中心",
     ["部分区域大面积停电", "某变电站故障导致大面积停电"]),
    ("自然灾害", "森林火灾", 0.05, [1.5, 1.8, 2.5, 2.5, 1.5, 0.5, 0.2, 0.2, 0.4, 0.8, 1.2, 1.4], "应急管理局",
     ["某山林发生森林火情", "某林场起火"]),
    ("自然灾害", "防汛抗旱", 0.04, [0.2, 0.2, 0.3, 0.4, 0.8, 1.8, 3.0, 3.0, 1.2, 0.4, 0.2, 0.2], "水利局",
     ["某河段水位超警戒", "某水库超汛限水位", "旱情导致农田缺水"]),
    ("自然灾害", "地质灾害", 0.03, [0.3, 0.3, 0.5, 0.6, 0.9, 1.5, 2.5, 2.5, 1.2, 0.6, 0.3, 0.3], "自然资源局",
     ["某村山体滑坡", "某路段崩塌落石", "某村地面塌陷"]),
    ("自然灾害", "城市内涝", 0.04, [0.1, 0.1, 0.2, 0.4, 0.8, 2.0, 3.5, 3.0, 1.0, 0.3, 0.1, 0.1], "城市管理局",
     ["某路段积水内涝", "某下穿隧道积水", "某小区地下车库进水"]),
    ("自然灾害", "气象灾害", 0.03, [1.5, 1.2, 0.8, 0.8, 1, 1.2, 1.2, 1, 0.8, 0.8, 1, 1.5], "应急管理局",
     ["遭受冰雹灾害", "大风导致树木倒伏", "暴雪致道路结冰"]),
    ("公共卫生", "传染病疫情", 0.04, [1.5, 1.5, 1.2, 1, 0.8, 0.8, 0.9, 0.9, 0.9, 1, 1.2, 1.5], "卫生健康局",
     ["某学校聚集性发热病例", "某单位聚集性呼吸道感染"]),
    ("公共卫生", "食品安全", 0.03, [0.7, 0.8, 0.8, 0.9, 1.1, 1.3, 1.5, 1.5, 1.1, 0.9, 0.8, 0.7], "市场监管局",
     ["某餐馆疑似食物中毒", "某学校食堂疑似食源性疾病"]),
    ("公共卫生", "职业中毒", 0.01, [1] * 12, "卫生健康局", ["某企业疑似职业中毒"]),
    ("社会安全", "景区客流", 0.06, [0.8, 1.2, 0.8, 1.2, 1.6, 0.9, 1.3, 1.3, 0.8, 1.8, 0.6, 0.5], "文化和旅游局",
     ["某景区客流超过最大承载量", "某景区游客滞留"]),
    ("社会安全", "大型活动", 0.03, [1] * 12, "公安局", ["某大型活动现场人员聚集", "某体育场馆散场拥堵"]),
    ("社会安全", "网络安全", 0.03, [1] * 12, "公安局网络安全保卫大队",
     ["某政务网站遭受网络攻击", "某单位信息系统感染勒索病毒"]),
]
_SUB_W = np.array([s[2] for s in _SUBTYPES])
_SUB_MONTH = np.array([s[3] for s in _SUBTYPES], dtype=float)  # (S, 12)
_TEMPLATES = [(si, t) for si, s in enumerate(_SUBTYPES) for t in s[5]]
_TPL_OFFSET = np.cumsum([0] + [len(s[5]) for s in _SUBTYPES])
_DEADLINE_H = np.array([0, 360, 168, 72, 24], dtype=np.int64)  # by severity
EVENT_HISTORY_DAYS = 365


class _Ctx:
    """One generate() call: the world, the clock, per-county behaviour and the row budget."""

    def __init__(self, regions, geo_dir, seed, scale, as_of):
        if as_of.tzinfo is not None:
            from zoneinfo import ZoneInfo
            as_of = as_of.astimezone(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
        self.as_of = as_of
        self.seed = int(seed) & 0x7FFFFFFFFFFFFFFF
        self.scale = float(scale)
        self.geo_dir = Path(geo_dir)
        self.w = _World(regions, self.seed)
        self.now_us = (as_of - _EPOCH) // _dt.timedelta(microseconds=1)
        self.today = (as_of.date() - _dt.date(1970, 1, 1)).days
        w = self.w
        # per-leaf behaviour
        L = w.L
        lv = w.leaves
        self.ev_weight = w.leaf_pop * np.exp(0.3 * _hash_n(self.seed, 980, lv))
        self.resp_median = 11.0 + 5.0 * _hash_u(self.seed, 981, lv)  # minutes
        self.ev_ontime = 0.925 + 0.04 * _hash_u(self.seed, 982, lv)
        self.wo_ontime = 0.965 + 0.025 * _hash_u(self.seed, 983, lv)
        self.wo_sat = 0.935 + 0.035 * _hash_u(self.seed, 984, lv)
        a = w.anom
        i = w.leaf_index.get(a["emergency_response_slow"]["region"])
        if i is not None:
            self.resp_median[i] = 50.0
            self.ev_weight[i] *= 2.0
        i = w.leaf_index.get(a["emergency_ontime_low"]["region"])
        if i is not None:
            self.ev_ontime[i] = 0.70
            self.ev_weight[i] *= 2.0
        self.wo_weight = w.leaf_pop.copy()
        i = w.leaf_index.get(a["hotline_ontime_low"]["region"])
        if i is not None:
            self.wo_ontime[i] = 0.76  # ~0.80 among closed orders (late ones close later)
            self.wo_weight[i] *= 4.0  # a big district: many orders, so the rate is visible daily
        self.ev_p = self.ev_weight / self.ev_weight.sum() if L else np.zeros(0)
        self.wo_p = self.wo_weight / self.wo_weight.sum() if L else np.zeros(0)
        self._budget()

    def _budget(self):
        w = self.w
        n_na = len(w.cities) + len(w.provinces) + (1 if w.root_level == "country" else 0)
        est_stat = 3.5 * (w.L * 607 + max(n_na, 1) * 389)
        size = w.popf ** 0.6
        self.ev_rate = 50.0 * w.popf
        self.catalog_month = 55.0 * size
        self.req_rate = 90.0 * size
        self.obj_rate = 14.0 * size
        n_nodes = len(w.nodes)
        est_fixed = (est_stat + 365 * self.ev_rate + 5600 * w.popf + self.catalog_month * 96
                     + 365 * (self.req_rate + self.obj_rate) + n_nodes * 700 + n_nodes * 35)
        R = max(0.0, self.scale * 1e6 - est_fixed)
        self.series = sum(len(n[7]) for n in w.nodes)
        per_day = self.series * 288
        self.cloud_days = int(max(2, round(0.55 * R / max(per_day, 1))))
        # A few days more than the sharing screen's 30-day window (queries/windows.py):
        # the window's first day must cut the data for tests to see where it lies.
        self.api_days = 35
        self.api_rate = max(2000.0 * min(1.0, w.popf ** 0.5), 0.33 * R / self.api_days)
        self.wo_days = int(np.clip(round(45 * max(self.scale, 1e-9) ** 0.35), 30, 365))
        self.wo_rate = max(1000.0 * w.popf, 0.12 * R / self.wo_days)

    def day_start(self, d: int) -> int:
        return int(d) * DAY


# ---- points inside counties (pool sampled once per geography, cached)
_POOL_CACHE: dict = {}


def _geo_stamp(geo_dir: Path) -> int:
    try:
        return max((e.stat().st_mtime_ns for e in os.scandir(geo_dir)), default=0)
    except OSError:
        return 0


def _point_pool(ctx: _Ctx, salt: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    from pipeline.geo import sample_points

    leaves = ctx.w.leaves
    key = (str(ctx.geo_dir), _geo_stamp(ctx.geo_dir), ctx.seed, salt, k, hash(leaves.tobytes()))
    hit = _POOL_CACHE.get(key)
    if hit is None:
        rng = np.random.default_rng([ctx.seed, TABLE_NO["emergency_event"], 424242, salt])
        lon, lat = sample_points(ctx.geo_dir, np.repeat(leaves, k), rng)
        hit = (np.asarray(lon, dtype=float).reshape(len(leaves), k), np.asarray(lat, dtype=float).reshape(len(leaves), k))
        if len(_POOL_CACHE) > 8:
            _POOL_CACHE.clear()
        _POOL_CACHE[key] = hit
    return hit


def _events(ctx: _Ctx) -> Iterator[pa.Table]:
    w, seed = ctx.w, ctx.seed
    if w.L == 0:
        yield _empty("emergency_event")
        return
    k = int(np.clip(60000 // max(w.L, 1), 32, 256))
    plon, plat = _point_pool(ctx, 1, k)
    parts = []
    for d in range(ctx.today - EVENT_HISTORY_DAYS + 1, ctx.today + 1):
        rng = _rng(seed, "emergency_event", d)
        month = int(np.datetime64(d, "D").astype("datetime64[M]").astype(np.int64) % 12)
        sw = _SUB_W * _SUB_MONTH[:, month]
        sub_cum = np.cumsum(sw) / sw.sum()
        n = int(rng.poisson(ctx.ev_rate))
        leaf = rng.choice(w.L, size=n, p=ctx.ev_p)
        tod = _diurnal_times(rng, n, _EVENT_HOURS)
        sub = np.minimum(np.searchsorted(sub_cum, rng.random(n), side="right"), len(_SUBTYPES) - 1)
        us = rng.random(n)
        sev = np.where(us < 0.0002, 1, np.where(us < 0.0045, 2, np.where(us < 0.07, 3, 4)))
        resp = ctx.resp_median[leaf] * np.exp(0.45 * rng.standard_normal(n))
        resp = np.where(sev <= 2, resp * 0.6, resp)
        hand = 7.0 * np.exp(0.8 * rng.standard_normal(n)) * np.where(sev == 3, 2.5, np.where(sev <= 2, 6.0, 1.0))
        ontime = rng.random(n) < ctx.ev_ontime[leaf]
        late_h = rng.exponential(36.0, n) + np.where(rng.random(n) < 0.2, rng.exponential(96.0, n), 0.0)
        fit = rng.uniform(0.55, 0.97, n)
        tpl_r = rng.random(n)
        rep_null = rng.random(n) < 0.2
        pool_i = rng.integers(0, k, n)
        # planted: one severity-2 event every other day, long to close (at least one always open)
        if d % 2 == 0:
            leaf = np.append(leaf, rng.choice(w.L, p=ctx.ev_p))
            tod = np.append(tod, _diurnal_times(rng, 1, _EVENT_HOURS))
            major = [i for i, s in enumerate(_SUBTYPES) if s[1] in ("危化品", "煤矿/非煤矿山", "防汛抗旱", "地质灾害",
                                                                      "森林火灾", "道路交通")]
            sub = np.append(sub, major[int(rng.integers(0, len(major)))])
            sev = np.append(sev, 2)
            resp = np.append(resp, rng.uniform(6, 15))
            hand = np.append(hand, rng.uniform(100, 160))
            ontime = np.append(ontime, True)
            late_h = np.append(late_h, 0.0)
            fit = np.append(fit, 1.0)
            tpl_r = np.append(tpl_r, rng.random())
            rep_null = np.append(rep_null, False)
            pool_i = np.append(pool_i, rng.integers(0, k))
            n += 1
        if n == 0:
            continue
        order = np.argsort(tod, kind="stable")
        rep = ctx.day_start(d) + tod
        resp_us = np.round(resp * 60) .astype(np.int64) * SEC
        responded = rep + resp_us
        deadline = rep + _DEADLINE_H[sev] * HOUR
        natural = responded + np.round(hand * 3600).astype(np.int64) * SEC
        late_close = deadline + np.round(late_h * 3600).astype(np.int64) * SEC + 60 * SEC
        ontime_close = np.where(natural <= deadline, natural,
                                responded + ((deadline - responded) * fit).astype(np.int64))
        ontime_close = np.maximum(ontime_close, responded + 10 * MIN)
        closed = np.where(ontime, np.minimum(ontime_close, deadline), np.maximum(late_close, responded + HOUR))
        n_tpl = (_TPL_OFFSET[sub + 1] - _TPL_OFFSET[sub])
        tpl = _TPL_OFFSET[sub] + np.minimum((tpl_r * n_tpl).astype(np.int64), n_tpl - 1)
        seq = np.arange(n)
        inv = np.empty(n, dtype=np.int64)
        inv[order] = seq
        ymd = int(str(np.datetime64(d, "D")).replace("-", ""))
        parts.append({
            "event_id": _ids("E", ymd * 10000 + inv, 12),
            "sub": sub, "sev": sev, "leaf": leaf, "lon": plon[leaf, pool_i], "lat": plat[leaf, pool_i],
            "rep": rep, "responded": responded, "closed": closed, "deadline": deadline, "tpl": tpl,
            "rep_null": rep_null, "phone": _masked_phone(rng, n), "rname": _masked_name(rng, n),
        })
    c = _concat(parts)
    if not c:
        yield _empty("emergency_event")
        return
    c = _filter(c, c["rep"] <= ctx.now_us)
    n = len(c["rep"])
    leaf, sub, sev = c["leaf"], c["sub"], c["sev"]
    cat_labels = [s[0] for s in _SUBTYPES]
    sub_labels = [s[1] for s in _SUBTYPES]
    leaf_names = pa.array(w.leaf_names, type=pa.string())
    city_names = pa.array(w.leaf_city_name, type=pa.string())
    county_name = _take(leaf_names, leaf)
    unit_suf = _take([s[4] for s in _SUBTYPES], sub)
    major = sev <= 2
    unit = _cat(pc.if_else(pa.array(major), _take(city_names, leaf), county_name),
                pc.if_else(pa.array(major), pa.scalar("应急管理局"), unit_suf))
    title = _cat(county_name, _take([t for _, t in _TEMPLATES], c["tpl"]))
    reporter = _cat(c["rname"], pa.scalar(" "), c["phone"])
    reporter = pc.if_else(pa.array(c["rep_null"]), pa.scalar(None, pa.string()), reporter)
    yield _table("emergency_event", {
        "event_id": c["event_id"], "category": _take(cat_labels, sub), "subtype": _take(sub_labels, sub),
        "severity": sev.astype(np.int16), "adcode": w.leaves[leaf].astype(np.int32),
        "lon": c["lon"], "lat": c["lat"], "reported_at": _ts(c["rep"]),
        "responded_at": _ts(c["responded"], mask=c["responded"] > ctx.now_us),
        "closed_at": _ts(c["closed"], mask=c["closed"] > ctx.now_us),
        "deadline_at": _ts(c["deadline"]), "unit": unit, "title": title, "reporter": reporter,
    })


# ---- resources
_RESOURCES = {
    "risk_point": (["地质灾害隐患点", "防汛重点部位", "城市易涝点", "森林防火重点区", "危桥险路", "人员密集场所",
                    "有限空间作业点"], [0.02, 0.08, 0.30, 0.60], 4000),
    "hazard_source": (["化工园区", "尾矿库", "非煤矿山", "煤矿", "危化品储罐区", "油气长输管道",
                       "烟花爆竹仓库"], [0.05, 0.15, 0.35, 0.45], 700),
    "warehouse": (["县级应急物资储备库", "乡镇应急物资储备点", "市级应急物资储备库"], None, 250),
    "rescue_team": (["综合性消防救援队", "矿山救护队", "危化品救援队", "森林消防队", "水上搜救队",
                     "社会应急力量", "电力抢修队"], None, 600),
}


def _resources(ctx: _Ctx) -> pa.Table:
    w, seed = ctx.w, ctx.seed
    if w.L == 0:
        return _empty("emergency_resource")
    rng = _rng(seed, "emergency_resource", 0)
    share = w.leaf_pop / SD_POP_2022
    ind = np.exp(0.5 * _hash_n(seed, 990, w.leaves))
    kinds, leaves_l, subs, grades, caps = [], [], [], [], []
    for kno, (kind, (sublist, gp, total)) in enumerate(_RESOURCES.items()):
        lam = total * share * (ind if kind in ("hazard_source", "risk_point") else 1.0)
        base = {"warehouse": 1, "rescue_team": 2}.get(kind, 0)
        cnt = rng.poisson(lam) + base
        leaf = np.repeat(np.arange(w.L), cnt)
        n = len(leaf)
        sub = rng.integers(0, len(sublist), n)
        if kind == "warehouse":
            sub = np.where(rng.random(n) < 0.5, 0, np.where(rng.random(n) < 0.85, 1, 2))
            cap = np.round(np.where(sub == 2, rng.uniform(50000, 200000, n),
                                    np.where(sub == 0, rng.uniform(8000, 50000, n), rng.uniform(500, 5000, n))))
            grade = np.full(n, -1)
        elif kind == "rescue_team":
            cap = np.round(np.clip(rng.lognormal(np.log(45), 0.6, n), 12, 400))
            grade = np.full(n, -1)
        else:
            cap = np.full(n, np.nan)
            grade = 1 + np.searchsorted(np.cumsum(gp), rng.random(n), side="right")
            grade = np.minimum(grade, 4)
        kinds.append(np.full(n, kno))
        leaves_l.append(leaf)
        subs.append(sub)
        grades.append(grade)
        caps.append(cap)
    kind = np.concatenate(kinds)
    leaf = np.concatenate(leaves_l)
    sub = np.concatenate(subs)
    grade = np.concatenate(grades)
    cap = np.concatenate(caps)
    n = len(kind)
    from pipeline.geo import sample_points
    lon, lat = sample_points(ctx.geo_dir, w.leaves[leaf], np.random.default_rng([seed, TABLE_NO["emergency_resource"], 7]))
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    # periodic review: updated_at = latest review not after as_of
    period_d = np.array([30, 90, 180])[rng.integers(0, 3, n)]
    phase = (_dt.date(2020, 1, 1) - _dt.date(1970, 1, 1)).days * DAY + (rng.random(n) * period_d).astype(np.int64) * DAY \
        + rng.integers(8 * 3600, 18 * 3600, n).astype(np.int64) * SEC
    P = period_d.astype(np.int64) * DAY
    updated = phase + np.floor_divide(ctx.now_us - phase, P) * P
    # names: county + subtype + serial within (county, kind)
    kind_labels = list(_RESOURCES)
    sub_flat = [s for k in _RESOURCES.values() for s in k[0]]
    sub_off = np.cumsum([0] + [len(k[0]) for k in _RESOURCES.values()])
    sub_g = sub_off[kind] + sub
    serial = pd.Series(np.ones(n)).groupby([leaf, kind]).cumsum().to_numpy().astype(np.int64)
    name = _cat(_take(w.leaf_names, leaf), _take(sub_flat, sub_g), pa.scalar("-"),
                _ids("", serial, 3))
    prefix = np.array([ord(c) for c in "RHWT"], dtype=np.uint8)[kind]
    rid = _ascii(np.hstack([prefix[:, None], _digits(np.arange(n), 6)]))
    return _table("emergency_resource", {
        "resource_id": rid, "kind": _take(kind_labels, kind), "name": name, "subtype": _take(sub_flat, sub_g),
        "grade": pa.array(grade.astype(np.int16), mask=grade < 0, type=pa.int16()),
        "adcode": w.leaves[leaf].astype(np.int32), "lon": lon, "lat": lat,
        "capacity": pa.array(cap, mask=np.isnan(cap), type=pa.float64()), "updated_at": _ts(updated),
    })


# ---- 12345 work orders
_TOPICS = [("城市管理", "城市管理局", 0.16), ("住房保障", "住房城乡建设局", 0.07), ("物业管理", "住房城乡建设局", 0.09),
           ("交通出行", "交通运输局", 0.08), ("劳动社保", "人力资源社会保障局", 0.10), ("教育", "教育和体育局", 0.06),
           ("医疗卫生", "卫生健康局", 0.06), ("市场监管", "市场监督管理局", 0.10), ("生态环境", "生态环境分局", 0.05),
           ("供水供电供气", "城市管理局", 0.08), ("公安交管", "公安局", 0.05), ("农业农村", "农业农村局", 0.04),
           ("民政服务", "民政局", 0.03), ("自然资源", "自然资源局", 0.03)]
_TOPIC_P = np.array([t[2] for t in _TOPICS]) / sum(t[2] for t in _TOPICS)
_CHANNELS = ("电话", "网站", "APP", "微信")
_CHANNEL_P = np.array([0.60, 0.10, 0.15, 0.15])
_ORDER_CATS = ("咨询", "求助", "投诉举报", "建议")
_ORDER_CAT_P = np.array([0.40, 0.20, 0.30, 0.10])
_ORDER_DUE_H = np.array([24, 72, 168, 360], dtype=np.int64)


def _work_orders(ctx: _Ctx) -> Iterator[pa.Table]:
    w, seed = ctx.w, ctx.seed
    if w.L == 0:
        yield _empty("work_order")
        return
    leaf_names = pa.array(w.leaf_names, type=pa.string())
    parts, rows = [], 0
    for d in range(ctx.today - ctx.wo_days + 1, ctx.today + 1):
        rng = _rng(seed, "work_order", d)
        wd = (d + 3) % 7
        n = int(rng.poisson(ctx.wo_rate * (0.8 if wd >= 5 else 1.05)))
        if n == 0:
            continue
        tod = np.sort(_diurnal_times(rng, n, _HOTLINE_HOURS))
        leaf = rng.choice(w.L, size=n, p=ctx.wo_p)
        ch = rng.choice(4, size=n, p=_CHANNEL_P)
        cat = rng.choice(4, size=n, p=_ORDER_CAT_P)
        top = rng.choice(len(_TOPICS), size=n, p=_TOPIC_P)
        created = ctx.day_start(d) + tod
        due = created + _ORDER_DUE_H[cat] * HOUR
        ontime = rng.random(n) < ctx.wo_ontime[leaf]
        frac = rng.beta(1.3, 3.0, n) * 0.97 + 0.01
        late = rng.exponential(20.0, n) + 0.5
        closed = np.where(ontime, created + ((due - created) * frac).astype(np.int64),
                          due + (late * HOUR).astype(np.int64))
        closed = closed // SEC * SEC
        rated = rng.random(n) < 0.6
        sat = rng.random(n) < ctx.wo_sat[leaf]
        anon = rng.random(n) < 0.08
        if parts and rows + n > STRING_CHUNK_ROWS:
            yield _wo_table(ctx, _concat(parts), leaf_names)
            parts, rows = [], 0
        ymd = int(str(np.datetime64(d, "D")).replace("-", ""))
        parts.append({"order_id": _ids("W", ymd * 1_000_000 + np.arange(n), 14), "created": created, "leaf": leaf,
                      "ch": ch, "cat": cat, "top": top, "due": due, "closed": closed, "rated": rated, "sat": sat,
                      "anon": anon, "caller": _masked_name(rng, n), "phone": _masked_phone(rng, n)})
        rows += n
    if parts:
        yield _wo_table(ctx, _concat(parts), leaf_names)
    else:
        yield _empty("work_order")


def _wo_table(ctx: _Ctx, c: dict, leaf_names: pa.Array) -> pa.Table:
    c = _filter(c, c["created"] <= ctx.now_us)
    closed_ok = c["closed"] <= ctx.now_us
    anon = pa.array(c["anon"])
    return _table("work_order", {
        "order_id": c["order_id"], "created_at": _ts(c["created"]), "adcode": ctx.w.leaves[c["leaf"]].astype(np.int32),
        "channel": _take(_CHANNELS, c["ch"]), "category": _take(_ORDER_CATS, c["cat"]),
        "topic": _take([t[0] for t in _TOPICS], c["top"]),
        "department": _cat(_take(leaf_names, c["leaf"]), _take([t[1] for t in _TOPICS], c["top"])),
        "caller": pc.if_else(anon, pa.scalar(None, pa.string()), c["caller"]),
        "phone": pc.if_else(anon, pa.scalar(None, pa.string()), c["phone"]),
        "due_at": _ts(c["due"]), "closed_at": _ts(c["closed"], mask=~closed_ok),
        "satisfied": pa.array(c["sat"], mask=~(closed_ok & c["rated"]), type=pa.bool_()),
    })


# ---- cloud
def _cloud_nodes(ctx: _Ctx) -> pa.Table:
    w = ctx.w
    rows = w.nodes
    lon = [w.lon.get(r[3], w.lon[w.root]) + r[4] for r in rows]
    lat = [w.lat.get(r[3], w.lat[w.root]) + r[5] for r in rows]
    vcpu = np.array([r[6] for r in rows])
    return _table("cloud_node", {
        "node_id": [r[0] for r in rows], "name": [r[1] for r in rows], "tier": [r[2] for r in rows],
        "adcode": np.array([r[3] for r in rows], dtype=np.int32), "lon": np.array(lon), "lat": np.array(lat),
        "vcpu_total": vcpu, "mem_total_gb": vcpu * 4.0, "storage_total_tb": np.round(vcpu * 0.12, 1),
        "racks": np.round(vcpu / 40.0).astype(np.int32),
    })


class _CloudSeries:
    """One series per (node, tenant department), with stable per-series parameters."""

    def __init__(self, ctx: _Ctx):
        w, seed = ctx.w, ctx.seed
        node_idx, dept, names = [], [], []
        for ni, r in enumerate(w.nodes):
            for k, nm in enumerate(r[7]):
                node_idx.append(ni)
                dept.append(k)
                names.append(nm)
        self.node = np.array(node_idx, dtype=np.int64)
        self.dept = np.array(dept, dtype=np.int64)
        self.dept_names = pa.array(names, type=pa.string())
        self.node_ids = pa.array([r[0] for r in w.nodes], type=pa.string())
        S = len(self.node)
        key = np.arange(S) * 131 + self.node * 7919
        share = np.exp(0.5 * _hash_n(seed, 1001, key)) * _DEPT_WEIGHT[self.dept]
        tot = np.bincount(self.node, weights=share)
        share = share / tot[self.node]
        vcpu_total = np.array([r[6] for r in w.nodes])[self.node]
        a = w.anom
        over = np.array([r[0] == a["cloud_vcpu_overload"]["node_id"] for r in w.nodes])[self.node]
        self.over = over
        alloc_ratio = np.where(over, 0.985, 0.80)
        self.vcpu_alloc = np.round(vcpu_total * alloc_ratio * share, 1)
        self.mem_alloc = np.round(vcpu_total * 4.0 * 0.85 * share, 1)
        self.sto_alloc = np.round(vcpu_total * 0.12 * 0.90 * share, 3)
        self.base = np.where(over, 0.945, 0.47 + 0.06 * _hash_u(seed, 1002, key))
        self.amp = np.where(over, 0.02, 0.30 + 0.06 * _hash_u(seed, 1003, key))
        self.mbase = 0.55 + 0.05 * _hash_u(seed, 1004, key)
        self.sphase = _hash_u(seed, 1005, key) * 90.0
        self.avail_node = np.array([r[0] == a["cloud_availability_low"]["node_id"] for r in w.nodes])
        self.S = S


_K = np.arange(288)
_H = _K / 12.0
_SHAPE = np.minimum(1.0, np.exp(-((_H - 10.5) / 2.2) ** 2) + 0.9 * np.exp(-((_H - 15.5) / 2.5) ** 2))


def _cloud_samples(ctx: _Ctx) -> Iterator[pa.Table]:
    cs = _CloudSeries(ctx)
    S = cs.S
    if S == 0:
        yield _empty("cloud_sample")
        return
    per_day = S * 288
    days_per_chunk = max(1, MAX_CHUNK_ROWS // per_day)
    first = ctx.today - ctx.cloud_days + 1
    days = list(range(first, ctx.today + 1))
    yielded = False
    for s in range(0, len(days), days_per_chunk):
        parts = [_cloud_day(ctx, cs, d) for d in days[s:s + days_per_chunk]]
        parts = [p for p in parts if p is not None]
        if not parts:
            continue
        c = _concat(parts)
        n = len(c["ts"])
        yield _table("cloud_sample", {
            "ts": _ts(c["ts"]), "node_id": _take(cs.node_ids, cs.node[c["series"]]),
            "department": _take(cs.dept_names, c["series"]),
            "vcpu_alloc": cs.vcpu_alloc[c["series"]], "vcpu_used": c["vcpu_used"],
            "mem_alloc_gb": cs.mem_alloc[c["series"]], "mem_used_gb": c["mem_used"],
            "storage_alloc_tb": cs.sto_alloc[c["series"]], "storage_used_tb": c["sto_used"],
            "available": c["available"],
        })
        yielded = yielded or n > 0
    if not yielded:
        yield _empty("cloud_sample")


def _cloud_day(ctx: _Ctx, cs: _CloudSeries, d: int):
    rng = _rng(ctx.seed, "cloud_sample", d)
    S = cs.S
    start = ctx.day_start(d)
    n_k = 288
    if start + 287 * 5 * MIN > ctx.now_us:
        n_k = int((ctx.now_us - start) // (5 * MIN)) + 1
        if n_k <= 0:
            return None
    wd = (d + 3) % 7
    wk = 0.35 if wd >= 5 else 1.0
    shape = _SHAPE[:, None] * wk
    u = cs.base[None, :] + cs.amp[None, :] * shape + rng.normal(0, 0.02, (288, S)) * np.where(cs.over, 0.25, 1.0)
    u = np.clip(u, 0.05, 0.985)
    vcpu_used = np.round(cs.vcpu_alloc[None, :] * u, 2)
    mu = np.clip(cs.mbase[None, :] + 0.22 * shape + rng.normal(0, 0.01, (288, S)), 0.05, 0.98)
    mem_used = np.round(cs.mem_alloc[None, :] * mu, 2)
    saw = ((d + cs.sphase) % 90.0) / 90.0
    su = 0.62 + 0.14 * saw[None, :] + 0.0004 * (_K[:, None] / 288.0) + rng.normal(0, 0.001, (288, S))
    sto_used = np.round(cs.sto_alloc[None, :] * su, 4)
    avail = np.ones((288, S), dtype=bool)
    if cs.avail_node.any():
        # planted: at the top of every hour one tenant of the node (in turn) misses a sample:
        # ~99.3% availability in every hour, so in any recent window
        cols = np.nonzero(cs.avail_node[cs.node])[0]
        hours = np.arange(24)
        avail[hours * 12, cols[(hours + d * 24) % len(cols)]] = False
    n = n_k * S
    return {
        "ts": np.repeat(start + _K[:n_k].astype(np.int64) * 5 * MIN, S),
        "series": np.tile(np.arange(S), n_k),
        "vcpu_used": vcpu_used[:n_k].ravel(), "mem_used": mem_used[:n_k].ravel(),
        "sto_used": sto_used[:n_k].ravel(), "available": avail[:n_k].ravel(),
    } if n else None


def _cloud_energy(ctx: _Ctx) -> pa.Table:
    w, seed = ctx.w, ctx.seed
    d0 = (_dt.date(ctx.as_of.year - 1, 1, 1) - _dt.date(1970, 1, 1)).days
    days = np.arange(d0, ctx.today, dtype=np.int64)
    N = len(w.nodes)
    racks = np.round(np.array([r[6] for r in w.nodes]) / 40.0)
    key = np.arange(N)
    base_pue = 1.27 + 0.05 * _hash_u(seed, 1101, key)
    pue_node = np.array([r[0] == w.anom["cloud_pue_high"]["node_id"] for r in w.nodes])
    base_pue = np.where(pue_node, 1.47, base_pue)
    dd = days.astype("datetime64[D]")
    doy = (dd - dd.astype("datetime64[Y]").astype("datetime64[D]")).astype(np.int64) + 1
    summer = np.clip(np.cos(2 * np.pi * (doy - 205) / 365.0), 0, None)
    it, fac = [], []
    for d in days.tolist():
        rng = _rng(seed, "cloud_energy", d)
        it.append(racks * 4.6 * 24 * (0.92 + 0.05 * rng.random(N)))
        fac.append(rng.normal(0, 0.004, N))
    it = np.array(it).reshape(len(days), N)
    noise = np.array(fac).reshape(len(days), N)
    pue = base_pue[None, :] + 0.04 * summer[:, None] + noise
    return _table("cloud_energy", {
        "day": _date(np.repeat(days, N)), "node_id": _take([r[0] for r in w.nodes], np.tile(key, len(days))),
        "it_kwh": np.round(it.ravel(), 1), "facility_kwh": np.round((it * pue).ravel(), 1),
    })


_SYSTEM_SUFFIX = ("业务管理系统", "数据共享平台", "综合办公平台", "监管平台", "公共服务平台", "审批系统",
                  "指挥调度系统", "电子证照系统", "视频监控平台", "信用信息系统", "数据分析平台", "门户网站",
                  "移动办公应用", "档案管理系统", "统一身份认证系统")


def _cloud_systems(ctx: _Ctx) -> pa.Table:
    w, seed = ctx.w, ctx.seed
    tiers = np.array([{"provincial": 4.0, "backbone": 2.0, "city": 1.0}[r[2]] for r in w.nodes])
    p_node = tiers / tiers.sum()
    lam = 0.3 * len(w.nodes) * tiers.mean()
    m0 = _month_index(2018, 1)
    m1 = _month_index(ctx.as_of.year, ctx.as_of.month)
    parts = []
    for m in range(m0, m1 + 1):
        rng = _rng(seed, "cloud_system", m)
        n = int(rng.poisson(lam))
        if n == 0:
            continue
        node = rng.choice(len(w.nodes), n, p=p_node)
        dept = rng.integers(0, 12, n)
        first = np.datetime64(m, "M").astype("datetime64[D]").astype(np.int64)
        ndays = np.datetime64(m + 1, "M").astype("datetime64[D]").astype(np.int64) - first
        day = first + rng.integers(0, ndays, n)
        y = m // 12 + 1970
        is_new = rng.random(n) < (0.62 if y >= 2021 else 0.2)
        suf = rng.integers(0, len(_SYSTEM_SUFFIX), n)
        parts.append({"node": node, "dept": dept, "day": day, "is_new": is_new, "suf": suf,
                      "gen": m * 1000 + np.arange(n)})
    c = _concat(parts)
    if not c:
        return _empty("cloud_system")
    order = np.lexsort((c["gen"], c["day"]))
    c = {k: v[order] for k, v in c.items()}
    # cloud-native among new systems: a per-node low-discrepancy quota (share within ~1 system of the rate)
    rate = 0.53 + 0.07 * _hash_u(seed, 1201, np.arange(len(w.nodes)))
    phase = 0.3 + 0.4 * _hash_u(seed, 1202, np.arange(len(w.nodes)))
    native = np.zeros(len(c["day"]), dtype=bool)
    new_idx = np.nonzero(c["is_new"])[0]
    k = _cumcount(c["node"][new_idx])
    native[new_idx] = _quota(k, rate[c["node"][new_idx]], phase[c["node"][new_idx]])
    keep = c["day"] <= ctx.today
    c = {kk: v[keep] for kk, v in c.items()}
    native = native[keep]
    n = len(c["day"])
    dept_names = [nm for r_ in w.nodes for nm in r_[7]]
    dept_flat = pa.array(dept_names, type=pa.string())
    off = np.cumsum([0] + [len(r_[7]) for r_ in w.nodes])[:-1]
    dn = _take(dept_flat, off[c["node"]] + np.minimum(c["dept"], 11))
    ym = (c["gen"] // 1000)
    yyyymm = (ym // 12 + 1970) * 100 + ym % 12 + 1
    return _table("cloud_system", {
        "system_id": _ids("S", yyyymm * 1000 + c["gen"] % 1000, 9), "name": _cat(dn, _take(_SYSTEM_SUFFIX, c["suf"])),
        "department": dn, "node_id": _take([r_[0] for r_ in w.nodes], c["node"]), "onboarded_on": _date(c["day"]),
        "is_new": c["is_new"], "cloud_native": native,
    })


# ---- data sharing: API calls
def _api_calls(ctx: _Ctx) -> Iterator[pa.Table]:
    w, seed = ctx.w, ctx.seed
    NP = len(w.p_names)
    if NP < 2:
        yield _empty("api_call")
        return
    n_api = np.where(w.p_tier == 0, 5, np.where(w.p_tier == 1, 3, 1))
    api_off = np.concatenate([[0], np.cumsum(n_api)])[:-1]
    api_prov = np.repeat(np.arange(NP), n_api)
    api_k = np.arange(len(api_prov)) - api_off[api_prov]
    a = w.anom
    bad_provider = w.p_names.index(a["api_success_drop"]["provider_dept"]) \
        if a["api_success_drop"]["provider_dept"] in w.p_names else -1
    # normalise per provider so a provider's total weight is unchanged by its API count;
    # the planted provider (enterprise registration data) is one of the busiest
    sums = np.bincount(api_prov, weights=1.0 / (1 + api_k))
    api_w = w.p_provider_w[api_prov] * (1.0 / (1 + api_k)) / sums[api_prov]
    api_w = api_w * np.where(api_prov == bad_provider, 1.5, 1.0)
    api_cum = np.cumsum(api_w) / api_w.sum()
    con_cum = np.cumsum(w.p_consumer_w) / w.p_consumer_w.sum()
    api_ids = _ids("A", w.p_adcode[api_prov] * 10000 + w.p_dept[api_prov] * 100 + api_k, 10)
    p_fail = 0.0005 + 0.002 * _hash_u(seed, 1301, np.arange(NP))
    if bad_provider >= 0:
        p_fail[bad_provider] = 0.07
    median = 42.0 + 33.0 * _hash_u(seed, 1302, np.arange(len(api_prov)))
    slow_region = a["api_latency_spike"]["region"]
    first = ctx.today - ctx.api_days + 1
    parts, rows = [], 0
    for d in range(first, ctx.today + 1):
        rng = _rng(seed, "api_call", d)
        wd = (d + 3) % 7
        n = int(rng.poisson(ctx.api_rate * (0.45 if wd >= 5 else 1.2)))
        if n == 0:
            continue
        tod = np.sort(_diurnal_times(rng, n, _OFFICE_HOURS) + rng.integers(0, SEC, n))
        con = np.minimum(np.searchsorted(con_cum, rng.random(n), side="right"), NP - 1)
        api = np.minimum(np.searchsorted(api_cum, rng.random(n), side="right"), len(api_prov) - 1)
        # locality: lower-tier consumers often call their own region's departments
        local = (w.p_tier[con] > 0) & (rng.random(n) < 0.35)
        if local.any():
            c_reg_first = np.array([w.p_region_first[int(x)] for x in w.p_adcode[con[local]]])
            pdept = (w.p_dept[con[local]] + 1 + rng.integers(0, 11, local.sum())) % 12
            pidx = c_reg_first + pdept
            api[local] = api_off[pidx] + np.minimum(rng.integers(0, 3, local.sum()), n_api[pidx] - 1)
        prov = api_prov[api]
        same = prov == con
        if same.any():
            con[same] = (con[same] + 1) % NP
        lat = median[api] * np.exp(0.55 * rng.standard_normal(n))
        slow = w.p_adcode[con] == slow_region
        lat = np.where(slow, 340.0 * np.exp(0.55 * rng.standard_normal(n)), lat)
        ok = rng.random(n) >= p_fail[prov]
        if parts and rows + n > STRING_CHUNK_ROWS:
            yield _api_table(ctx, _concat(parts), api_ids)
            parts, rows = [], 0
        ymd = int(str(np.datetime64(d, "D")).replace("-", ""))
        parts.append({"call_id": _ids("C", ymd * 100_000_000 + np.arange(n), 16), "ts": ctx.day_start(d) + tod,
                      "api": api, "prov": prov, "con": con, "lat": np.round(lat, 2), "ok": ok})
        rows += n
    if parts:
        yield _api_table(ctx, _concat(parts), api_ids)
    else:
        yield _empty("api_call")


def _api_table(ctx: _Ctx, c: dict, api_ids: pa.Array) -> pa.Table:
    w = ctx.w
    c = _filter(c, c["ts"] <= ctx.now_us)
    return _table("api_call", {
        "call_id": c["call_id"], "ts": _ts(c["ts"]), "api_id": _take(api_ids, c["api"]),
        "provider_dept": _take(w.p_name, c["prov"]), "provider_adcode": w.p_adcode[c["prov"]].astype(np.int32),
        "consumer_dept": _take(w.p_name, c["con"]), "consumer_adcode": w.p_adcode[c["con"]].astype(np.int32),
        "latency_ms": c["lat"], "ok": c["ok"],
    })


# ---- data catalog, requests, objections
_SUBJECTS = (
    ("人口基本信息", "户籍登记信息", "居民身份证信息", "机动车登记信息", "驾驶人信息", "出入境证件信息"),
    ("社会保险参保信息", "就业登记信息", "职业资格证书信息", "社保卡信息", "劳动用工备案信息"),
    ("出生医学证明信息", "医疗机构执业信息", "医师执业注册信息", "预防接种信息", "死亡医学证明信息"),
    ("企业登记信息", "个体工商户登记信息", "行政处罚信息", "食品经营许可信息", "特种设备信息", "企业年报信息"),
    ("电子证照目录信息", "政务服务事项信息", "公共信用信息", "数据共享交换日志"),
    ("学籍信息", "学历学位信息", "教师资格信息", "学校基本信息"),
    ("不动产登记信息", "国土空间规划信息", "土地供应信息", "矿业权信息"),
    ("道路运输经营许可信息", "营运车辆信息", "公路路网信息", "公交运行信息"),
    ("建设工程施工许可信息", "商品房预售许可信息", "建筑业企业资质信息", "住房公积金缴存信息"),
    ("医保参保信息", "医保结算信息", "定点医药机构信息", "医保目录信息"),
    ("婚姻登记信息", "社会组织登记信息", "低保救助信息", "养老机构信息"),
    ("排污许可信息", "环境监测信息", "环境行政处罚信息", "建设项目环评信息"),
)
_SUBJ_FLAT = [s for group in _SUBJECTS for s in group]
_SUBJ_OFF = np.cumsum([0] + [len(g) for g in _SUBJECTS])
_VARIANTS = ("", "明细", "统计", "变更记录", "查询接口", "核验接口", "（历史）", "目录")
_FORMATS = ("数据库表", "接口", "文件", "电子证照")
_FORMAT_P = np.array([0.55, 0.25, 0.15, 0.05])
_UPDATE_DAYS = np.array([1, 7, 30, 90, 180, 365])
_UPDATE_P = np.array([0.15, 0.20, 0.35, 0.15, 0.08, 0.07])


def _catalog_entries(ctx: _Ctx) -> dict:
    """All entries registered up to as_of's month (monthly RNG), in registration order."""
    w, seed = ctx.w, ctx.seed
    owner_cum = np.cumsum(w.p_owner_w) / w.p_owner_w.sum()
    NP = len(w.p_names)
    m0 = _month_index(2019, 1)
    m1 = _month_index(ctx.as_of.year, ctx.as_of.month)
    parts = []
    for m in range(m0, m1 + 1):
        rng = _rng(seed, "data_catalog", m)
        n = int(rng.poisson(ctx.catalog_month))
        if n == 0:
            continue
        owner = np.minimum(np.searchsorted(owner_cum, rng.random(n), side="right"), NP - 1)
        first = np.datetime64(m, "M").astype("datetime64[D]").astype(np.int64)
        ndays = np.datetime64(m + 1, "M").astype("datetime64[D]").astype(np.int64) - first
        parts.append({"owner": owner, "day": first + rng.integers(0, ndays, n),
                      "subj": rng.random(n), "var": rng.integers(0, len(_VARIANTS), n),
                      "fmt": rng.choice(4, n, p=_FORMAT_P), "upd": rng.choice(6, n, p=_UPDATE_P),
                      "cat": rng.random(n), "gen": m * 10000 + np.arange(n)})
    c = _concat(parts)
    if not c:
        return {}
    order = np.lexsort((c["gen"], c["day"]))
    c = {k: v[order] for k, v in c.items()}
    # Per-owner-region quotas (Beatty sequences): within every region the first K entries hold
    # floor or ceil of K x rate flagged entries, so shares stay near their rates even in small
    # regions, and an entry's flags never depend on later entries.
    reg = w.p_adcode[c["owner"]]
    k = _cumcount(reg)
    # Phases: "bad" flags (not shareable, slow updates) start late and "good" ones (open) early,
    # so a region with only a handful of entries is not judged by its first unlucky one.
    c["share"] = np.where(_quota(k, 0.075, 0.25 * _hash_u(seed, 1401, reg)), 2,
                          np.where(c["cat"] < 0.6, 0, 1))
    shareable = c["share"] < 2
    k2 = np.zeros(len(k), dtype=np.int64)
    k2[shareable] = _cumcount(reg[shareable])
    opened = shareable & _quota(k2, 0.235 / 0.925, 0.75 + 0.25 * _hash_u(seed, 1402, reg))
    c["open"] = np.where(opened, np.where(_hash_u(seed, 1403, c["gen"]) < 0.45, 0, 1), 2)
    c["slow"] = _quota(k, 0.15, 0.25 * _hash_u(seed, 1404, reg))
    return c


def _cumcount(keys: np.ndarray) -> np.ndarray:
    """0, 1, 2 ... within each key, in array order."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64)
    return pd.Series(np.ones(len(keys))).groupby(keys).cumsum().to_numpy().astype(np.int64) - 1


def _quota(k: np.ndarray, rate: float, phase: np.ndarray) -> np.ndarray:
    """True for the k-th item when the running quota floor(k * rate + phase) steps up."""
    return np.floor((k + 1) * rate + phase) > np.floor(k * rate + phase)


def _data_catalog(ctx: _Ctx, c: dict) -> pa.Table:
    w = ctx.w
    keep = c["day"] <= ctx.today
    c = {k: v[keep] for k, v in c.items()}
    n = len(c["day"])
    if n == 0:
        return _empty("data_catalog")
    dept = w.p_dept[c["owner"]]
    nsub = _SUBJ_OFF[dept + 1] - _SUBJ_OFF[dept]
    sidx = _SUBJ_OFF[dept] + np.minimum((c["subj"] * nsub).astype(np.int64), nsub - 1)
    first_subject = sidx == _SUBJ_OFF[dept]
    category = np.where(first_subject, 0, np.where(c["cat"] < 0.25, 1, 2))
    upd = _UPDATE_DAYS[c["upd"]]
    interval = np.where(c["slow"], np.ceil(upd * 2.5).astype(np.int64), upd)
    last = c["day"] + np.floor_divide(ctx.today - c["day"], interval) * interval
    ym = c["gen"] // 10000
    yyyymm = (ym // 12 + 1970) * 100 + ym % 12 + 1
    owner_names = _take(w.p_name, c["owner"])
    return _table("data_catalog", {
        "entry_id": _ids("D", yyyymm * 10000 + c["gen"] % 10000, 10),
        "name": _cat(owner_names, _take(_SUBJ_FLAT, sidx), _take(_VARIANTS, c["var"])),
        "department": owner_names, "adcode": w.p_adcode[c["owner"]].astype(np.int32),
        "category": _take(("基础", "主题", "部门"), category), "data_format": _take(_FORMATS, c["fmt"]),
        "share_type": _take(("无条件共享", "有条件共享", "不予共享"), c["share"]),
        "open_type": _take(("无条件开放", "有条件开放", "不予开放"), c["open"]),
        "update_days": upd.astype(np.int32), "registered_on": _date(c["day"]), "last_updated": _date(last),
    })


def _entry_ids(c: dict) -> pa.Array:
    ym = c["gen"] // 10000
    yyyymm = (ym // 12 + 1970) * 100 + ym % 12 + 1
    return _ids("D", yyyymm * 10000 + c["gen"] % 10000, 10)


def _share_requests(ctx: _Ctx, c: dict) -> pa.Table:
    w, seed = ctx.w, ctx.seed
    if not c:
        return _empty("share_request")
    eids = _entry_ids(c)
    shareable = np.nonzero(c["share"] < 2)[0]
    sh_day = c["day"][shareable]
    con_cum = np.cumsum(w.p_consumer_w) / w.p_consumer_w.sum()
    NP = len(w.p_names)
    parts = []
    for d in range(ctx.today - EVENT_HISTORY_DAYS + 1, ctx.today + 1):
        rng = _rng(seed, "share_request", d)
        avail = int(np.searchsorted(sh_day, d, side="left"))
        n = int(rng.poisson(ctx.req_rate * (0.3 if (d + 3) % 7 >= 5 else 1.25)))
        if n == 0 or avail == 0:
            continue
        entry = shareable[rng.integers(0, avail, n)]
        con = np.minimum(np.searchsorted(con_cum, rng.random(n), side="right"), NP - 1)
        req = ctx.day_start(d) + np.sort(_diurnal_times(rng, n, _OFFICE_HOURS))
        wait_h = np.minimum(30.0 * np.exp(0.8 * rng.standard_normal(n)), 14 * 24.0)
        ans = req + (wait_h * HOUR).astype(np.int64)
        sat = rng.random(n) < 0.978
        ymd = int(str(np.datetime64(d, "D")).replace("-", ""))
        parts.append({"id": _ids("Q", ymd * 100000 + np.arange(n), 13), "entry": entry, "con": con,
                      "req": req, "ans": ans, "sat": sat})
    r = _concat(parts)
    if not r:
        return _empty("share_request")
    r = _filter(r, r["req"] <= ctx.now_us)
    answered = r["ans"] <= ctx.now_us
    return _table("share_request", {
        "request_id": r["id"], "entry_id": eids.take(pa.array(r["entry"])),
        "consumer_dept": _take(w.p_name, r["con"]), "adcode": w.p_adcode[r["con"]].astype(np.int32),
        "requested_at": _ts(r["req"]), "answered_at": _ts(r["ans"], mask=~answered),
        "satisfied": pa.array(r["sat"], mask=~answered, type=pa.bool_()),
    })


def _objections(ctx: _Ctx, c: dict) -> pa.Table:
    w, seed = ctx.w, ctx.seed
    if not c:
        return _empty("quality_objection")
    eids = _entry_ids(c)
    parts = []
    for d in range(ctx.today - EVENT_HISTORY_DAYS + 1, ctx.today + 1):
        rng = _rng(seed, "quality_objection", d)
        avail = int(np.searchsorted(c["day"], d, side="left"))
        n = int(rng.poisson(ctx.obj_rate * (0.3 if (d + 3) % 7 >= 5 else 1.25)))
        if n == 0 or avail == 0:
            continue
        entry = rng.integers(0, avail, n)
        raised = ctx.day_start(d) + np.sort(_diurnal_times(rng, n, _OFFICE_HOURS))
        ontime = rng.random(n) < 0.92
        days = np.where(ontime, np.minimum(2.5 * np.exp(0.6 * rng.standard_normal(n)), 6.9),
                        rng.uniform(7.2, 30.0, n))
        resolved = raised + (days * DAY).astype(np.int64)
        ymd = int(str(np.datetime64(d, "D")).replace("-", ""))
        parts.append({"id": _ids("O", ymd * 10000 + np.arange(n), 12), "entry": entry, "raised": raised,
                      "resolved": resolved})
    r = _concat(parts)
    if not r:
        return _empty("quality_objection")
    r = _filter(r, r["raised"] <= ctx.now_us)
    return _table("quality_objection", {
        "objection_id": r["id"], "entry_id": eids.take(pa.array(r["entry"])),
        "adcode": w.p_adcode[c["owner"][r["entry"]]].astype(np.int32), "raised_at": _ts(r["raised"]),
        "resolved_at": _ts(r["resolved"], mask=r["resolved"] > ctx.now_us),
    })


# --------------------------------------------------------------------------- entry point


def generate(regions: pd.DataFrame, geo_dir: Path, *, seed: int, scale: float,
             as_of: _dt.datetime) -> Iterator[tuple[str, pa.Table]]:
    """Yield (raw_table_name, chunk) for every raw table; see the module docstring."""
    ctx = _Ctx(regions, geo_dir, seed, scale, as_of)
    yield "cloud_node", _cloud_nodes(ctx)
    yield "cloud_system", _cloud_systems(ctx)
    yield "cloud_energy", _cloud_energy(ctx)
    yield "emergency_resource", _resources(ctx)
    for t in _events(ctx):
        yield "emergency_event", t
    entries = _catalog_entries(ctx)
    yield "data_catalog", _data_catalog(ctx, entries) if entries else _empty("data_catalog")
    yield "share_request", _share_requests(ctx, entries)
    yield "quality_objection", _objections(ctx, entries)
    for t in _stat_chunks(ctx.w, ctx.seed, ctx.as_of):
        yield "statistic", t
    for t in _work_orders(ctx):
        yield "work_order", t
    for t in _api_calls(ctx):
        yield "api_call", t
    for t in _cloud_samples(ctx):
        yield "cloud_sample", t
