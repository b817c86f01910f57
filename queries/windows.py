"""Windows the screens open on, shared by the pages that ask for them and the
build that precomputes them for the precomputed forms of a serving query:
queries/serve/latest/ (the view at the snapshot's instant) and
queries/serve/day_end/ (the view at the end of each day before it).

A precomputed form normally answers every parameter value of its general form.
One listed in ONLY_FOR holds only the values the screens ask for (a whole panel
per region and instant); Database.execute sends a call with any other value to
the general form.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

# Days up to the view's instant counted by the sharing screen's flow map,
# Sankey, providers and catalog panel.
FLOW_DAYS = 30
# The indicator whose parts (requests met / requests) the catalog panel shows.
CATALOG_DEMAND_INDICATOR = "demand_satisfaction"

LATEST_ONLY_FOR: dict[str, dict[str, object]] = {
    "sharing_catalog": {"days": FLOW_DAYS, "indicator": CATALOG_DEMAND_INDICATOR},
    "sharing_region_flows": {"days": FLOW_DAYS},
    "sharing_dept_flows": {"days": FLOW_DAYS},
}
# Day ends are many instants: every form there keeps only the screens' windows.
DAY_END_ONLY_FOR: dict[str, dict[str, object]] = {
    **LATEST_ONLY_FOR,
    "sharing_providers": {"days": FLOW_DAYS},
}
ONLY_FOR = {"latest": LATEST_ONLY_FOR, "day_end": DAY_END_ONLY_FOR}

# What queries/build/*.sql reads of the above, as parameters.
BUILD_PARAMS = {"flow_days": FLOW_DAYS, "catalog_demand_indicator": CATALOG_DEMAND_INDICATOR}

# The day ends a day_end form holds: a year of them, as far back as the
# snapshot's indicator window reaches (pipeline/build.py window_start).
DAY_END_DAYS = 365


def day_ends(as_of: datetime) -> tuple[date, date]:
    """The first and last day whose end (23:59:59) the day_end forms hold: the
    last day that ended before `as_of`, and DAY_END_DAYS - 1 days before it."""
    last = (as_of - timedelta(hours=23, minutes=59, seconds=59, microseconds=1)).date()
    return last - timedelta(days=DAY_END_DAYS - 1), last


def form_covers(form: str, name: str, params: dict) -> bool:
    """Whether `name`'s precomputed `form` holds the answer for these parameters."""
    only = ONLY_FOR[form].get(name)
    return only is None or all(str(params.get(k)) == str(v) for k, v in only.items())
