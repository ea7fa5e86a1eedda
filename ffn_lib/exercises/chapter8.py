"""Exercises of chapter 8: does the gate pay? A parameter-matched language model."""

import statistics
from dataclasses import replace
from functools import lru_cache
from statistics import NormalDist

import torch

from ..variants import VARIANTS
from .choice import ChoiceExercise
from .number import NumberExercise
from .words import N_

_TRIO = ("ReLU", "Bilinear", "SwiGLU")
_ORDER_OPTIONS = {
    "a": "SwiGLU, then Bilinear, then ReLU",
    "b": "ReLU, then SwiGLU, then Bilinear",
    "c": "Bilinear, then SwiGLU, then ReLU",
    "d": "SwiGLU, then ReLU, then Bilinear",
}


def _table1_order() -> str:
    """The option listing the trio in Table 1's order (lowest log-perplexity at 65,536 steps first)."""
    order = ", then ".join(sorted(_TRIO, key=lambda n: VARIANTS[n].log_perplexity_65k))
    return next(k for k, v in _ORDER_OPTIONS.items() if v == order)


# The reader's own run (exercises 3 and 4): the CPU experiment's model (lm.CPU, the size of the chapter's short run,
# lm.DEMO) at another width, trained briefly.
READER_D_MODEL = 48
READER_SEED = 7
READER_STEPS = 60


def reader_preset(d_model: int = READER_D_MODEL):
    """The CPU experiment's preset (``lm.CPU``) at width ``d_model``, trained for READER_STEPS steps."""
    from ..lm import CPU

    train = replace(CPU.train, steps=READER_STEPS, warmup_steps=6, eval_every=20)
    return replace(CPU, d_model=d_model, train=train)


@lru_cache(maxsize=None)
def _corpus():
    from ..lm import load_corpus

    return load_corpus()


def _params(variant: str, d_model: int = READER_D_MODEL, d_ff: int | None = None, *, ffn_only: bool = False) -> int:
    from ..lm import GPT

    with torch.random.fork_rng(devices=[]):
        config = reader_preset(d_model).model_config(_corpus().tokenizer.vocab_size, variant, d_ff)
        return GPT(config).param_count(ffn_only=ffn_only)


@lru_cache(maxsize=None)
def _reader_run(seed: int = READER_SEED, d_model: int = READER_D_MODEL):
    """The ``RunResult`` of SwiGLU at ``d_model`` trained with ``seed`` (one thread, global RNG untouched)."""
    from ..lm import CPU_THREADS, cpu_threads, train_run

    preset = reader_preset(d_model)
    corpus = _corpus()
    with torch.random.fork_rng(devices=[]), cpu_threads(CPU_THREADS):
        return train_run(preset.model_config(corpus.tokenizer.vocab_size, "SwiGLU"), preset.train, corpus, seed)


def _reader_loss(seed: int = READER_SEED, d_model: int = READER_D_MODEL) -> float:
    """Final held-out loss of SwiGLU at ``d_model`` trained with ``seed``."""
    return _reader_run(seed, d_model).final_val_loss


# The runs exercise 4's check needs: its answer's and its known mistakes' (seed 0; the chapter's width).
_READER_RUNS = ((READER_SEED, READER_D_MODEL), (0, READER_D_MODEL), (READER_SEED, 64))
TRAINING_NOTE = N_("Checking: training the reference runs first (this exercise's run and the runs of two known "
                 "mistakes, one thread each); this takes a while, once per session.")


def _training_note() -> str | None:
    """What exercise 4's check prints before it trains its reference runs; None once they are trained."""
    return TRAINING_NOTE if _reader_run.cache_info().currsize < len(_READER_RUNS) else None


# The corpus is the running Python's own pydoc_data text, so its vocabulary, and the answers that depend on it,
# can differ between Python versions: exercises 3 and 4 end their statements with the same note, written out in
# each (one whole message per statement).

# Exercise 5's made-up matched pair: GEGLU minus GELU, final held-out loss, seed by seed (nats; typed in its
# statement too, and a test checks that the two agree).
PAIRED_DIFFERENCES = (-0.022, -0.008, -0.015)


def _t(q: float, df: int) -> float:
    from ..lm import stats

    return stats.t_quantile(q, df)


def paired_interval(differences=PAIRED_DIFFERENCES, quantile=None, sd=None, root=None) -> float:
    """Half-width of the 95% paired t interval of the mean of ``differences``, t_{0.975, n-1} s_d / sqrt(n)
    (``lm.stats.mean_interval``); ``quantile``, ``sd`` and ``root`` replace its parts, for the known mistakes."""
    import math

    from ..lm import stats

    n = len(differences)
    if quantile is None and sd is None and root is None:
        return stats.mean_interval(differences)
    q = stats.t_quantile(0.975, n - 1) if quantile is None else quantile
    s = statistics.stdev(differences) if sd is None else sd
    return q * s / math.sqrt(n if root is None else root)



