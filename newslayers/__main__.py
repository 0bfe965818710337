"""``python -m newslayers`` is the same as the ``newslayers`` command."""

import sys

from newslayers.cli import main

if __name__ == "__main__":
    sys.exit(main())
