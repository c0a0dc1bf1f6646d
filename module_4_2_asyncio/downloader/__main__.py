"""``python -m module_4_2_asyncio.downloader``: see ``--help``."""

import sys

from module_4_2_asyncio.downloader.cli import main

sys.exit(main())
