"""The lowest layer: words, their forms and sounds, passages, alignment and links; pure, no I/O."""
