"""Talk archive: transcripts into SQLite full-text search, quotes found at the exact moment."""
