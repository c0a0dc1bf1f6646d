"""The capstone's black-box contract suite and its runner (task 4.8.2, `nox -s contract`).

The suite (``tests/contract_*.py``) talks HTTP to a running Task Manager API and imports nothing
of it, so it grades any implementation of ``capstone/docs/api-contract.md``.
"""
