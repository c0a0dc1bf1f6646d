"""Users: profiles, roles and the admin endpoints."""
