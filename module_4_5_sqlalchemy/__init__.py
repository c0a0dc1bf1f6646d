"""Section 4.5: SQLAlchemy 2 with asyncpg, Alembic migrations, CRUD and ORM queries."""
