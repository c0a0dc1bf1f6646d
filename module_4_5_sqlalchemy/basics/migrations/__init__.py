"""Alembic migrations of the core exercise; `basics/alembic.ini` points here."""
