"""The browser fixtures of tests/web, for the benchmarks' browser conditions."""
from tests.web.conftest import browser, live_server  # noqa: F401
