"""Worked solutions of chapter 8."""

from statistics import NormalDist, mean, stdev

from ..base import Solution
from ..chapter8 import PAIRED_DIFFERENCES, paired_interval


def _paired_numbers() -> dict[str, str]:
    """Exercise 5's numbers as its solution writes them (computed here, from the statement's differences)."""
    d, half = PAIRED_DIFFERENCES, paired_interval()
    t = paired_interval(root=1) / stdev(d)
    return {"mean": f"{mean(d):.3f}", "sd": f"{stdev(d):.3f}", "se": f"{stdev(d) / len(d) ** 0.5:.5f}",
            "t": f"{t:.3f}", "half": f"{half:.4f}", "low": f"{mean(d) - half:.4f}", "high": f"{mean(d) + half:+.4f}",
            "normal": f"{paired_interval(quantile=NormalDist().inv_cdf(0.975)):.4f}"}


_PAIRED = _paired_numbers()

SOLUTIONS = {
    1: Solution(
        "Reading the 65,536-step column of Table 1 (quoted in `ffn_lib.VARIANTS`): SwiGLU 1.944, Bilinear 1.960, "
        "ReLU 1.997. Whether the recorded GPU run agrees is a separate question, which the chapter answers in two "
        "steps: the matched paired test (each gated variant against its own activation ungated, paired by seed) "
        "answers whether the gate helps; the 28-pair Welch/Holm map says which orderings of the eight variants "
        "the run resolves. ReLU, Bilinear and SwiGLU are not one matched pair, so their order is a question for "
        "the map: at this small scale, with three seeds, it resolves only gaps several times the seed-to-seed "
        "spread, and a gap of a few hundredths may be smaller; an unresolved pair is not shown to be equal, only "
        "not shown to differ.",
        """import ffn_lib

trio = sorted(["ReLU", "Bilinear", "SwiGLU"], key=lambda n: ffn_lib.VARIANTS[n].log_perplexity_65k)
options = {"SwiGLU, then Bilinear, then ReLU": "a", "ReLU, then SwiGLU, then Bilinear": "b",
           "Bilinear, then SwiGLU, then ReLU": "c", "SwiGLU, then ReLU, then Bilinear": "d"}
answer = options[", then ".join(trio)]""",
    ),
    2: Solution(
        r"Equal weights: $3 \cdot 512 \cdot d'_\text{ff} = 2 \cdot 512 \cdot 2048$, so $d'_\text{ff} = \tfrac23 "
        r"\cdot 2048 = 1365.3$, rounded down to 1365 (0.02% under budget). `sizing.matched_d_ff` is this rule.",
        """from ffn_lib import sizing

budget = sizing.param_count(512, 2048, gated=False, bias=False)
answer = budget // (3 * 512)""",
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
        "Train with the seed and settings asked for and read the final held-out loss; a fixed seed gives the same "
        "number on the same machine, to the last digit.",
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
