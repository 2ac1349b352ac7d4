"""`python -m zhiqian_desktop` runs the command line (and, with no command, the desktop app)."""

from zhiqian_desktop.cli.launch import run

raise SystemExit(run())
