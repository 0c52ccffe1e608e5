"""HTML pages and the JSON API over one search service."""
