"""Task Manager API: the course capstone (FastAPI, async SQLAlchemy on PostgreSQL, JWT auth)."""
