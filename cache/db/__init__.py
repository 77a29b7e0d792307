"""The database: the store (SQLite, WAL, transactions), its schema and migrations, and
the full-text index."""
