"""Section 4.3, FastAPI: one application with hello/calculator/echo, streaming uploads and notes.

Run it with ``python -m module_4_3_fastapi``; ``app.create_app`` builds it for tests and servers.
"""
