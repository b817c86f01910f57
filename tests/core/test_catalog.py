"""The indicator catalog: the real file is valid and complete, and the validator
rejects each kind of broken entry with a message naming the entry and the reason."""
from __future__ import annotations

import copy
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from core.catalog import DIRECTIONS, PAGES, CatalogError, load_catalog, parse_catalog

REPO = Path(__file__).resolve().parents[2]
CATALOG_PATH = REPO / "data" / "catalog" / "indicators.yaml"
# The repo lives at X/main and the shared policy documents at X/shared/seeds.
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
HAVE_SEEDS = SEEDS.is_dir() and any(SEEDS.glob("00?_*.txt"))
needs_seeds = pytest.mark.skipif(not HAVE_SEEDS, reason=f"seed documents not found at {SEEDS}")

DOMAINS = ("economy", "emergency", "cloud", "sharing", "services")


@pytest.fixture(scope="module")
def raw() -> dict:
    """The parsed YAML of the real catalog; tests deep-copy it before editing."""
    return yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(CATALOG_PATH, seeds_dir=SEEDS if HAVE_SEEDS else None)


# ---------------------------------------------------------------- real catalog

def test_real_catalog_loads_with_enough_indicators_in_every_domain(catalog):
    assert len(catalog.indicators) >= 40
    assert set(catalog.domains) == set(DOMAINS)
    for d in DOMAINS:
        assert len(catalog.by_domain(d)) >= 5, d
    assert re.fullmatch(r"[0-9a-f]{12}", catalog.digest)


def test_real_catalog_uses_every_measure_at_its_grain(catalog):
    used = {m for i in catalog.indicators.values() for m in i.measures}
    assert used == set(catalog.measures)
    for i in catalog.indicators.values():
        for m in i.measures:
            assert catalog.measures[m].grain == i.cadence, (i.id, m)


def test_real_catalog_loads_without_seeds_too():
    assert len(load_catalog(CATALOG_PATH).indicators) >= 40


def test_real_catalog_is_consistent_for_the_screens(catalog):
    names = [i.name_zh for i in catalog.indicators.values()]
    assert len(names) == len(set(names)), "two indicators share a Chinese name"
    overview = catalog.by_page("overview")
    assert 6 <= len(overview) <= 14
    assert {i.domain for i in overview} == set(DOMAINS)
    for i in catalog.indicators.values():
        assert i.direction in DIRECTIONS
        assert i.definition_zh, i.id
        assert i.domain in i.pages, f"{i.id} is not on its own domain's screen"
        assert set(i.pages) <= set(PAGES)
        if i.rollup == "growth":
            assert i.unit == "%", i.id
        if i.rollup == "ratio" and i.unit == "%":
            assert i.scale == 100, f"{i.id} is a percentage but scale is {i.scale}"
        if i.target and i.target.baseline is not None:
            assert i.target.baseline_year < i.target.year, i.id


def _numbers(text: str) -> set[float]:
    text = unicodedata.normalize("NFKC", text)
    out = set()
    for num, wan in re.findall(r"(\d+(?:\.\d+)?)\s*(万)?", text):
        out.add(float(num) * (10000 if wan else 1))
    return out


@needs_seeds
def test_every_target_value_appears_on_its_cited_line(catalog):
    """A target cites the line where its number is written, not just a line in range."""
    for i in catalog.indicators.values():
        t = i.target
        if t is None:
            continue
        doc, first, last = re.match(r"^(\d{3}):(\d+)(?:-(\d+))?$", t.source).groups()
        lines = sorted(SEEDS.glob(f"{doc}_*.txt"))[0].read_text(encoding="utf-8").splitlines()
        text = "\n".join(lines[int(first) - 1:int(last or first)])
        assert t.value in _numbers(text), f"{i.id}: {t.value} not on {t.source}: {text[:200]}"


