"""Worked solutions of chapter 8."""

from ..base import Solution

SOLUTIONS = {
    1: Solution(
        "Reading the 65,536-step column of Table 1 (quoted in `ffn_lib.VARIANTS`): SwiGLU 1.944, Bilinear 1.960, "
        "ReLU 1.997. Whether this chapter's runs agree is a separate question, answered by its ranking with "
        "uncertainty: at a tiny scale, with three seeds, the differences may be smaller than the spread.",
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
        "At d_model = 64 the matched width 170.67 is rounded down to 170, hence the chapter's small gap.",
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
}
