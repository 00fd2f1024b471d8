"""``python -m matcher``: the same as the ``matcher`` command."""

import sys

from matcher.cli import main

sys.exit(main())
