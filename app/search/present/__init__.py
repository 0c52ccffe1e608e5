"""Presentation: hits, moments, snippets and talks as pages and the API show them."""
