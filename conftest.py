"""Plugins every section's tests use: task markers and grading, and a real PostgreSQL."""

pytest_plugins = ["course_support.grading", "course_support.pytest_postgres", "pytester"]
