"""Candidates and their ranking: scoring passages by the query words, merging them into moments."""
