"""Worked solutions, one module per chapter, imported only when a solution is asked for."""
