"""``python -m counterflow.cli``."""

import sys

from counterflow.cli import main

sys.exit(main())
