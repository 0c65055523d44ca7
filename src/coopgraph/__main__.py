"""``python -m coopgraph``."""

import sys

from coopgraph.cli import main

sys.exit(main())
