"""Show the library's own code on the page.

A chapter that teaches a forward pass, a training loop or a timing loop should
show that code, not a call whose body the reader never sees. :func:`show_source`
returns the source of a function, method, class or module as a Markdown code
block that Jupyter (and the book) renders with syntax highlighting, so the page
always shows the code that actually runs.

>>> from ffn_lib import GatedFFN
>>> show_source(GatedFFN.forward)        # doctest: +SKIP
"""

from __future__ import annotations

import inspect
import textwrap
from typing import Any


class Source:
    """Source code that displays as a highlighted block in Jupyter and prints as plain text."""

    def __init__(self, code: str, name: str):
        self.code, self.name = code, name

    def _repr_markdown_(self) -> str:
        return f"```python\n{self.code}\n```"

    def __str__(self) -> str:
        return self.code

    __repr__ = __str__


def show_source(obj: Any, *, lines: tuple[int, int] | None = None) -> Source:
    """The source of ``obj`` (a function, method, class or module) as a displayable code block.

    ``lines=(first, last)`` keeps only those lines (1-based, inclusive) of the
    dedented source, to show one part of a long function.
    """
    try:
        code = textwrap.dedent(inspect.getsource(obj)).rstrip()
    except (TypeError, OSError):
        raise TypeError(f"obj must be a Python function, method, class or module with source on disk, "
                        f"got {type(obj).__name__}.") from None
    if lines is not None:
        if (not isinstance(lines, tuple) or len(lines) != 2 or not all(isinstance(i, int) for i in lines)
                or not 1 <= lines[0] <= lines[1]):
            raise ValueError(f"lines must be a (first, last) pair of 1-based line numbers, got {lines!r}.")
        code = "\n".join(code.splitlines()[lines[0] - 1:lines[1]])
    return Source(code, getattr(obj, "__qualname__", getattr(obj, "__name__", "source")))
