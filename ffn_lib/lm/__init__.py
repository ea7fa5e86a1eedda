"""Does the gate pay? A small character-level language model with each of Shazeer's eight FFNs.

* :mod:`~ffn_lib.lm.data`: the corpus (Python's documentation topics, shipped with
  Python), characters as tokens, the fixed held-out split, the unigram baseline;
* :mod:`~ffn_lib.lm.model`: a nanoGPT-style decoder whose FFN is an ``ffn_lib`` block;
* :mod:`~ffn_lib.lm.train`: AdamW, warm-up + cosine, held-out evaluation;
* :mod:`~ffn_lib.lm.experiment`: every variant x several seeds, the CPU and GPU sizes;
* :mod:`~ffn_lib.lm.results`: the results schema, checking, loading and writing,
  and the recorded runs for the chapter;
* :mod:`~ffn_lib.lm.analysis`: summaries over seeds, pairs and ranks, with uncertainty;
* :mod:`~ffn_lib.lm.findings`: the findings in words and tables, generated from the numbers;
* :mod:`~ffn_lib.lm.figures`: learning curves, pairwise gaps, the runs against Table 1.

``python -m ffn_lib.lm --gpu --out results/lm-<gpu>-<date>`` records the GPU run.
"""

from .data import (CharTokenizer, Corpus, batch_starts, corpus_text, eval_windows, load_corpus, split_point,
                   unigram_loss, windows_at)
from .experiment import (CPU, CPU_THREADS, GPU, PRESETS, Preset, coverage, estimate_seconds, fit_budget,
                         flops_per_step, run_experiment)
from .model import GPT, GPTConfig, param_table
from .results import (Pair, VariantSummary, gated_minus_plain, load_runs, markdown_report, pairwise, plot_curves,
                      plot_pairwise, plot_vs_table1, ranking, recorded, sentences, spearman, summarize,
                      table1_agreement, table_markdown, tied_with_best, validate, write_outputs)
from .train import RunResult, TrainConfig, cpu_threads, evaluate, learning_rate, train_run

__all__ = [
    "CPU", "CPU_THREADS", "CharTokenizer", "Corpus", "GPT", "GPTConfig", "GPU", "PRESETS", "Pair", "Preset",
    "RunResult", "TrainConfig", "VariantSummary", "batch_starts", "corpus_text", "coverage", "cpu_threads", "estimate_seconds", "eval_windows",
    "evaluate", "fit_budget", "flops_per_step", "gated_minus_plain", "learning_rate", "load_corpus", "load_runs", "markdown_report",
    "pairwise", "param_table", "plot_curves", "plot_pairwise", "plot_vs_table1", "ranking", "recorded",
    "run_experiment", "sentences", "spearman", "split_point", "summarize", "table1_agreement", "table_markdown",
    "tied_with_best", "train_run", "unigram_loss", "validate", "windows_at", "write_outputs",
]
