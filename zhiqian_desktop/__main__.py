"""`python -m zhiqian_desktop` runs the command line (and, with no command, the desktop app)."""

import sys

if getattr(sys, "frozen", False):
    import multiprocessing

    # A worker drawing a batch's documents (printing/render_pool.py) is this program started
    # again: in the bundle it must run the worker here instead of the app.
    multiprocessing.freeze_support()

from zhiqian_desktop.cli.launch import run

raise SystemExit(run())
