"""Auth: registration, login, token rotation and logout."""
