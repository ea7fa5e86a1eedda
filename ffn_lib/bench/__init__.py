"""The benchmark suite (``python -m ffn_lib.bench``) and its recorded results.

See :mod:`ffn_lib.bench.suite` for what is measured and
:mod:`ffn_lib.bench.report` for reading runs back.
"""

from .report import describe_run, load_runs, markdown_table, plot_run, recorded, rows_markdown, select, validate
from .suite import Config, run_suite, write_outputs

__all__ = ["Config", "describe_run", "load_runs", "markdown_table", "plot_run", "rows_markdown", "run_suite",
           "recorded", "select", "validate", "write_outputs"]
