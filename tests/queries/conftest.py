"""What the query tests share: a Database over the session's demo snapshot."""
from __future__ import annotations

import pytest

from core.snapshots import SnapshotStore
from queries.database import Database
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def db(demo_settings):
    d = Database(SnapshotStore(demo_settings.snapshot_dir), root_adcode=ROOT)
    yield d
    d.close()
