"""Every exercise kind and its helpers in one namespace, for the chapter modules' one import line.

Where things live: :mod:`.base` (Exercise, Result, Markdown, Solution, running learner code under a
time limit), one module per kind (:mod:`.number`, :mod:`.choice`, :mod:`.shape`, :mod:`.function`),
:mod:`.number_text` (numbers and shapes as text: the one parser of the page and Python), :mod:`.values`
(comparing and describing a learner's values), :mod:`.page` (the book's rendering and page checker).
"""

from .base import (BOOK_ENV, STATUSES, TIME_LIMIT_S, Exercise, Markdown, Result, Solution,  # noqa: F401
                   call_with_time_limit)
from .choice import ChoiceExercise  # noqa: F401
from .function import FunctionExercise, is_stub  # noqa: F401
from .number import NumberExercise, to_number  # noqa: F401
from .number_text import fmt_number, fmt_shape, parse_number_text, parse_shape_text, read_number  # noqa: F401
from .shape import ShapeExercise  # noqa: F401
from .values import FUNCTION_TOL, describe, values_match  # noqa: F401
