"""The contract's tests, one module per part of ``capstone/docs/api-contract.md``."""
