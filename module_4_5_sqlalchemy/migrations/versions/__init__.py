"""Migration scripts, oldest first; each one reviewed by hand."""
