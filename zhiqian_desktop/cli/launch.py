"""The `zhiqian` program's entry point: loads the command line with Python's cyclic garbage
collector paused, then runs the command with the collector on.

Loading SQLAlchemy, the models and the commands makes a few hundred thousand objects that all
live until the process ends. With the collector on, Python walks the whole growing heap again
and again while they are made: about a third of the CPU time of a short read such as
``zhiqian cases --limit 1`` (bench/README.md, "Issue 20, fourth pass"). None of them is garbage,
so the collector is paused while they load; then they are set aside from its generations
(``gc.freeze``) and it runs as usual for whatever the command does, however long it lasts
(``zhiqian serve``, an import, the desktop app)."""

from __future__ import annotations

import gc


def run() -> int:
    """Run the command line (``cli/main.py``); returns its exit code."""
    gc.disable()
    try:
        from zhiqian_desktop.cli.main import main
    finally:
        gc.freeze()
        gc.enable()
    return main()
