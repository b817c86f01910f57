"""Every screen, registered in one place. Importing this package registers the
pages (components.shell.PAGES) and their panels (components.panels.REGISTRY)."""
# Import order is navigation order.
from pages import overview  # noqa: F401,I001  (registration on import)
from pages import domains, indicator, status, wall  # noqa: F401,E402
