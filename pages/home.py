"""`/` until the overview screen lands: the data status view."""
from __future__ import annotations

import dash

from pages.status import layout  # noqa: F401  (Dash reads `layout` from this module)

dash.register_page(__name__, path="/", title="一网统管驾驶舱", name="首页")
