"""``python -m module_4_6_pytest``: serve the task-deadline API with uvicorn.

Configuration comes from ``DEADLINES_*`` environment variables (see ``settings.py``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import uvicorn
from pydantic import ValidationError

from module_4_6_pytest.api import create_app
from module_4_6_pytest.settings import Settings


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m module_4_6_pytest",
        description="Serve the task-deadline API. Configure it with DEADLINES_DATABASE_URL, "
        "DEADLINES_HOLIDAYS_API_URL and the optional DEADLINES_HOLIDAYS_* variables.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port, 0 for any free one (8000)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        print(f"configuration error:\n{error}", file=sys.stderr)
        return 2
    # A request stuck on a hanging dependency must not keep a stopping server alive forever.
    uvicorn.run(create_app(settings), host=args.host, port=args.port, timeout_graceful_shutdown=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
