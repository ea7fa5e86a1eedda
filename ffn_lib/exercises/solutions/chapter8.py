"""Worked solutions of chapter 8."""

from statistics import NormalDist, mean, stdev

from ..base import Solution
from ..chapter8 import MATCHED_P_VALUES, PAIRED_DIFFERENCES, holm_adjusted, holm_step, paired_interval


def _paired_numbers() -> dict[str, str]:
    """Exercise 5's numbers as its solution writes them (computed here, from the statement's differences)."""
    d, half = PAIRED_DIFFERENCES, paired_interval()
    t = paired_interval(root=1) / stdev(d)
    return {"mean": f"{mean(d):.3f}", "sd": f"{stdev(d):.3f}", "se": f"{stdev(d) / len(d) ** 0.5:.5f}",
            "t": f"{t:.3f}", "half": f"{half:.4f}", "low": f"{mean(d) - half:.4f}", "high": f"{mean(d) + half:+.4f}",
            "normal": f"{paired_interval(quantile=NormalDist().inv_cdf(0.975)):.4f}"}


_PAIRED = _paired_numbers()


def _holm_numbers() -> dict[str, str]:
    """Exercise 2's numbers as its solution writes them (computed here, from the statement's p-values): p, the
    step value (m - j + 1) p and the adjusted p of each pair (ge: GEGLU - GELU, sw: SwiGLU - Swish, re: ReGLU -
    ReLU), and GEGLU - GELU's Bonferroni value."""
    names = ("ge", "sw", "re")
    out = {"bonf": f"{holm_step(0, bonferroni=True):.3f}"}
    for i, name in enumerate(names):
        out |= {f"p_{name}": f"{MATCHED_P_VALUES[i]:.3f}", f"s_{name}": f"{holm_step(i):.3f}",
                f"a_{name}": f"{holm_adjusted(which=i):.3f}"}
    return out


_HOLM = _holm_numbers()

