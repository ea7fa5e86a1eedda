"""Exercise ids across renumberings: the one table the progress file and the page's storage migrate with.

The chapter split of this round (chapter 7 "Writing the fused kernel" inserted, the capstone moved to 8)
renumbered exercises: old 6.6, 6.7, 6.8 are now 7.1, 7.2, 7.3, and every old 7.N is now 8.N; 6.1-6.5 stay.
:func:`renumber` applies the table to a whole set of ids at once (simultaneously, never chained: old 6.6
becomes 7.1 and stays 7.1, although old 7.1 itself becomes 8.1). :mod:`ffn_lib.exercises.store` (progress
file, version 1 -> 2) and the page's checker (browser storage, generated from this table by
:mod:`ffn_lib.exercises.page`) both use it.

An exercise replaced by a new one in the same slot keeps its id and gets a new *revision*
(:data:`REVISED`): progress saved for an older revision is not the new exercise's and is not counted for it
(nothing is migrated). Each saved record carries its revision (1 when it has none); the progress file
(version 3) and the page's storage both leave out a record whose revision is not the exercise's now.
"""

from __future__ import annotations

import re

RENUMBERED: dict[str, str] = {"6.6": "7.1", "6.7": "7.2", "6.8": "7.3"}  # one exercise each
CHAPTER_MOVED: dict[int, int] = {7: 8}  # every exercise N of the old chapter keeps N in the new one

# id -> the revision of the exercise in that slot now (1 when absent). 5.4 was "Parameter ratio at matched
# width" (the 2/3 rule, tested in 4.1 as well); since revision 2 it is the aligned SwiGLU unit's growth.
# 3.2 was "Swish at beta = 0" (Swish_0(3), read off the chapter); since revision 2 it is Swish_3''(0), the bend at 0.
# 8.2 was "Matched width for a budget" (the 2/3 rule again, d_ff for d_model = 512); since revision 2 it is
# Holm's adjusted p-value of one matched pair.
# 7.5 was "SwiGLU on one [gate | up] tensor" (the chapter's step 4, copied); since revision 2 it is the interleaved
# layout [g0, u0, g1, u1, ...]. 7.6 was "The fused backward, recomputing SiLU" (the chapter's backward step);
# since revision 2 it is GEGLU-tanh's backward.
# 6.5 was "Shazeer's Table 1" (the lowest log-perplexity, read off the table); since revision 2 it is the
# arithmetic budget of the fused SwiGLU step at the roofline's ridge point.
# 1.5 was "Dead ReLU units" (the definition, as a choice); since revision 2 it is `dead_units(x, W1, b1)`, the mask.
# 3.4 was "Swish for large beta" (its limit, ReLU, as a choice); since revision 2 it is the beta that brings
# Swish_beta(0.1) within 1% of ReLU(0.1).
REVISED: dict[str, int] = {"5.4": 2, "3.2": 2, "8.2": 2, "7.5": 2, "7.6": 2, "6.5": 2, "1.5": 2, "3.4": 2}

_ID = re.compile(r"^([0-9]{1,3})\.([0-9]{1,3})$")


def renumbered(old_id: str) -> str:
    """The id an exercise saved as ``old_id`` (before the renumbering) has now."""
    if old_id in RENUMBERED:
        return RENUMBERED[old_id]
    m = _ID.match(old_id)
    if m and int(m.group(1)) in CHAPTER_MOVED:
        return f"{CHAPTER_MOVED[int(m.group(1))]}.{m.group(2)}"
    return old_id


def revision(exercise_id: str) -> int:
    """The revision of the exercise that ``exercise_id`` names now: 1, or its entry in :data:`REVISED`."""
    return REVISED.get(exercise_id, 1)


def is_current(exercise_id: str, entry: dict) -> bool:
    """Whether a saved record ``entry`` is progress on the exercise ``exercise_id`` names now (same revision)."""
    saved = entry.get("revision", 1)
    return isinstance(saved, int) and not isinstance(saved, bool) and saved == revision(exercise_id)


def renumber(entries: dict[str, dict], merge) -> dict[str, dict]:
    """Every entry under its new id, all moved at once; ``merge(a, b)`` combines two entries that land on
    the same new id (only possible in a file that already mixed old and new ids)."""
    out: dict[str, dict] = {}
    for old_id, entry in entries.items():
        new_id = renumbered(old_id)
        out[new_id] = merge(out[new_id], entry) if new_id in out else entry
    return out
