"""Meaning search: the model, the vectors, the nearest passages, and blending them with words."""
