"""Relaxation when strict matching finds nothing: spelling from the vocabulary, sound-alikes."""
