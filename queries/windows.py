"""Windows the screens open on, shared by the pages that ask for them and the
build that precomputes them for the latest forms (queries/serve/latest/).

A latest form normally answers every parameter value of its general form. One
listed in LATEST_ONLY_FOR holds only the values the screens ask for (a whole
panel per region, precomputed at the snapshot's instant); Database.execute
sends a call with any other value to the general form.
"""
from __future__ import annotations

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

# What queries/build/*.sql reads of the above, as parameters.
BUILD_PARAMS = {"flow_days": FLOW_DAYS, "catalog_demand_indicator": CATALOG_DEMAND_INDICATOR}


def latest_covers(name: str, params: dict) -> bool:
    """Whether `name`'s latest form holds the answer for these parameters."""
    only = LATEST_ONLY_FOR.get(name)
    return only is None or all(str(params.get(k)) == str(v) for k, v in only.items())
