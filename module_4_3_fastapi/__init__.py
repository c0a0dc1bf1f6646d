"""Section 4.3, FastAPI: hello/calculator/echo, uploads (UploadFile and streamed), and notes.

Run it with ``python -m module_4_3_fastapi``; ``app.create_app`` builds it for tests and servers.
"""
