"""Search engines behind one protocol (engine.py): FTS5, PostgreSQL, tantivy and Whoosh."""
