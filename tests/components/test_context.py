"""components.context: what every callback builds before drawing."""
from __future__ import annotations


def test_indicator_definitions_are_built_once_per_snapshot(web_app):
    from components import context

    with web_app.server.app_context():
        db = context.database()
        snap = db.snapshot_id()
        first = context.indicators(db)
        assert first is context.indicators(db, snap)        # shared, not rebuilt per request
        assert first["gdp"]["unit"] and isinstance(first["gdp"]["pages"], list)
