"""The image's HEALTHCHECK: exit 0 when ``/health/live`` answers 200 on this container's loopback.

Liveness, not readiness: while PostgreSQL is down the process is still fine (``/health/ready``
says 503 and the API answers 503 fast), and restarting it would not bring the database back.
The slim image has no curl; the standard library is enough.
"""

from __future__ import annotations

import os
import sys
import urllib.request

URL = os.environ.get("HEALTHCHECK_URL", "http://127.0.0.1:8000/health/live")


def main() -> int:
    """Exit status for Docker: 0 healthy, 1 not."""
    try:
        with urllib.request.urlopen(URL, timeout=4) as response:  # noqa: S310 - http on loopback
            return 0 if response.status == 200 else 1
    except OSError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
