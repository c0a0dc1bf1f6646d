"""``python -m module_4_2_asyncio.task_queue``: the core queue's demo; see ``--help``.

The production queue's demo is ``python -m module_4_2_asyncio.task_queue.cli``.
"""

import sys

from module_4_2_asyncio.task_queue.simple import main

sys.exit(main())
