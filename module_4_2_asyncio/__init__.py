"""Section 4.2 AsyncIO: a concurrent downloader, an async task queue and a socket chat server."""
