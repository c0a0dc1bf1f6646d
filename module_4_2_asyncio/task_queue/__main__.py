"""``python -m module_4_2_asyncio.task_queue``: the demo; see ``--help``."""

import sys

from module_4_2_asyncio.task_queue.cli import main

sys.exit(main())
