"""Query language, analysis, passages, engines and the search service."""