SOLUTIONS = {
    1: Solution(
        "Reading the 65,536-step column of Table 1 (quoted in `ffn_lib.VARIANTS`): SwiGLU 1.944, Bilinear 1.960, "
        "ReLU 1.997. Whether the recorded GPU run agrees is a separate question, which the chapter answers in two "
        "steps: the matched paired test (each gated variant against its own activation ungated, paired by seed) "
        "answers whether the gate helps; the 28-pair Welch/Holm map says which orderings of the eight variants "
        "the run resolves. ReLU, Bilinear and SwiGLU are not one matched pair, so their order is a question for "
        "the all-pairs views, and they differ in power. Welch's test estimates each pair's spread from that "
        "pair's own six runs, at 2 to 4 degrees of freedom, so with Holm's correction over 28 pairs it resolves "
        "only gaps several times the seed-to-seed spread. The pooled view beside it (one-way ANOVA, Tukey's HSD) "
        "assumes one spread for all eight variants and estimates it from all the runs, at N - k degrees of "
        "freedom, so it resolves smaller gaps. Either way, an unresolved pair is not shown to be equal, only not "
        "shown to differ.",
        """import ffn_lib

trio = sorted(["ReLU", "Bilinear", "SwiGLU"], key=lambda n: ffn_lib.VARIANTS[n].log_perplexity_65k)
options = {"SwiGLU, then Bilinear, then ReLU": "a", "ReLU, then SwiGLU, then Bilinear": "b",
           "Bilinear, then SwiGLU, then ReLU": "c", "SwiGLU, then ReLU, then Bilinear": "d"}
answer = options[", then ".join(trio)]""",
    ),
    2: Solution(
        (r"Rank the $m = 3$ p-values, smallest first: ${p_sw}$ (SwiGLU against Swish), ${p_ge}$ (GEGLU against "
         r"GELU) and ${p_re}$ (ReGLU against ReLU). Holm multiplies them by $3$, $2$ and $1$: ${s_sw}$, ${s_ge}$ "
         r"and ${s_re}$. GEGLU against GELU is ranked second, and its own product, ${s_ge}$, is smaller than the "
         r"${s_sw}$ ranked before it. But Holm resolves a pair only if every pair with a smaller p-value is "
         r"resolved too, so the running maximum lifts it to $\max({s_sw}, {s_ge}) = {a_ge}$. The adjusted "
         r"p-values are ${a_sw}$, ${a_ge}$ and ${a_re}$: at $\alpha = 0.05$ the correction resolves SwiGLU against "
         r"Swish and GEGLU against GELU, and not ReGLU against ReLU. Bonferroni's $m \cdot p$ would give GEGLU "
         r"against GELU ${bonf}$, above $0.05$: Holm's step-down resolves every pair that Bonferroni resolves, "
         r"and here one more. `lm.stats.holm` computes the adjusted p-values in one call.").format(**_HOLM),
        """from ffn_lib.lm import stats

p = [0.020, 0.015, 0.300]  # GEGLU-GELU, SwiGLU-Swish, ReGLU-ReLU
rejected, adjusted = stats.holm(p, alpha=0.05)
print([f"{q:.3f}" for q in adjusted], rejected)  # resolved: the first two
answer = adjusted[0]  # GEGLU against GELU""",
    ),
    3: Solution(
        "Build the model and count. At d_model = 48 the ReLU model has exactly as many parameters: 4 d_model = 192 "
        "is divisible by 3, so the matched width 2/3 * 192 = 128 is a whole number and 2 * 48 * 192 = 3 * 48 * 128. "
        "At the chapter's widths it is not: at the recorded run's d_model = 256 the matched width 682.67 is rounded "
        "down to 682, hence the small gaps in the chapter's parameter table (and at the short run's 64, 170.67 "
        "becomes 170).",
        """from ffn_lib import lm

corpus = lm.load_corpus()
config = lm.GPTConfig(corpus.tokenizer.vocab_size, "SwiGLU", d_model=48, n_layer=2, n_head=2, context=64)
for row in lm.param_table(config, ["ReLU", "SwiGLU"]):
    print(row["variant"], row["params"], f"{row['gap']:+.2%}")
answer = lm.GPT(config).param_count()""",
    ),
    4: Solution(
        "Train with the seed and settings asked for and read the final held-out loss. The check trains its "
        "reference run in your session, so it compares with your machine's number. A run repeated with the same "
        "seed gave the same loss to the last digit in the course's tests, which were run only on the CPU build "
        "of PyTorch that built this book; on another machine or PyTorch build the last digits may differ, and "
        "the tolerance allows for that.",
        """from ffn_lib import lm
from ffn_lib.exercises import chapter8 as ex8

corpus = lm.load_corpus()
preset = ex8.reader_preset()
with lm.cpu_threads(lm.CPU_THREADS):  # one thread, as the chapter's runs
    run = lm.train_run(preset.model_config(corpus.tokenizer.vocab_size, "SwiGLU"), preset.train, corpus, seed=7)
answer = run.final_val_loss""",
    ),
    5: Solution(
        (r"The three differences have mean $\bar d = {mean}$ and standard deviation $s_d = {sd}$ ($n - 1$ in the "
         r"denominator), so the standard error of the mean is $s_d/\sqrt 3 = {se}$. Student's $t$ at $n - 1 = 2$ "
         r"degrees of freedom is $t_{{0.975,2}} = {t}$, and the half-width is ${t} \times {se} = {half}$: the "
         r'interval runs from ${low}$ to ${high}$ and contains zero, so this pair is "cannot tell". The normal '
         r'quantile 1.96 would have given $\pm {normal}$, an interval that excludes zero: with three seeds, "two '
         r'standard errors" is far weaker than 95%. `lm.stats.mean_interval(d)` computes the same '
         r"half-width.").format(**_PAIRED),
        """from statistics import mean, stdev

from ffn_lib.lm import stats

d = [-0.022, -0.008, -0.015]  # GEGLU minus GELU, seed by seed
n = len(d)
answer = stats.t_quantile(0.975, n - 1) * stdev(d) / n ** 0.5
print(f"{mean(d):.4f} ± {answer:.4f}")  # the interval contains 0: cannot tell""",
    ),
}
