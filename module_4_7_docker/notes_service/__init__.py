"""A small notes API on PostgreSQL: the application that section 4.7 puts into a container.

It imports nothing from the rest of the repository (only relative imports), so the Docker build
context can be this section's folder alone and the image ships the package as ``notes_service``.
"""
