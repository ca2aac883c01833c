"""Rendering for humans (Rich tables on a terminal, plain text when piped) and machines."""
