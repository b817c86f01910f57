"""A new snapshot reaches a drawn chart as a Patch of the traces that changed,
through the real Dash callback endpoint of a server process (the request the
browser sends)."""
from __future__ import annotations

import json
import urllib.request
from datetime import timedelta

import pytest

from tests.conftest import AS_OF, make_settings
from tests.live import LiveServer

PANEL = "emergency-events-map"
GRAPH = {"type": "graph", "panel": PANEL}


@pytest.fixture(scope="module")
def two_snapshots(tmp_path_factory, shared_geo_dir):
    """A server over snapshot A and, two days later, B (new events, the same
    resources and boundaries); callbacks name the snapshot they ask for."""
    from pipeline.build import run_pipeline

    s = make_settings(tmp_path_factory.mktemp("refresh-data"), shared_geo_dir)
    a = run_pipeline(s, as_of=AS_OF).snapshot_id
    b = run_pipeline(s, as_of=AS_OF + timedelta(days=2)).snapshot_id
    assert a and b and a != b
    server = LiveServer(s).start()
    deps = json.loads(urllib.request.urlopen(server.url + "/_dash-dependencies").read())
    key = next(d["output"] for d in deps if '"type":"graph"' in d["output"] and ".figure" in d["output"])
    yield server, key, a, b
    server.stop()


def _fill(srv, snap: str, class_name: str, trigger: str = "snap.data", search: str = "") -> dict:
    server, key = srv
    body = {
        "output": key,
        "outputs": [{"id": GRAPH, "property": "figure"},
                    {"id": {"type": "title-graph", "panel": PANEL}, "property": "children"},
                    {"id": GRAPH, "property": "clickData"}, {"id": GRAPH, "property": "className"}],
        "inputs": [{"id": "view", "property": "data", "value": search},
                   {"id": "snap", "property": "data", "value": snap}],
        "changedPropIds": [trigger],
        "state": [{"id": GRAPH, "property": "className", "value": class_name}],
    }
    req = urllib.request.Request(server.url + "/_dash-update-component", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read())["response"] if resp.status == 200 else {}


def _graph_out(out: dict) -> dict:
    return out.get(json.dumps(GRAPH, separators=(",", ":"), sort_keys=True), {})


def test_a_new_snapshot_sends_only_the_changed_traces(two_snapshots):
    server, key, a, b = two_snapshots
    srv = (server, key)
    first = _graph_out(_fill(srv, a, "panel-graph", trigger="view.data"))
    uids = [tr.get("uid") for tr in first["figure"]["data"]]
    assert first["className"] == f"panel-graph drawn from-{a}"
    assert any(u.startswith("res-") for u in uids) and any(u.startswith("ev-") for u in uids)

    patch = _graph_out(_fill(srv, b, first["className"]))["figure"]
    assert patch["__dash_patch_update"]
    ops = patch["operations"]
    assert ops
    # the boundaries and resource layers did not change between A and B: not
    # resent; the event layers are, in place or added or removed at the end
    sent = [op["params"]["value"] for op in ops if op["operation"] == "Assign"] + \
        [tr for op in ops if op["operation"] == "Extend" for tr in op["params"]["value"]]
    assert sent and all(tr["uid"].startswith("ev-") for tr in sent)
    for op in ops:
        assert op["location"][0] == "data", op
        if op["operation"] == "Assign":
            assert op["params"]["value"]["uid"] == uids[op["location"][1]]
        else:
            assert op["operation"] in ("Extend", "Delete"), op


def test_a_chart_already_showing_the_snapshot_gets_no_figure(two_snapshots):
    server, key, a, b = two_snapshots
    srv = (server, key)
    _fill(srv, b, "panel-graph", trigger="view.data")           # the render of B, cached
    out = _graph_out(_fill(srv, b, f"panel-graph drawn from-{b}"))
    assert "figure" not in out and out["className"] == f"panel-graph drawn from-{b}"


def test_a_chart_drawn_from_an_unknown_render_gets_every_trace(two_snapshots):
    server, key, a, b = two_snapshots
    srv = (server, key)
    patch = _graph_out(_fill(srv, b, "panel-graph drawn from-19700101T000000000Z-0"))["figure"]
    assert [op["location"] for op in patch["operations"]] == [["data"]]


def test_displays_asking_at_once_share_one_render(web_app, caplog):
    """Right after a new snapshot, many walls ask for the same panel within
    moments: one of them computes it, the others get that result."""
    import threading

    from components import context, shell
    from components.panels import REGISTRY

    panel = REGISTRY["economy-map"]
    results, start = [], threading.Barrier(8)

    def ask():
        with web_app.server.app_context():
            db = context.database()
            # a view no other test renders, so the cache starts without it
            c = context.Ctx(state=context.read_state("?region=370200&indicator=gdp&period=2026-05",
                                                     pages=tuple(shell.PAGES)), snapshot=db.snapshot_id())
            start.wait()
            results.append(shell._rendered(panel, c))

    with caplog.at_level("INFO", logger="cockpit.render"):
        threads = [threading.Thread(target=ask) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    renders = [r for r in caplog.records if r.name == "cockpit.render" and "economy-map" in r.getMessage()]
    assert len(results) == 8 and len(renders) == 1
    assert all(r[2] == results[0][2] for r in results)


@pytest.mark.parametrize("search", ["", "?region=370200"])
def test_cached_renders_are_plain_json_data(web_app, search):
    """What the render cache keeps is plain JSON data: a go.Figure or a Dash
    component in it is validated again on every cache hit (that was most of a
    wall's poll cost), and would not survive a JSON round trip unchanged."""
    import json

    from components import context, shell
    from components.panels import REGISTRY

    with web_app.server.test_request_context("/"):
        db = context.database()
        c = context.Ctx(state=context.read_state(search, pages=tuple(shell.PAGES)), snapshot=db.snapshot_id())
        for pid, panel in REGISTRY.items():
            out, title, digests = shell._rendered(panel, c)
            assert json.loads(json.dumps([out, title])) == [out, title], pid
            assert (digests is not None) == (panel.kind == "graph"), pid
            if panel.kind == "graph":
                assert len(digests) == len(out["data"]), pid
