"""Alembic migrations of the task-tracker schema; ``module_4_5_sqlalchemy.migrate`` runs them."""
