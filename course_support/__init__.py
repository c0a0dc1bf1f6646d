"""Support shared by every section: the task catalogue, the grading plugin and a real PostgreSQL."""
