"""A new snapshot's screens are rendered into the shared cache before it is published."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace

from pipeline.build import run_pipeline
from tests.conftest import AS_OF


def test_every_screen_is_a_cache_hit_once_the_snapshot_is_published(fresh_settings, caplog):
    from app import create_app
    from components import context, shell
    from components.panels import REGISTRY
    from components.prerender import panels_of, prerenderer
    from core.snapshots import SnapshotStore

    run_pipeline(fresh_settings, as_of=AS_OF)
    app = create_app(fresh_settings)
    hook = prerenderer(app)
    store = SnapshotStore(fresh_settings.snapshot_dir)
    done = []

    def before_publish(snap):
        assert store.current_id() != snap
        done.append(hook(snap))

    b = run_pipeline(fresh_settings, as_of=AS_OF + timedelta(hours=1), before_publish=before_publish).snapshot_id
    assert store.current_id() == b
    shown = set()
    with caplog.at_level("INFO", logger="cockpit.render"), app.server.app_context():
        # walls in kiosk mode, letterboxed or stretched, share the renders of the plain view
        for search in ("", "?kiosk=1", "?kiosk=1&fit=fill&dwell=20"):
            state = context.read_state(search, pages=tuple(shell.PAGES))
            c = context.Ctx(state=state, snapshot=b)
            for page in shell.PAGES.values():
                for pid in panels_of(page.layout(state)):
                    shown.add(pid)
                    shell._rendered(REGISTRY[pid], c)
    computed = [r.getMessage() for r in caplog.records if r.name == "cockpit.render"]
    assert computed == []
    assert done == [len(shown)] and len(shown) >= 20


def test_panels_of_a_page_are_the_ones_its_skeleton_asks_for(web_app):
    from components import context, shell
    from components.prerender import panels_of

    with web_app.server.app_context():
        state = context.read_state("", pages=tuple(shell.PAGES))
        economy = panels_of(shell.PAGES["economy"].layout(state))
        wall = panels_of(shell.PAGES["wall"].layout(state))
    assert economy[:2] == ["economy-kpis", "economy-map"] and "economy-alerts" in economy
    assert wall == panels_of(shell.PAGES["overview"].layout(state))      # the carousel opens on the overview


def test_nothing_is_prerendered_into_a_cache_only_one_process_sees(fresh_settings):
    from components.prerender import prerenderer

    app = SimpleNamespace(server=SimpleNamespace(config={
        "COCKPIT_SETTINGS": replace(fresh_settings, cache_type="SimpleCache")}))
    assert prerenderer(app) is None
