"""``python -m module_4_2_asyncio.downloader``: the core comparison; see ``--help``.

The four-strategy comparison with retries and checksums is ``python -m
module_4_2_asyncio.downloader.cli``.
"""

import sys

from module_4_2_asyncio.downloader.simple import main

sys.exit(main())
