"""Section 4.7: a FastAPI notes service on PostgreSQL, in a multistage image and a compose stack."""
