"""The status page served by the real app on a real snapshot (no browser needed)."""
from __future__ import annotations

import json

import pytest

from core.snapshots import SnapshotStore


@pytest.fixture
def client(demo_settings):
    from app import create_app

    return create_app(demo_settings).server.test_client()


def test_status_page_shows_current_snapshot(client, demo_settings):
    current = SnapshotStore(demo_settings.snapshot_dir).current_id()
    # Dash renders page layouts through its callback; ask for it as the browser does.
    client.get("/")  # Dash registers its page-routing callback on the first request
    resp = client.post("/_dash-update-component", json={
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/status"},
                   {"id": "_pages_location", "property": "search", "value": ""}],
        "changedPropIds": ["_pages_location.pathname"], "state": []})
    assert resp.status_code == 200
    body = json.dumps(resp.get_json(), ensure_ascii=False)
    assert current in body
    assert "演示数据" in body
    assert "emergency_event" in body   # a freshness row per raw table


def test_index_is_small(client):
    resp = client.get("/status")
    assert resp.status_code == 200
    assert len(resp.get_data()) < 50_000
