"""Render a new snapshot's screens before it is published.

The scheduler calls this between validating a snapshot and pointing CURRENT at
it. Every panel of every screen, in the view walls show (the whole region, the
default indicator), is rendered into the cache the web workers share, so when
a hundred displays see the new snapshot id they all find their panels ready:
no wall waits for a render, and no worker spends the seconds after a swap
computing them while operators queue behind it.

Only a shared cache (FileSystemCache, Redis) makes this useful; with a
per-process cache it does nothing.
"""
from __future__ import annotations

import logging
import time
from typing import Callable

from dash.development.base_component import Component

from components import context, shell
from components.panels import REGISTRY

log = logging.getLogger("cockpit.prerender")
SHARED_CACHES = ("FileSystemCache", "RedisCache")


def panels_of(layout) -> list[str]:
    """Panel ids in a page's skeleton, in page order: the panels drawn into it."""
    out: list[str] = []
    if not isinstance(layout, Component):
        return out
    for node in [layout, *layout._traverse()]:
        pid = getattr(node, "id", None)
        if isinstance(pid, dict) and pid.get("type") in ("graph", "html") and pid.get("panel") in REGISTRY:
            if pid["panel"] not in out:
                out.append(pid["panel"])
    return out


def prerenderer(app) -> Callable[[str], int] | None:
    """A before_publish hook for pipeline.build.run_pipeline, or None when the
    app's cache is not shared between processes."""
    if app.server.config["COCKPIT_SETTINGS"].cache_type not in SHARED_CACHES:
        return None

    def prerender(snapshot_id: str) -> int:
        t0 = time.perf_counter()
        done = 0
        with app.server.app_context():
            state = context.read_state("", pages=tuple(shell.PAGES))
            c = context.Ctx(state=state, snapshot=snapshot_id)
            seen: set[str] = set()
            for page in shell.PAGES.values():
                for pid in panels_of(page.layout(state)):
                    if pid in seen:
                        continue
                    seen.add(pid)
                    try:
                        shell._rendered(REGISTRY[pid], c)
                        done += 1
                    except Exception:  # noqa: BLE001 - a panel that fails here fails again on request, visibly
                        log.exception("prerender of %s for snapshot %s failed", pid, snapshot_id)
        log.info("prerendered %d panels of snapshot %s in %.1f s", done, snapshot_id, time.perf_counter() - t0)
        return done

    return prerender
