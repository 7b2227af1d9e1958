"""Storage: interviews and users, in SQLite or PostgreSQL, and who the user is."""
