"""Alembic migrations, shipped inside the package so `taskmanager migrate` works from anywhere."""
