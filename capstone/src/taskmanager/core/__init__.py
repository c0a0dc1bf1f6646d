"""What every domain shares: settings, database, security, errors, pagination and middleware."""
