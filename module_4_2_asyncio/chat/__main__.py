"""``python -m module_4_2_asyncio.chat``: the core chat server; see ``--help``.

The full server is ``python -m module_4_2_asyncio.chat.server``, its client
``python -m module_4_2_asyncio.chat.client``.
"""

import sys

from module_4_2_asyncio.chat.simple_server import main

sys.exit(main())
