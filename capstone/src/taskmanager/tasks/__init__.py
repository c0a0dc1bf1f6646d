"""Tasks: a user's private to-do items with tags, filters, keyset pages, stats and ETags."""
