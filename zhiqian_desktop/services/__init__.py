"""Use cases: the only layer the GUI and the command line call."""

# Keeps the stored due items in step with every write made through a session (see the module).
from zhiqian_desktop.services.supervision import due_items as _due_items  # noqa: F401
