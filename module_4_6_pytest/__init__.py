"""Section 4.6: a task-deadline service and the pytest suite that is the lesson.

The service computes due dates in business days, escalates priorities and assigns tasks; the
tests under ``tests/`` show fixtures, parametrization, properties, mocks and coverage.
"""
