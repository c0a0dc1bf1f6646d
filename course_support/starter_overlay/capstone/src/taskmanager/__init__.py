"""Task Manager API: your capstone (section 4.8). The contract is docs/api-contract.md."""

__version__ = "0.1.0"
