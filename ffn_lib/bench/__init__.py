"""The benchmark suite (``python -m ffn_lib.bench``) and its recorded results.

See :mod:`ffn_lib.bench.suite` for what is measured and
:mod:`ffn_lib.bench.report` for reading runs back.
"""

from .report import (
    RecordedSection,
    describe_run,
    latest_run,
    load_runs,
    markdown_table,
    plot_run,
    recorded,
    row,
    rows_markdown,
    select,
    self_checks,
    validate,
    value,
)
from .suite import GROUPS, CompileFallbackError, Config, FreshCompiled, run_suite, write_outputs

__all__ = ["CompileFallbackError", "Config", "FreshCompiled", "GROUPS", "RecordedSection", "describe_run",
           "latest_run", "load_runs", "markdown_table", "plot_run", "recorded", "row", "rows_markdown", "run_suite",
           "select", "self_checks", "validate", "value", "write_outputs"]
