"""Every serving query on the current snapshot, uncached and cached.

Reports p50/p95 per query over --n calls each (after one warm-up), first with
the caches bypassed (DuckDB on an open read-only connection), then cached as
the web app caches (see LABELS). The calls come in --rounds rounds, each
going through every query in turn, so a burst of load from elsewhere on this
shared machine lands on all queries alike rather than on whichever ran then.
As the issue asks of every figure (run several times, report the median and
spread), a query's p95 is the median of the rounds' p95s, with their min-max;
the p95 over all calls pooled is kept beside it (pooled_p95_ms). Each call asks for the view every screen
opens on (latest); a query with a latest or day_end form (queries/serve/latest/,
day_end/) is also measured a week before the snapshot's instant, as an operator
who opens ?period=<that day> asks it: at that day's end, 23:59:59 (reported as
<name>@week-before).

    .venv/bin/python -m bench.queries [--n 200] [--rounds 5]
"""
from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta
from bench.common import write_results

PARAMS = {   # one realistic call per query: the root region, an indicator the screens ask it for, their windows
    "indicator_children": {"indicator": "gdp"},
    "indicator_series": {"indicator": "gdp"},
    "cloud_indicator_nodes": {"indicator": "pue"},     # pages/cloud_panels.py: node-level PUE
}


def _screen_params() -> dict:
    """The windows the sharing screen asks for (an unset parameter would get
    the root region code, i.e. a 370000-day window over all history)."""
    from pages.sharing_panels import TREND_DAYS
    from queries.windows import CATALOG_DEMAND_INDICATOR, FLOW_DAYS

    return {"sharing_region_flows": {"days": FLOW_DAYS}, "sharing_dept_flows": {"days": FLOW_DAYS},
            "sharing_providers": {"days": FLOW_DAYS}, "sharing_daily": {"days": TREND_DAYS},
            "sharing_catalog": {"days": FLOW_DAYS, "indicator": CATALOG_DEMAND_INDICATOR}}


# How each query is called: with the caches bypassed; cached, as a worker that
# served it before answers (its own recent results); and cached in the shared
# cache only, as the first request for it in a worker after another worker or
# the scheduler's prerender filled it (the worker's recent results emptied
# before each call).
LABELS = (("uncached", False), ("cached", True), ("shared", True))


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    from app import create_app
    from components.state import period_end
    from queries.sql import QUERIES_DIR, param_names, load_sql

    app = create_app()
    db = app.server.config["COCKPIT_DB"]
    root = app.server.config["COCKPIT_SETTINGS"].root_adcode
    result = {}
    PARAMS.update(_screen_params())
    with app.server.test_request_context("/"):
        snap = db.snapshot_id()
        week_before = period_end((db.as_of(snap).to_pydatetime() - timedelta(days=7)).date().isoformat())
        calls = []
        for path in sorted((QUERIES_DIR / "serve").glob("*.sql")):
            name = path.stem
            needs = param_names(load_sql(f"serve/{name}")) - {"scope", "period"}
            params = {"adcode": root, **{k: v for k, v in PARAMS.get(name, {}).items() if k in needs}}
            for k in needs - set(params):
                params[k] = "gdp" if k == "indicator" else root
            calls.append((name, name, params))
            if any((QUERIES_DIR / "serve" / form / path.name).is_file() for form in ("latest", "day_end")):
                calls.append((f"{name}@week-before", name, {**params, "period": week_before}))
        rounds = max(1, min(a.rounds, a.n))
        times = {(c[0], label): [] for c in calls for label, _ in LABELS}
        per_round = {key: [] for key in times}
        for r in range(rounds):
            per = a.n // rounds + (r < a.n % rounds)
            for label, cached in LABELS:
                for label_name, name, params in calls:
                    if label_name in result:        # failed before
                        continue
                    try:
                        db.execute(name, snapshot=snap, cached=cached, **params)    # warm-up
                        xs = []
                        for _ in range(per):
                            if label == "shared":
                                db.recent.clear()
                            t0 = time.perf_counter()
                            db.execute(name, snapshot=snap, cached=cached, **params)
                            xs.append((time.perf_counter() - t0) * 1000)
                    except Exception as e:  # noqa: BLE001 - one broken query is reported, the others still measured
                        result[label_name] = {"error": f"{type(e).__name__}: {e}"[:300]}
                        print(f"{label_name:36s} FAILED {result[label_name]['error']}", flush=True)
                        continue
                    times[(label_name, label)] += xs
                    per_round[(label_name, label)].append(pct(xs, 0.95))
        for label_name, _, _ in calls:
            if label_name in result:
                continue
            row = result[label_name] = {}
            for label, _ in LABELS:
                xs, ps = times[(label_name, label)], per_round[(label_name, label)]
                row[label] = {"p50_ms": statistics.median(xs), "p95_ms": statistics.median(ps),
                              "round_p95_min_ms": min(ps), "round_p95_max_ms": max(ps),
                              "pooled_p95_ms": pct(xs, 0.95)}
            u, c, sh = row["uncached"], row["cached"], row["shared"]
            print(f"{label_name:36s} uncached p50 {u['p50_ms']:6.2f} p95 {u['p95_ms']:6.2f} ms "
                  f"({u['round_p95_min_ms']:.2f}-{u['round_p95_max_ms']:.2f}, pooled {u['pooled_p95_ms']:.2f})   "
                  f"cached p50 {c['p50_ms']:5.2f} p95 {c['p95_ms']:5.2f} ms   "
                  f"shared p50 {sh['p50_ms']:5.2f} p95 {sh['p95_ms']:5.2f} ms", flush=True)
    write_results("queries.json", {"snapshot": snap, "n": a.n, "rounds": rounds, "queries": result})
    if any("error" in r for r in result.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
