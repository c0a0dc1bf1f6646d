"""Collection rules of the shared support's tests."""

# The learner's capstone skeleton is a project of its own (its tests import its package):
# tests/test_starter_overlay.py checks it in a copy instead.
collect_ignore = ["starter_overlay"]
