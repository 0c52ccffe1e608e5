"""Readers (one per format, pure: text in, Transcript out) and the loader that stores them."""