# Magnitudes the demo simulator is asked to produce: normal values must not trip
# the thresholds, the planted anomaly (None if there is none) must alarm. An
# indicator given thresholds must be listed here so the two stay in step.
DEMO_RANGES = {
    "gdp_growth": ([4.5, 6.5], None),
    "industrial_va_growth": ([5, 8], -8),
    "fai_growth": ([3, 6], -12),
    "retail_sales_growth": ([4, 7], None),
    "budget_revenue_growth": ([2, 6], None),
    "trade_growth": ([-2, 8], None),
    "power_use_growth": ([3, 7], None),
    "tax_share": ([65, 75], None),
    "cpi": ([100.2, 102.3], 103.4),
    "unemployment_rate": ([4.9, 5.6], 6.3),
    "events_major_open": ([0], 2),
    "response_minutes_avg": ([8, 25], 55),
    "handling_hours_avg": ([3, 30], None),
    "events_ontime_rate": ([88, 98], 70),
    "hotline_ontime_rate": ([93, 99], 80),
    "hotline_satisfaction": ([90, 97], None),
    "vcpu_util": ([35, 75], 92.5),
    "mem_util": ([40, 75], None),
    "storage_util": ([50, 80], None),
    "cloud_availability": ([99.99, 100], 99.5),
    "pue": ([1.25, 1.38], 1.48),
    "api_success_rate": ([99.3, 99.9], 93),
    "api_latency_avg": ([40, 120], 400),
    "share_rate": ([88, 97], None),
    "open_rate": ([18, 28], None),
    "catalog_timely_rate": ([85, 96], None),
    "demand_satisfaction": ([96, 99.5], None),
    "objection_ontime_rate": ([85, 98], None),
    "online_service_rate": ([96, 100], 85),
    "full_online_rate": ([85, 95], None),
}


def test_thresholds_fit_the_demo_magnitudes(catalog):
    with_thresholds = {i.id for i in catalog.indicators.values() if i.warn is not None}
    assert with_thresholds == set(DEMO_RANGES)
    for iid, (normal, anomaly) in DEMO_RANGES.items():
        ind = catalog.indicators[iid]
        for v in normal:
            assert ind.status(v) == "ok", f"{iid}: normal value {v} trips {ind.warn}/{ind.alarm}"
        if anomaly is not None:
            assert ind.status(anomaly) == "alarm", f"{iid}: planted anomaly {anomaly} does not alarm"


# ------------------------------------------------------------- broken catalogs

def _ind(doc: dict, iid: str) -> dict:
    return next(i for i in doc["indicators"] if i["id"] == iid)


def _set(iid: str, **kw):
    def edit(doc):
        _ind(doc, iid).update(kw)
    return edit


def _drop(iid: str, key: str):
    def edit(doc):
        del _ind(doc, iid)[key]
    return edit


def _set_target(iid: str, **kw):
    def edit(doc):
        _ind(doc, iid)["target"].update(kw)
    return edit


def _rename_key(iid: str, old: str, new: str):
    def edit(doc):
        i = _ind(doc, iid)
        i[new] = i.pop(old)
    return edit


def _duplicate_indicator(doc):
    doc["indicators"].append(copy.deepcopy(_ind(doc, "gdp")))


def _duplicate_measure(doc):
    doc["measures"].append(copy.deepcopy(next(m for m in doc["measures"] if m["id"] == "gdp")))


def _remove_users_of(mid: str):
    def edit(doc):
        doc["indicators"] = [i for i in doc["indicators"]
                             if mid not in (i.get("measure"), i.get("numerator"), i.get("denominator"), i.get("weight"))]
    return edit


