"""Comments on tasks: only on your own tasks, listed oldest first, paginated."""
