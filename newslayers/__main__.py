"""``python -m newslayers`` is the same as the ``newslayers`` command."""

import sys

from newslayers.cli import main

sys.exit(main())
