"""Section 4.4: Pydantic models, validation rules and settings loaded from the environment."""
