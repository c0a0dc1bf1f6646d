"""``python -m notes_service.healthcheck``: exit 0 when ``/health`` answers 200 (for HEALTHCHECK).

The slim image has no curl; the standard library's HTTP client is enough.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request

from .settings import ServerSettings


def is_healthy(port: int, timeout: float = 3.0) -> bool:
    """True when the service on this container's loopback reports itself healthy."""
    url = f"http://127.0.0.1:{port}/health"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def main() -> int:
    """Exit status for Docker: 0 healthy, 1 not."""
    return 0 if is_healthy(ServerSettings().port) else 1


if __name__ == "__main__":
    sys.exit(main())
