"""`python -m taskmanager` is the `taskmanager` command."""

import sys

from taskmanager.cli import main

sys.exit(main())
