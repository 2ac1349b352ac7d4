"""`python -m zhiqian_desktop.cli`: the same as the `zhiqian` command."""

import sys

from zhiqian_desktop.cli.main import main

sys.exit(main())
