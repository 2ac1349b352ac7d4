"""The command line's clock: the court's date and the moment, read by every command (a test may
put a fixed clock in ``CLOCK``)."""

from __future__ import annotations

from zhiqian_desktop.services.core.clock import Clock

CLOCK = Clock()
