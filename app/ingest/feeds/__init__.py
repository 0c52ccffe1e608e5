"""Podcast feeds: an RSS feed's episodes and their transcripts, fetched into a folder that the
ordinary folder ingest then reads (rss.py reads a feed, fetch.py fetches, mirror.py writes)."""
