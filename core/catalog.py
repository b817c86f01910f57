"""The indicator catalog: one YAML file that drives the pipeline and the screens.

Format (data/catalog/indicators.yaml):

    domains:    {id: {name_zh, name_en}}
    measures:   list of {id, source, grain, additive, unit?, doc?}
        source   "statistic"  -> rows of the raw table `statistic` with this measure id
                 any other    -> queries/measures/<source>.sql, which returns
                                 (measure, adcode, period, value) rows
        grain    hour | day | month | quarter | year
        additive true: given for leaf regions and summed up the tree;
                 false: given at every level where it exists, never rolled up
    indicators: list of {id, name_zh, name_en, unit, domain, cadence, rollup, ...}
        rollup   sum     (measure)               sum of the measure
                 ratio   (numerator, denominator, scale=1)  scale * sum(num) / sum(den)
                 growth  (measure)               100 * (sum now / sum a year earlier - 1)
                 mean    (measure, weight)       sum(measure * weight) / sum(weight)
                 none    (measure)               the non-additive measure as given
        direction  up (more is better) | down
        warn, alarm  thresholds in the indicator's unit (optional, both or neither)
        target     {value, year, source "doc:line", baseline?, baseline_year?, scope?}
        department owning department (中文)
        definition_zh  one sentence an operator can read on hover
        pages      screens the indicator appears on (overview, economy, ...)

Validation gathers every problem and raises one CatalogError listing them all,
each naming the entry, so a broken edit is fixed in one pass.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

GRAINS = ("hour", "day", "month", "quarter", "year")
ROLLUPS = ("sum", "ratio", "growth", "mean", "none")
DIRECTIONS = ("up", "down")
PAGES = ("overview", "economy", "emergency", "cloud", "sharing", "services")
SEED_DOCS = ("000", "001", "002", "003", "004")
_CITATION = re.compile(r"^(\d{3}):(\d+)(?:-(\d+))?$")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class CatalogError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("indicator catalog is invalid:\n  - " + "\n  - ".join(problems))


@dataclass(frozen=True)
class Measure:
    id: str
    source: str
    grain: str
    additive: bool
    unit: str = ""
    doc: str = ""


def threshold_status(direction: str, warn: float | None, alarm: float | None, value: float | None) -> str:
    """'alarm' | 'warn' | 'ok' | 'none': the one rule the pipeline's alerts and the
    screens' colours share (direction up: below a threshold is worse)."""
    if value is None or warn is None or alarm is None or value != value or warn != warn:
        return "none"
    worse = (lambda v, t: v < t) if direction == "up" else (lambda v, t: v > t)
    if worse(value, alarm):
        return "alarm"
    if worse(value, warn):
        return "warn"
    return "ok"


@dataclass(frozen=True)
class Target:
    value: float
    year: int
    source: str
    baseline: float | None = None
    baseline_year: int | None = None
    scope: str = ""


@dataclass(frozen=True)
class Indicator:
    id: str
    name_zh: str
    name_en: str
    unit: str
    domain: str
    cadence: str
    rollup: str
    direction: str
    department: str
    definition_zh: str = ""
    measure: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    weight: str | None = None
    scale: float = 1.0
    warn: float | None = None
    alarm: float | None = None
    target: Target | None = None
    pages: tuple[str, ...] = ()
    decimals: int = 1

    @property
    def measures(self) -> tuple[str, ...]:
        """Every measure this indicator reads, in a stable order."""
        return tuple(m for m in (self.measure, self.numerator, self.denominator, self.weight) if m)

    def status(self, value: float | None) -> str:
        """'alarm' | 'warn' | 'ok' | 'none' for a value, by the catalog thresholds."""
        return threshold_status(self.direction, self.warn, self.alarm, value)