# (case id, edit, the entry the message must name, the reason it must give)
BROKEN = [
    ("unknown-rollup", _set("gdp", rollup="average"), "gdp", "unknown rollup 'average'"),
    ("ratio-without-denominator", _drop("share_rate", "denominator"), "share_rate", "rollup ratio needs denominator"),
    ("ratio-without-numerator", _drop("tax_share", "numerator"), "tax_share", "rollup ratio needs numerator"),
    ("duplicate-indicator", _duplicate_indicator, "gdp", "duplicate indicator id 'gdp'"),
    ("duplicate-measure", _duplicate_measure, "gdp", "duplicate measure id 'gdp'"),
    ("unknown-measure", _set("gdp", measure="gdpp"), "gdp", "measure 'gdpp' is not a declared measure"),
    ("unknown-denominator", _set("share_rate", denominator="catalog_entriess"), "share_rate",
     "denominator 'catalog_entriess' is not a declared measure"),
    ("cadence-grain-mismatch", _set("gdp", cadence="month"), "gdp", "cadence month differs from grain quarter of measure 'gdp'"),
    ("bad-cadence", _set("gdp", cadence="weekly"), "gdp", "cadence must be one of"),
    ("none-on-additive", _set("gdp", rollup="none"), "gdp", "rollup none needs a non-additive measure, 'gdp' is additive"),
    ("sum-on-non-additive", _set("cpi", rollup="sum"), "cpi", "rollup sum needs additive measures, 'cpi' is not additive"),
    ("growth-on-non-additive", _set("unemployment_rate", rollup="growth"), "unemployment_rate",
     "rollup growth needs additive measures, 'unemployment_rate' is not additive"),
    ("mean-without-weight", _drop("income_per_capita", "weight"), "income_per_capita", "rollup mean needs weight"),
    ("mean-of-additive", _set("income_per_capita", measure="gdp", cadence="quarter"), "income_per_capita",
     "rollup mean averages a per-leaf figure, 'gdp' is additive"),
    ("mean-weight-not-additive", _set("income_per_capita", weight="cpi"), "income_per_capita",
     "rollup mean needs additive measures, 'cpi' is not additive"),
    ("field-not-for-rollup", _set("gdp", numerator="gdp_const"), "gdp", "numerator does not apply to rollup sum"),
    ("measure-not-a-string", _set("gdp", measure=["gdp", "gdp_const"]), "gdp", "measure must be one measure id"),
    ("warn-without-alarm", _drop("vcpu_util", "alarm"), "vcpu_util", "warn and alarm go together"),
    ("alarm-without-warn", _drop("cpi", "warn"), "cpi", "warn and alarm go together"),
    ("thresholds-not-numbers", _set("cpi", warn="102.8"), "cpi", "warn and alarm must be numbers"),
    ("up-thresholds-reversed", _set("events_ontime_rate", warn=80.0, alarm=85.0), "events_ontime_rate",
     "direction up needs alarm <= warn"),
    ("down-thresholds-reversed", _set("vcpu_util", warn=90.0, alarm=85.0), "vcpu_util",
     "direction down needs alarm >= warn"),
    ("bad-direction", _set("gdp", direction="higher"), "gdp", "direction must be up or down"),
    ("citation-format", _set_target("share_rate", source="002-3240"), "share_rate",
     "target.source must cite a seed document and line"),
    ("citation-short-doc", _set_target("share_rate", source="2:3240"), "share_rate",
     "target.source must cite a seed document and line"),
    ("citation-unknown-doc", _set_target("share_rate", source="009:12"), "share_rate",
     "target.source must cite a seed document and line"),
    ("citation-not-a-string", _set_target("share_rate", source=3240), "share_rate",
     "target.source must cite a seed document and line"),
    ("target-without-year", _set_target("share_rate", year=None), "share_rate", "target.year must be a year"),
    ("target-value-not-number", _set_target("share_rate", value="99%"), "share_rate", "target.value must be a number"),
    ("target-unknown-key", _set_target("share_rate", yaer=2025), "share_rate", "target has unknown key 'yaer'"),
    ("baseline-without-year", lambda d: _ind(d, "share_rate")["target"].pop("baseline_year"), "share_rate",
     "target.baseline and target.baseline_year go together"),
    ("baseline-not-number", _set_target("share_rate", baseline="74%"), "share_rate", "target.baseline must be a number"),
    ("unknown-domain", _set("gdp", domain="finance"), "gdp", "unknown domain 'finance'"),
    ("unknown-key-typo", _rename_key("gdp", "department", "deparment"), "gdp", "unknown key 'deparment'"),
    ("missing-required", _drop("gdp", "name_zh"), "gdp", "missing name_zh"),
    ("bad-id", _set("gdp", id="GDP-total"), "GDP-total", "id must be lower_snake_case"),
    ("unknown-page", _set("gdp", pages=["overview", "home"]), "gdp", "pages must be a list from"),
    ("bad-decimals", _set("gdp", decimals="one"), "gdp", "decimals must be an integer from 0 to 6"),
    ("scale-not-number", _set("share_rate", scale="100"), "share_rate", "scale must be a number"),
    ("unused-measure", _remove_users_of("racks"), "racks", "measure 'racks' is declared but no indicator uses it"),
    ("measure-bad-grain", lambda d: d["measures"][0].update(grain="weekly"), "gdp", "grain must be one of"),
    ("measure-additive-not-bool", lambda d: d["measures"][0].update(additive="yes"), "gdp",
     "additive must be true or false"),
    ("measure-unknown-key", lambda d: d["measures"][0].update(units="亿元"), "gdp", "unknown key 'units'"),
    ("unknown-top-level-key", lambda d: d.update(indicator=[]), "indicator", "unknown top-level key 'indicator'"),
]


