"""`python -m zhiqian_desktop.cli`: the same as the `zhiqian` command."""

import sys

from zhiqian_desktop.cli.launch import run

sys.exit(run())
