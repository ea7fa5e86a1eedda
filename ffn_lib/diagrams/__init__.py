"""Diagrams drawn by code: one module per subject; each function returns a matplotlib Figure."""