@pytest.mark.parametrize("edit, entry, reason", [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN])
def test_validator_rejects_broken_entry(raw, edit, entry, reason):
    doc = copy.deepcopy(raw)
    edit(doc)
    with pytest.raises(CatalogError) as e:
        parse_catalog(doc)
    assert any(entry in p and reason in p for p in e.value.problems), e.value.problems
    assert reason in str(e.value)


def test_citation_beyond_document_end_is_rejected(raw, tmp_path):
    """Checked against a stand-in seed folder so it runs without the real seeds."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "001_stub.txt").write_text("one\ntwo\nthree", encoding="utf-8")  # 3 lines, no final newline
    for source, bad in (("001:3", False), ("001:1-3", False), ("001:4", True), ("001:0", True), ("001:3-2", True)):
        doc = copy.deepcopy(raw)
        _ind(doc, "share_rate")["target"]["source"] = source
        if not bad:
            parse_catalog(doc, seeds_dir=seeds)
            continue
        with pytest.raises(CatalogError) as e:
            parse_catalog(doc, seeds_dir=seeds)
        assert any("share_rate" in p and f"target.source {source} is outside document 001 (3 lines)" in p
                   for p in e.value.problems), e.value.problems


@needs_seeds
def test_citation_beyond_real_document_end_is_rejected(raw):
    doc = copy.deepcopy(raw)
    _ind(doc, "platform_service_share")["target"]["source"] = "003:999"
    with pytest.raises(CatalogError) as e:
        parse_catalog(doc, seeds_dir=SEEDS)
    assert any("platform_service_share" in p and "003:999 is outside document 003" in p for p in e.value.problems)


def test_invalid_yaml_is_a_catalog_error(tmp_path):
    bad = tmp_path / "indicators.yaml"
    bad.write_text("domains:\n  economy: {name_zh: 经济运行\nmeasures: [\n", encoding="utf-8")
    with pytest.raises(CatalogError) as e:
        load_catalog(bad)
    assert "not valid YAML" in str(e.value) and str(bad) in str(e.value)


@pytest.mark.parametrize("doc", [None, [], "indicators"], ids=["empty-file", "list", "string"])
def test_catalog_that_is_not_a_mapping_is_rejected(doc):
    with pytest.raises(CatalogError, match="must be a mapping"):
        parse_catalog(doc)


def test_empty_indicators_are_rejected(raw):
    doc = copy.deepcopy(raw)
    doc["indicators"] = []
    with pytest.raises(CatalogError) as e:
        parse_catalog(doc)
    assert "indicators must be a non-empty list" in e.value.problems


def test_all_problems_are_reported_at_once_without_noise(raw):
    doc = copy.deepcopy(raw)
    _ind(doc, "gdp")["rollup"] = "average"
    _ind(doc, "pue")["warn"] = 1.5  # above alarm 1.45 for a down indicator
    _rename_key("racks", "department", "dept")(doc)
    with pytest.raises(CatalogError) as e:
        parse_catalog(doc)
    problems = e.value.problems
    assert any("gdp" in p and "unknown rollup" in p for p in problems)
    assert any("pue" in p and "alarm >= warn" in p for p in problems)
    assert any("racks" in p and "unknown key 'dept'" in p for p in problems)
    # 'racks' is only read by the rejected racks indicator: it is not reported as unused.
    assert not any("declared but no indicator uses it" in p for p in problems), problems