# Exercise 2's made-up family: the two-sided p-values of the matched pairs' paired t tests, in the order GEGLU -
# GELU, SwiGLU - Swish, ReGLU - ReLU (typed in its statement too, and a test checks that the two agree). The
# exercise asks for the adjusted p-value of the first, GEGLU against GELU.
MATCHED_P_VALUES = (0.020, 0.015, 0.300)
HOLM_ASKED = 0


def holm_adjusted(p_values=MATCHED_P_VALUES, which: int = HOLM_ASKED) -> float:
    """Holm's adjusted p-value of test ``which`` in the family ``p_values`` (``lm.stats.holm``)."""
    from ..lm import stats

    return stats.holm(p_values)[1][which]


def _rank(p_values, which: int) -> int:
    """The 1-based rank j of test ``which`` among ``p_values``, smallest first (ties in input order)."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    return order.index(which) + 1


def holm_step(which: int = HOLM_ASKED, p_values=MATCHED_P_VALUES, *, bonferroni: bool = False) -> float:
    """min(1, (m - j + 1) p_(j)) for test ``which`` at rank j, without Holm's running maximum; with
    ``bonferroni``, min(1, m p) (the known mistakes of exercise 2)."""
    m, p = len(p_values), p_values[which]
    return min(1.0, (m if bonferroni else m - _rank(p_values, which) + 1) * p)


def holm_threshold(which: int = HOLM_ASKED, p_values=MATCHED_P_VALUES) -> float:
    """Holm's threshold alpha / (m - j + 1) for test ``which`` at rank j (Holm 1979)."""
    from ..lm import stats

    return stats.ALPHA / (len(p_values) - _rank(p_values, which) + 1)

