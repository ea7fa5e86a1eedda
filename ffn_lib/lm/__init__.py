"""Does the gate pay? A small character-level language model with each of Shazeer's eight FFNs.

* :mod:`~ffn_lib.lm.data`: the corpus (Python's documentation topics, shipped with
  Python), characters as tokens, the fixed held-out split, the unigram baseline;
* :mod:`~ffn_lib.lm.model`: a nanoGPT-style decoder whose FFN is an ``ffn_lib`` block;
* :mod:`~ffn_lib.lm.train`: AdamW, warm-up + cosine, held-out evaluation;
* :mod:`~ffn_lib.lm.experiment`: every variant x several seeds, the CPU and GPU sizes;
* :mod:`~ffn_lib.lm.results`: the results schema, checking, loading and writing,
  and the recorded runs for the chapter;
* :mod:`~ffn_lib.lm.analysis`: per-variant summaries over seeds and ranks;
* :mod:`~ffn_lib.lm.stats`: Student's t, Welch, Holm, the matched and family contrasts paired by seed, the pooled
  view (ANOVA, Levene/Brown–Forsythe, Tukey's HSD), the contrast along training;
* :mod:`~ffn_lib.lm.verdict`, :mod:`~ffn_lib.lm.findings`: the findings in words and tables, generated from
  the numbers (the cost side from the recorded benchmark too); :mod:`~ffn_lib.lm.run_notes`: a recorded run's notes;
* :mod:`~ffn_lib.lm.figures`, :mod:`~ffn_lib.lm.stat_figures`: learning curves; the contrasts, every pair's gap,
  the runs against Table 1, the final losses.

``python -m ffn_lib.lm --gpu --out results/lm-<gpu>-<date>`` records the GPU run.
"""

from .data import (CharTokenizer, Corpus, batch_starts, corpus_text, eval_windows, load_corpus, split_point,
                   unigram_loss, windows_at)
from .experiment import (CPU, CPU_THREADS, DEMO, GPU, PRESETS, Preset, coverage, estimate_seconds, fit_budget,
                         flops_per_step, run_experiment)
from .model import GPT, GPTConfig, param_table
from .results import (VariantSummary, curve_offset, load_runs, markdown_report, plot_curves, ranking, recorded,
                      sentences, spearman, summarize, table_markdown, validate, write_outputs)
from .train import RunResult, TrainConfig, cpu_threads, evaluate, learning_rate, train_run

__all__ = [
    "CPU", "CPU_THREADS", "CharTokenizer", "Corpus", "DEMO", "GPT", "GPTConfig", "GPU", "PRESETS", "Preset",
    "RunResult", "TrainConfig", "VariantSummary", "batch_starts", "corpus_text", "coverage", "cpu_threads",
    "curve_offset", "estimate_seconds", "eval_windows", "evaluate", "fit_budget", "flops_per_step",
    "learning_rate", "load_corpus", "load_runs", "markdown_report", "param_table", "plot_curves", "ranking",
    "recorded", "run_experiment", "sentences", "spearman", "split_point", "summarize", "table_markdown",
    "train_run", "unigram_loss", "validate", "windows_at", "write_outputs",
]