@dataclass(frozen=True)
class Catalog:
    domains: dict[str, dict]
    measures: dict[str, Measure]
    indicators: dict[str, Indicator]
    digest: str = field(default="")

    def by_page(self, page: str) -> list[Indicator]:
        return [i for i in self.indicators.values() if page in i.pages]

    def by_domain(self, domain: str) -> list[Indicator]:
        return [i for i in self.indicators.values() if i.domain == domain]

    def measure_sources(self) -> dict[str, list[str]]:
        """source name -> measure ids it must produce."""
        out: dict[str, list[str]] = {}
        for m in self.measures.values():
            out.setdefault(m.source, []).append(m.id)
        return out


_INDICATOR_KEYS = {
    "id", "name_zh", "name_en", "unit", "domain", "cadence", "rollup", "direction", "department",
    "definition_zh", "measure", "numerator", "denominator", "weight", "scale", "warn", "alarm",
    "target", "pages", "decimals",
}
_REQUIRED_INDICATOR_KEYS = ("id", "name_zh", "name_en", "unit", "domain", "cadence", "rollup", "direction", "department")
_ROLLUP_FIELDS = {
    "sum": ("measure",),
    "ratio": ("numerator", "denominator"),
    "growth": ("measure",),
    "mean": ("measure", "weight"),
    "none": ("measure",),
}
_MEASURE_KEYS = {"id", "source", "grain", "additive", "unit", "doc"}
_TARGET_KEYS = {"value", "year", "source", "baseline", "baseline_year", "scope"}


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _check_measures(raw: list, problems: list[str]) -> dict[str, Measure]:
    measures: dict[str, Measure] = {}
    for n, m in enumerate(raw or []):
        where = f"measures[{n}] {m.get('id', '?') if isinstance(m, dict) else '?'}"
        if not isinstance(m, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        for k in sorted(set(m) - _MEASURE_KEYS):
            problems.append(f"{where}: unknown key {k!r}")
        mid = m.get("id")
        if not isinstance(mid, str) or not _ID.match(mid):
            problems.append(f"{where}: id must be lower_snake_case, got {mid!r}")
            continue
        if mid in measures:
            problems.append(f"{where}: duplicate measure id {mid!r}")
            continue
        if m.get("grain") not in GRAINS:
            problems.append(f"{where}: grain must be one of {', '.join(GRAINS)}, got {m.get('grain')!r}")
        if not isinstance(m.get("additive"), bool):
            problems.append(f"{where}: additive must be true or false")
        source = m.get("source")
        if not isinstance(source, str) or not _ID.match(source):
            problems.append(f"{where}: source must be 'statistic' or the name of a queries/measures/*.sql file")
        measures[mid] = Measure(mid, source or "", m.get("grain", ""), bool(m.get("additive")),
                                str(m.get("unit", "")), str(m.get("doc", "")))
    return measures


def _check_target(where: str, t, problems: list[str], seeds_dir: Path | None) -> Target | None:
    if t is None:
        return None
    if not isinstance(t, dict):
        problems.append(f"{where}: target must be a mapping")
        return None
    for k in sorted(set(t) - _TARGET_KEYS):
        problems.append(f"{where}: target has unknown key {k!r}")
    ok = True
    if not _number(t.get("value")):
        problems.append(f"{where}: target.value must be a number")
        ok = False
    if not isinstance(t.get("year"), int) or not 2000 <= t.get("year", 0) <= 2100:
        problems.append(f"{where}: target.year must be a year like 2025")
        ok = False
    cite = t.get("source")
    match = _CITATION.match(str(cite or ""))
    if not match or match.group(1) not in SEED_DOCS:
        problems.append(f"{where}: target.source must cite a seed document and line like '002:3240', got {cite!r}")
        ok = False
    elif seeds_dir is not None:
        problems.extend(_check_citation(where, match, seeds_dir))
    if ("baseline" in t) != ("baseline_year" in t):
        problems.append(f"{where}: target.baseline and target.baseline_year go together")
    elif "baseline" in t and not (_number(t["baseline"]) and isinstance(t["baseline_year"], int)
                                  and not isinstance(t["baseline_year"], bool)):
        problems.append(f"{where}: target.baseline must be a number and target.baseline_year a year like 2020")
        ok = False
    if not ok:
        return None
    return Target(float(t["value"]), int(t["year"]), str(cite), t.get("baseline"), t.get("baseline_year"), str(t.get("scope", "")))


def _check_citation(where: str, match: re.Match, seeds_dir: Path) -> list[str]:
    files = sorted(seeds_dir.glob(f"{match.group(1)}_*.txt"))
    if not files:
        return []  # seeds not beside this checkout: the citation format was still checked
    with files[0].open(encoding="utf-8", errors="replace") as f:
        n_lines = sum(1 for _ in f)
    first, last = int(match.group(2)), int(match.group(3) or match.group(2))
    if not 1 <= first <= last <= n_lines:
        return [f"{where}: target.source {match.group(0)} is outside document {match.group(1)} ({n_lines} lines)"]
    return []


def _check_indicator(n: int, i, measures: dict[str, Measure], domains: dict, problems: list[str],
                     seeds_dir: Path | None) -> Indicator | None:
    where = f"indicators[{n}] {i.get('id', '?') if isinstance(i, dict) else '?'}"
    if not isinstance(i, dict):
        problems.append(f"{where}: must be a mapping")
        return None
    before = len(problems)
    for k in sorted(set(i) - _INDICATOR_KEYS):
        problems.append(f"{where}: unknown key {k!r}")
    for k in _REQUIRED_INDICATOR_KEYS:
        if i.get(k) in (None, ""):
            problems.append(f"{where}: missing {k}")
    if i.get("id") and not _ID.match(str(i["id"])):
        problems.append(f"{where}: id must be lower_snake_case")
    if i.get("domain") and i["domain"] not in domains:
        problems.append(f"{where}: unknown domain {i['domain']!r} (known: {', '.join(domains)})")
    if i.get("cadence") and i["cadence"] not in GRAINS:
        problems.append(f"{where}: cadence must be one of {', '.join(GRAINS)}, got {i['cadence']!r}")
    if i.get("direction") and i["direction"] not in DIRECTIONS:
        problems.append(f"{where}: direction must be up or down, got {i['direction']!r}")
    rollup = i.get("rollup")
    if rollup and rollup not in ROLLUPS:
        problems.append(f"{where}: unknown rollup {rollup!r} (known: {', '.join(ROLLUPS)})")
    for role in _ROLLUP_FIELDS.get(rollup, ()):
        if not i.get(role):
            problems.append(f"{where}: rollup {rollup} needs {role}")
    for role in ("measure", "numerator", "denominator", "weight"):
        if i.get(role) and role not in _ROLLUP_FIELDS.get(rollup, (role,)):
            problems.append(f"{where}: {role} does not apply to rollup {rollup}")
        mid = i.get(role)
        if not mid:
            continue
        if not isinstance(mid, str):
            problems.append(f"{where}: {role} must be one measure id, got {mid!r}")
            continue
        m = measures.get(mid)
        if m is None:
            problems.append(f"{where}: {role} {mid!r} is not a declared measure")
            continue
        if i.get("cadence") in GRAINS and m.grain != i["cadence"]:
            problems.append(f"{where}: cadence {i['cadence']} differs from grain {m.grain} of measure {mid!r}")
        if rollup == "none" and m.additive:
            problems.append(f"{where}: rollup none needs a non-additive measure, {mid!r} is additive")
        # A mean's measure is an intensive figure given per leaf (income per head, PUE);
        # only its weight must add up.
        if rollup == "mean" and role == "measure":
            if m.additive:
                problems.append(f"{where}: rollup mean averages a per-leaf figure, {mid!r} is additive (use sum or ratio)")
        elif rollup in ("sum", "ratio", "growth", "mean") and not m.additive:
            problems.append(f"{where}: rollup {rollup} needs additive measures, {mid!r} is not additive")
    warn, alarm = i.get("warn"), i.get("alarm")
    if (warn is None) != (alarm is None):
        problems.append(f"{where}: warn and alarm go together")
    elif warn is not None:
        if not (_number(warn) and _number(alarm)):
            problems.append(f"{where}: warn and alarm must be numbers")
        elif i.get("direction") == "up" and alarm > warn:
            problems.append(f"{where}: direction up needs alarm <= warn (lower is worse), got warn {warn}, alarm {alarm}")
        elif i.get("direction") == "down" and alarm < warn:
            problems.append(f"{where}: direction down needs alarm >= warn (higher is worse), got warn {warn}, alarm {alarm}")
    if "scale" in i and not _number(i["scale"]):
        problems.append(f"{where}: scale must be a number")
    if "decimals" in i and not (isinstance(i["decimals"], int) and not isinstance(i["decimals"], bool)
                                and 0 <= i["decimals"] <= 6):
        problems.append(f"{where}: decimals must be an integer from 0 to 6, got {i['decimals']!r}")
    pages = i.get("pages", [])
    if not isinstance(pages, list) or any(p not in PAGES for p in pages):
        problems.append(f"{where}: pages must be a list from {', '.join(PAGES)}, got {pages!r}")
        pages = []
    target = _check_target(where, i.get("target"), problems, seeds_dir)
    if len(problems) > before:
        return None
    return Indicator(
        id=i["id"], name_zh=i["name_zh"], name_en=i["name_en"], unit=str(i["unit"]), domain=i["domain"],
        cadence=i["cadence"], rollup=rollup, direction=i["direction"], department=i["department"],
        definition_zh=str(i.get("definition_zh", "")), measure=i.get("measure"), numerator=i.get("numerator"),
        denominator=i.get("denominator"), weight=i.get("weight"), scale=float(i.get("scale", 1.0)),
        warn=warn, alarm=alarm, target=target, pages=tuple(pages), decimals=int(i.get("decimals", 1)),
    )


def parse_catalog(doc: dict, *, seeds_dir: Path | None = None, digest: str = "") -> Catalog:
    problems: list[str] = []
    if not isinstance(doc, dict):
        raise CatalogError(["the catalog must be a mapping with domains, measures and indicators"])
    for k in sorted(set(doc) - {"version", "domains", "measures", "indicators"}):
        problems.append(f"unknown top-level key {k!r}")
    domains = doc.get("domains") or {}
    if not isinstance(domains, dict) or not domains:
        problems.append("domains must be a non-empty mapping")
        domains = {}
    measures = _check_measures(doc.get("measures"), problems)
    indicators: dict[str, Indicator] = {}
    for n, raw in enumerate(doc.get("indicators") or []):
        ind = _check_indicator(n, raw, measures, domains, problems, seeds_dir)
        if ind is None:
            continue
        if ind.id in indicators:
            problems.append(f"indicators[{n}] {ind.id}: duplicate indicator id {ind.id!r}")
            continue
        indicators[ind.id] = ind
    if not doc.get("indicators"):
        problems.append("indicators must be a non-empty list")
    used = {raw.get(role) for raw in doc.get("indicators") or [] if isinstance(raw, dict)
            for role in ("measure", "numerator", "denominator", "weight") if isinstance(raw.get(role), str)}
    for mid in sorted(set(measures) - used):
        problems.append(f"measure {mid!r} is declared but no indicator uses it")
    if problems:
        raise CatalogError(problems)
    return Catalog(domains, measures, indicators, digest)


def load_catalog(path: Path, *, seeds_dir: Path | None = None) -> Catalog:
    text = Path(path).read_text(encoding="utf-8")
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise CatalogError([f"{path}: not valid YAML: {e}"]) from e
    return parse_catalog(doc, seeds_dir=seeds_dir, digest=hashlib.sha256(text.encode()).hexdigest()[:12])