EXERCISES = [
    ChoiceExercise(
        title="Predict the ordering",
        statement="Before you look at this chapter's results, commit to a prediction. If the runs behave like "
                  "Shazeer's (Table 1, 65,536 steps), in which order do ReLU, Bilinear and SwiGLU finish, lowest "
                  "held-out loss first? The check takes the option for Table 1's order. To think about (not "
                  "checked; the solution discusses it): compare with the recorded GPU run (section *Against "
                  "Table 1*), does its order agree, and which of its gaps do the pairwise tests resolve?",
        hints=["`ffn_lib.VARIANTS[name].log_perplexity_65k` holds the quoted Table 1 numbers.",
               "Lower log-perplexity is better; Bilinear is the gated block with no activation at all."],
        starter='answer = ...  # "a", "b", "c" or "d"\nex.q1.check(answer)',
        options=_ORDER_OPTIONS,
        correct=_table1_order,
        mistakes={"b": "in Table 1 ReLU is the worst of the three: both gated blocks beat it.",
                  "c": "Bilinear beats ReLU in Table 1, but SwiGLU's gate does better still.",
                  "d": "Bilinear, even without an activation, beats ReLU in Table 1."},
    ),
    NumberExercise(
        title="Holm's correction, step by step",
        statement=r"Suppose each of the chapter's three matched pairs was tested on its own, a paired $t$ test over "
                  r"three seeds, and the two-sided p-values were $p = 0.020$ for GEGLU against GELU, $p = 0.015$ "
                  r"for SwiGLU against Swish and $p = 0.300$ for ReGLU against ReLU (made-up numbers, for this "
                  r"exercise). A pair's Holm-adjusted p-value is the smallest family-wise level $\alpha$ at which "
                  r"Holm's step-down procedure resolves it. What is the Holm-adjusted p-value of GEGLU against GELU "
                  r"in this family of three tests (three decimal places)? To think about (not checked; the solution "
                  r"discusses it): compare each pair's adjusted p-value with $\alpha = 0.05$, which of the three "
                  r"pairs does the correction resolve?",
        hints=[r"Holm's procedure steps down: rank the pairs by p-value, smallest first, and compare the $j$-th "
               r"smallest of $m$ with $\alpha/(m - j + 1)$, stopping at the first that fails. The smallest meets "
               r"the strictest threshold, $\alpha/m$, and a pair is resolved only if every pair ranked before it "
               r"is resolved too.",
               r"On the p scale: multiply the $j$-th smallest p-value by $m - j + 1$, then take the running "
               r"maximum, $\tilde p_{(j)} = \max_{i \le j} \min\bigl(1, (m - i + 1)\,p_{(i)}\bigr)$, so that no "
               r"adjusted p-value is smaller than the one ranked before it. `lm.stats.holm(p_values)` returns "
               r"(rejected, adjusted p-values) in the input's order."],
        starter="answer = ...\nex.q2.check(answer)",
        expected=lambda: holm_adjusted(),
        abs_tol=5e-4,
        fraction=True,  # a p-value: "4.5%" is 0.045
        mistakes=[(lambda: MATCHED_P_VALUES[HOLM_ASKED],
                   "that is the pair's own p-value, uncorrected. Three tests give three chances for a p-value "
                   "below 0.05 by luck alone; the correction keeps the chance that any of the three is resolved "
                   "by luck at 5%."),
                  (lambda: holm_step(bonferroni=True),
                   "that is Bonferroni's correction, m·p, every p-value multiplied by m = 3. Holm's step-down "
                   "multiplies only the smallest by m: the j-th smallest is multiplied by m - j + 1, and so it "
                   "resolves every pair that Bonferroni resolves, and sometimes more."),
                  (lambda: holm_step(),
                   "that is (m - j + 1)·p_(j) for this pair alone, without the running maximum. Holm resolves a "
                   "pair only if every pair with a smaller p-value is resolved too, so an adjusted p-value is never "
                   "smaller than the one ranked before it: take the maximum over this pair and the pairs ranked "
                   "before it."),
                  (lambda: max(holm_step(i) for i in range(len(MATCHED_P_VALUES))),
                   "that takes the maximum over all three pairs, the largest p-value included. The running maximum "
                   "runs only over the pairs ranked at or before this one (the smaller p-values): a larger p-value "
                   "ranked after it cannot hold this pair back."),
                  (lambda: holm_threshold(),
                   "that is Holm's threshold for this pair's rank, α/(m - j + 1), the number its raw p-value is "
                   "compared with. The adjusted p-value puts the comparison on the p scale instead: it is compared "
                   "with α itself.")],
    ),
    NumberExercise(
        title="Your model, parameter-matched",
        statement=r"Build the model of the chapter's short run at a width of your own, $d_\text{model} = 48$ "
                  r"(`lm.DEMO` uses 64, the recorded GPU run 256), with the SwiGLU FFN: "
                  r"`lm.GPT(lm.GPTConfig(corpus.tokenizer.vocab_size, 'SwiGLU', d_model=48, n_layer=2, n_head=2, "
                  r"context=64))`. How many parameters does it have? To think about (not checked; the solution "
                  r"discusses it): before you train anything, check how far the ReLU model at the same width is "
                  r"from it, and why, at this width, the gap is what it is. *The text, "
                  r"and so the answer, comes with your Python: the answer box in chapter 8's page checks the answer "
                  r"for the Python that built the book (printed there with the corpus); `check` in your notebook "
                  r"checks it for yours.*",
        hints=["`model.param_count()` counts each parameter once (the tied embedding too).",
               "`lm.param_table(config)` lists every variant at once, with the gap to the first."],
        starter="answer = ...\nex.q3.check(answer)",
        expected=lambda: _params("SwiGLU"),
        integer=True,
        unit="parameters",
        mistakes=[(lambda: _params("SwiGLU", d_ff=4 * READER_D_MODEL),
                   "that SwiGLU model has d_ff = 4 d_model, not the matched 2/3 of it, so it has more parameters "
                   "than the ReLU model."),
                  (lambda: _params("SwiGLU", ffn_only=True),
                   "that counts the FFNs alone; the question asks for the whole model (embeddings, attention, "
                   "layer norms too)."),
                  (lambda: _params("SwiGLU") + _corpus().tokenizer.vocab_size * READER_D_MODEL,
                   "that counts the output layer separately; it is tied to the token embedding."),
                  (lambda: _params("SwiGLU", d_model=64),
                   "that is the model at the short run's width, d_model = 64; the exercise's has d_model = 48.")],
    ),
    NumberExercise(
        title="Your own run",
        statement=r"Train that SwiGLU model yourself with seed 7, for 60 steps of the CPU experiment's settings "
                  r"(`lm.CPU`, the size of the chapter's short run): `preset = ex8.reader_preset()` gives them "
                  r"(import it with `from ffn_lib.exercises import chapter8 as ex8`), and `lm.train_run(...)` does "
                  r"the training. What final held-out loss does it reach (nats per character)? The check trains "
                  r"its reference run in your session, on your machine. A run repeated with the same seed gave the "
                  r"same loss to the last digit in the course's tests, run only on the CPU build of PyTorch that "
                  r"built this book; the tolerance below allows for last digits that another machine or PyTorch "
                  r"build may change. *The text, and so the "
                  r"answer, comes with your Python: the answer box in chapter 8's page checks the answer for the "
                  r"Python that built the book (printed there with the corpus); `check` in your notebook checks it "
                  r"for yours.*",
        hints=["`lm.train_run(preset.model_config(corpus.tokenizer.vocab_size, \"SwiGLU\"), preset.train, corpus, "
               "seed=7)` returns a `RunResult`; run it inside `with lm.cpu_threads(lm.CPU_THREADS):` (one thread, "
               "as the chapter's runs).",
               "The answer is the run's `final_val_loss`, measured on every held-out window."],
        starter="answer = ...\nex.q4.check(answer)",
        expected=lambda: _reader_loss(),
        abs_tol=2e-3,
        unit="nats",
        objects={"RunResult": "final_val_loss"},
        preparing=_training_note,
        mistakes=[(lambda: _reader_loss(seed=0), "that is seed 0, the chapter's first seed; the exercise asks "
                                                 "for seed 7."),
                  (lambda: _reader_loss(d_model=64), "that model has the chapter's width, 64; the exercise's has "
                                                     "d_model = 48."),
                  (lambda: _reader_run().curve_val_loss[-1],
                   "that is the last point of the learning curve, `curve_val_loss[-1]`, measured on a subset of the "
                   "held-out windows; the answer is `final_val_loss`, measured on all of them.")],
    ),
    NumberExercise(
        title="A paired t interval from three seeds",
        statement=r"Suppose the matched pair GEGLU and GELU was trained with three seeds, and seed by seed the final "
                  r"held-out losses differ by $d_s = L_\text{GEGLU} - L_\text{GELU}$: $-0.022$, $-0.008$ "
                  r"and $-0.015$ nats (made-up numbers, for this exercise). What is the half-width of the chapter's "
                  r"95% paired $t$ interval of their mean, $\bar d$ (one number, in nats)? To think about (not "
                  r"checked; the solution discusses it): does the interval exclude zero?",
        hints=[r"Here $n = 3$, $\bar d = -0.015$, and $s_d$ is the standard deviation of the three differences with "
               r"$n - 1$ in the denominator (`statistics.stdev`).",
               r"Student's $t$ at $n - 1 = 2$ degrees of freedom, not the normal quantile: the chapter prints "
               r"$t_{0.975,2}$, and `lm.stats.t_quantile(0.975, 2)` computes it."],
        starter="answer = ...\nex.q5.check(answer)",
        # rounded to 6 decimals (0.017388963982253484 unrounded): the tolerance asks for 4 decimal places
        expected=lambda: round(paired_interval(), 6),
        abs_tol=5e-5,
        unit="nats",  # the differences are in nats, so is the half-width
        half_width=True,  # "±0.0174" is read as 0.0174
        mistakes=[(lambda: paired_interval(quantile=NormalDist().inv_cdf(0.975)),
                   "that uses the normal quantile 1.96. Three seeds estimate the standard deviation only roughly, "
                   "and Student's t at 2 degrees of freedom, which allows for that, is more than twice as large."),
                  (lambda: paired_interval(quantile=2.0),
                   "that is \"two standard errors\", the normal rule of thumb. Three seeds estimate the standard "
                   "deviation only roughly, and Student's t at 2 degrees of freedom, which allows for that, is more "
                   "than twice as large."),
                  (lambda: paired_interval(quantile=_t(0.975, 3)),
                   "that takes Student's t at n = 3 degrees of freedom; the paired interval has n - 1 = 2."),
                  (lambda: paired_interval(quantile=_t(0.95, 2)),
                   "that is the one-sided quantile t_0.95; a two-sided 95% interval leaves 2.5% in each tail, so "
                   "it uses t_0.975."),
                  (lambda: paired_interval(sd=statistics.pstdev(PAIRED_DIFFERENCES)),
                   "that divides by n in the standard deviation; the sample standard deviation divides by n - 1 "
                   "(statistics.stdev, not pstdev)."),
                  (lambda: paired_interval(root=1),
                   "that is t times s_d, the spread of a single seed's difference; the interval of the mean divides "
                   "by √n."),
                  (lambda: paired_interval(quantile=1.0),
                   "that is the standard error of the mean difference, s_d/√n; the half-width multiplies it by "
                   "Student's t at n - 1 = 2 degrees of freedom."),
                  (lambda: 2 * paired_interval(),
                   "that is the whole width of the interval, from its lower end to its upper end; the half-width "
                   "is half of it, t s_d/√n."),
                  (lambda: paired_interval(root=len(PAIRED_DIFFERENCES) - 1),
                   "that divides by √(n - 1); the standard error of the mean is s_d/√n (the n - 1 belongs in s_d "
                   "and in the degrees of freedom).")],
    ),
]
