"""The call store: loaded calls and reviews kept encrypted in SQLite or PostgreSQL; nothing else knows SQL."""
