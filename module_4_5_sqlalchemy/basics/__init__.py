"""The section's core exercise: async connection, models, an Alembic migration, CRUD, JOINs."""
