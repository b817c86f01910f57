"""The cockpit web app. `python app.py` runs everything for a single machine:
it builds a demo snapshot if none exists, starts the refresh scheduler in this
process and serves http://127.0.0.1:8050.

Production runs `gunicorn app:server` workers (which only read snapshots) plus
one `python -m pipeline schedule` process; importing this module never starts
a scheduler and never opens a database, so it is safe before gunicorn forks.
"""
from __future__ import annotations

import logging
import os

import dash
from flask_caching import Cache

from core.settings import settings as get_settings
from core.snapshots import SnapshotStore
from queries.database import Database

log = logging.getLogger("cockpit.app")


def create_app(settings=None) -> dash.Dash:
    settings = settings or get_settings()
    app = dash.Dash(
        __name__,
        use_pages=True,
        title="一网统管驾驶舱",
        update_title=None,
        # Every page's layout is a function that callbacks fill: with this False
        # Dash would inline all layouts into every index response.
        suppress_callback_exceptions=True,
        serve_locally=True,
    )
    cache_config = {"CACHE_TYPE": settings.cache_type, "CACHE_DEFAULT_TIMEOUT": 0}
    if settings.cache_type == "FileSystemCache":
        cache_config.update(CACHE_DIR=str(settings.cache_dir), CACHE_THRESHOLD=20000)
    elif settings.cache_type == "RedisCache":
        cache_config.update(CACHE_REDIS_URL=settings.cache_redis_url)
    cache = Cache(app.server, config=cache_config)
    app.server.config["COCKPIT_SETTINGS"] = settings
    app.server.config["COCKPIT_DB"] = Database(SnapshotStore(settings.snapshot_dir), cache, settings.root_adcode)
    app.layout = dash.html.Div([dash.page_container], className="cockpit-root")
    return app


app = create_app()
server = app.server


def main() -> None:
    from pipeline.build import run_pipeline
    from pipeline.scheduler import start_background

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    store = SnapshotStore(settings.snapshot_dir)
    built_now = False
    if store.current_id() is None:
        log.info("no snapshot yet: building the demo snapshot (first start takes a little while)")
        run_pipeline(settings, wait=600)
        built_now = True
    start_background(settings, first_run_now=not built_now)
    host = os.environ.get("COCKPIT_HOST", "127.0.0.1")
    port = int(os.environ.get("COCKPIT_PORT", "8050"))
    log.info("serving on http://%s:%d", host, port)
    app.run(host=host, port=port, debug=False)


if __name__ == "__main__":
    main()
