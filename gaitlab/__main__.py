"""``python -m gaitlab``: the gaitlab command."""

import sys

from gaitlab.cli import main

if __name__ == "__main__":
    sys.exit(main())
