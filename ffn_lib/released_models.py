"""The FFN choices of released models, each quoted from the model's paper or released configuration.

Every number here is **quoted**, not computed: ``source`` names the paper (a citation key of
``book/references.bib``, written ``{cite:p}`key```) or the released file (``owner/name, config.json``:
the model's configuration as published on the Hugging Face Hub, with the field names it uses).
Where a model's width follows Llama's rounding rule, ``rule`` holds the arguments of
:func:`ffn_lib.sizing.llama_d_ff` that reproduce it, and the tests check that they do.

Mixture-of-experts (MoE) models replace the FFN by many small gated FFNs ("experts"), of which a router
picks a few per token; ``experts`` is (routed experts, experts per token, shared experts always applied),
``expert_d_ff`` one expert's width (``moe_intermediate_size``). ``d_ff`` is then the width of the dense FFN
the model keeps in its first layers (``intermediate_size``), or None where it has none.

For some rows the released configuration is also transcribed field by field (:data:`CONFIG_EXCERPTS`: the file,
its repository, the fields as published), and :func:`mismatches` checks the row against it, so that a number
copied wrongly into the table fails a test rather than a reader.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from .i18n import N_, tr
from .sizing import llama_d_ff


@dataclass(frozen=True)
class ReleasedModel:
    """One released model's FFN, as its source states it."""

    name: str
    ffn: str
    d_model: int | None
    d_ff: int | None
    source: str
    experts: tuple[int, int, int] | None = None  # (routed, per token, shared)
    expert_d_ff: int | None = None
    swiglu_limit: float | None = None
    rule: dict | None = None  # llama_d_ff(d_model, **rule) == d_ff
    layers: int | None = None  # Transformer blocks (``num_hidden_layers``), where a transcribed file gives them

    @property
    def width_source(self) -> str:
        """How d_ff was obtained: reproduced by Llama's rule, or read from the source as published."""
        if self.d_ff is None:
            return "–"
        return tr("Llama's rule (checked)") if self.rule is not None else tr("as published")

    def rule_d_ff(self) -> int | None:
        """d_ff from Llama's rule with this model's arguments, or None where the model does not use it."""
        return None if self.rule is None or self.d_model is None else llama_d_ff(self.d_model, **self.rule)


# The FFN descriptions and the sources are messages (N_), translated where the table shows them; model names and
# the numbers are not.
_HUB = N_("released config.json of {repo}")  # plain text: a long repository name may break at its hyphens (1280 px)
_HUB_SOURCE = re.compile(re.escape(_HUB).replace(r"\{repo\}", r"(?P<repo>\S+)"))


def _hub(repo: str) -> str:
    """The source of a row read from the model's released configuration on the Hugging Face Hub."""
    return _HUB.format(repo=repo)

RELEASED_MODELS: tuple[ReleasedModel, ...] = (
    ReleasedModel("T5 v1.1 base", N_("GEGLU, tanh GELU (`gated-gelu`)"), 768, 2048,
                  N_("the T5 repository's v1.1 checkpoint notes, beside {cite:p}`raffel2020t5`")),
    ReleasedModel("PaLM 540B", N_("SwiGLU, no 2/3 reduction"), 18432, 73728,
                  N_("{cite:p}`chowdhery2022palm`, Table 1")),
    ReleasedModel("LLaMA 7B", N_("SwiGLU, 2/3 of 4d rounded up to 256"), 4096, 11008,
                  N_("{cite:p}`touvron2023llama`, sec. 2.2"), rule={}),
    ReleasedModel("Llama 2 70B", N_("SwiGLU, multiplier 1.3, multiple of 4096"), 8192, 28672,
                  N_("{cite:p}`touvron2023llama2`, released parameters"),
                  rule=dict(multiple_of=4096, ffn_dim_multiplier=1.3)),
    ReleasedModel("Llama 3 8B", N_("SwiGLU, multiplier 1.3, multiple of 1024"), 4096, 14336,
                  N_("{cite:p}`dubey2024llama3`, Table 3"), rule=dict(multiple_of=1024, ffn_dim_multiplier=1.3)),
    ReleasedModel("Mistral 7B", "SwiGLU", 4096, 14336, N_("{cite:p}`jiang2023mistral`, Table 1")),
    ReleasedModel("Qwen2.5 7B", "SwiGLU (`hidden_act` `silu`)", 3584, 18944,
                  _hub("Qwen/Qwen2.5-7B") + "; {cite:p}`qwen2024qwen25`", layers=28),
    ReleasedModel("GLM-4 9B", "SwiGLU (`ffn_hidden_size`)", 4096, 13696, _hub("THUDM/glm-4-9b")),
    ReleasedModel("Gemma 7B", "GEGLU, tanh GELU", 3072, 24576,
                  N_("{cite:p}`gemma2024`, Table 1 (49,152: gate and up together)")
                  + "; {cite:p}`google2024gemmapytorch`"),
    ReleasedModel("Mixtral 8x7B", N_("SwiGLU experts"), 4096, None, N_("{cite:p}`jiang2024mixtral`, Table 1"),
                  experts=(8, 2, 0), expert_d_ff=14336),
    ReleasedModel("DeepSeekMoE 16B", N_("SwiGLU experts, fine-grained and shared"), 2048, 10944,
                  _hub("deepseek-ai/deepseek-moe-16b-base") + "; {cite:p}`dai2024deepseekmoe`",
                  experts=(64, 6, 2), expert_d_ff=1408),
    ReleasedModel("DeepSeek-V2", N_("SwiGLU experts, fine-grained and shared"), 5120, 12288,
                  _hub("deepseek-ai/DeepSeek-V2") + "; {cite:p}`deepseekai2024v2`", experts=(160, 6, 2), expert_d_ff=1536),
    ReleasedModel("DeepSeek-V3", N_("SwiGLU experts, fine-grained and shared"), 7168, 18432,
                  _hub("deepseek-ai/DeepSeek-V3") + "; {cite:p}`deepseekai2024v3`", experts=(256, 8, 1), expert_d_ff=2048),
    ReleasedModel("Qwen3 235B-A22B", N_("SwiGLU experts"), 4096, None, _hub("Qwen/Qwen3-235B-A22B"),
                  experts=(128, 8, 0), expert_d_ff=1536),
    ReleasedModel("GLM-4.5", N_("SwiGLU experts, shared"), 5120, 12288, _hub("zai-org/GLM-4.5") + "; {cite:p}`glm2025glm45`",
                  experts=(160, 8, 1), expert_d_ff=1536),
    ReleasedModel("gpt-oss 120B", N_("clamped SwiGLU experts (Swish 1.702, `up + 1`)"), 2880, None,
                  _hub("openai/gpt-oss-120b") + "; {cite:p}`openai2025gptoss`",
                  experts=(128, 4, 0), expert_d_ff=2880, swiglu_limit=7.0, layers=36),
    ReleasedModel("GPT-3 175B", N_("plain, GELU (GPT-2's block)"), 12288, 49152,
                  N_("{cite:p}`brown2020gpt3`, Table 2.1")),
    ReleasedModel("BLOOM 176B", N_("plain, GELU"), 14336, 57344, "{cite:p}`bigscience2022bloom`"),
    ReleasedModel("Falcon-40B", N_("plain, GELU (`dense_h_to_4h`: 4 × `hidden_size`)"), 8192, 32768,
                  _hub("tiiuae/falcon-40b") + "; {cite:p}`almazrouei2023falcon`"),
    ReleasedModel("OPT 175B", N_("plain, ReLU"), 12288, 49152, "{cite:p}`zhang2022opt`"),
    ReleasedModel("Primer", N_("plain, squared ReLU; found by a search at several sizes, no one released model"),
                  None, None, "{cite:p}`so2021primer`"),
    ReleasedModel("Nemotron-4 15B", N_("plain, squared ReLU"), 6144, 24576,
                  N_("{cite:p}`parmar2024nemotron4`, Table 1")),
)


@dataclass(frozen=True)
class ConfigExcerpt:
    """Fields transcribed from a model's released configuration file, as published (names and values)."""

    model: str  # the RELEASED_MODELS row they check
    repo: str  # the Hugging Face Hub repository
    path: str  # the file in it
    fields: dict[str, Any] = field(default_factory=dict)


CONFIG_EXCERPTS: tuple[ConfigExcerpt, ...] = (
    ConfigExcerpt("Qwen2.5 7B", "Qwen/Qwen2.5-7B", "config.json",
                  {"hidden_size": 3584, "intermediate_size": 18944, "num_hidden_layers": 28, "hidden_act": "silu"}),
    ConfigExcerpt("gpt-oss 120B", "openai/gpt-oss-120b", "config.json",
                  {"hidden_size": 2880, "intermediate_size": 2880, "num_hidden_layers": 36, "num_local_experts": 128,
                   "num_experts_per_tok": 4, "hidden_act": "silu"}),
    ConfigExcerpt("gpt-oss 120B", "openai/gpt-oss-120b", "original/config.json",  # read by gpt_oss/torch/model.py
                  {"hidden_size": 2880, "intermediate_size": 2880, "num_hidden_layers": 36, "num_experts": 128,
                   "experts_per_token": 4, "swiglu_limit": 7.0}),
)


def row_value(m: ReleasedModel, name: str) -> Any:
    """What row ``m`` says for the configuration field ``name`` (the names these files use). A model without a
    dense FFN gives its expert width for ``intermediate_size`` (gpt-oss's file names its expert width so);
    ``hidden_act`` is ``"silu"`` for every SwiGLU row, gpt-oss's Swish-1.702 included, as its file says."""
    experts = m.experts or (None, None, None)
    values = {"hidden_size": m.d_model, "intermediate_size": m.d_ff if m.d_ff is not None else m.expert_d_ff,
              "moe_intermediate_size": m.expert_d_ff, "num_hidden_layers": m.layers,
              "num_local_experts": experts[0], "num_experts": experts[0], "n_routed_experts": experts[0],
              "num_experts_per_tok": experts[1], "experts_per_token": experts[1], "n_shared_experts": experts[2],
              "swiglu_limit": m.swiglu_limit, "hidden_act": "silu" if "SwiGLU" in m.ffn else None}
    if name not in values:
        raise ValueError(f"name must be one of {', '.join(sorted(values))}, got {name!r}.")
    return values[name]


def mismatches(excerpt: ConfigExcerpt, models: tuple[ReleasedModel, ...] = RELEASED_MODELS) -> list[str]:
    """One sentence per field where the row differs from the transcribed file; empty when they agree."""
    row = next((m for m in models if m.name == excerpt.model), None)
    if row is None:
        return [tr("No row is named {model}.", model=excerpt.model)]
    return [tr("{model}: {path} of {repo} has {name} {file}, the row {row}.", model=excerpt.model, path=excerpt.path,
               repo=excerpt.repo, name=name, file=v, row=row_value(row, name))
            for name, v in excerpt.fields.items() if row_value(row, name) != v]


def _joined(items: list[str], message_of_two) -> str:
    return reduce(lambda a, b: message_of_two(a, b), items)


def excerpt_lines(excerpts: tuple[ConfigExcerpt, ...] = CONFIG_EXCERPTS) -> list[str]:
    """Chapter 6: each transcribed file, its fields, and whether the table's row agrees with every one."""
    lines = []
    for e in excerpts:
        found = mismatches(e)
        fields = _joined(["`{k}` {v}".format(k=k, v=json.dumps(v)) for k, v in e.fields.items()],
                         lambda a, b: tr("{a}, {b}", a=a, b=b)) if e.fields else ""
        verdict = (tr("The row agrees with every field.") if not found else
                   _joined(found, lambda a, b: tr("{sentence} {next_sentence}", sentence=a, next_sentence=b)))
        lines.append(tr("- {model}, `{path}` of `{repo}`: {fields}. {verdict}", model=e.model, path=e.path,
                        repo=e.repo, fields=fields, verdict=verdict))
    return lines


def _n(v: int | None) -> str:
    return "–" if v is None else f"{v:,}"


def _source(source: str) -> str:
    """A row's source in the reader's language: its parts (separated by "; ") each a message, or a Hub file."""
    def part(text: str) -> str:
        hub = _HUB_SOURCE.fullmatch(text)
        return tr(_HUB, repo=hub["repo"]) if hub else tr(text)
    return _joined([part(p) for p in source.split("; ")], lambda a, b: tr("{a}; {b}", a=a, b=b))


TABLE_HEADERS = (N_("model"), "FFN", "$d_\\text{model}$", N_("$d_\\text{ff}$ (dense)"), N_("ratio"),
                 N_("$d_\\text{ff}$ from"), N_("experts: routed / per token / shared, width"), N_("source (quoted)"))


def table_markdown(models: tuple[ReleasedModel, ...] = RELEASED_MODELS) -> str:
    """A Markdown table of ``models``: the quoted numbers, the computed ratio d_ff / d_model, the experts
    (routed / per token / shared, and one expert's width), the clamp beside the FFN, and each row's source."""
    lines = ["| " + " | ".join(tr(h) for h in TABLE_HEADERS) + " |", "|---|---|---:|---:|---:|---|---|---|"]
    for m in models:
        ratio = f"{m.d_ff / m.d_model:.2f}" if m.d_ff and m.d_model else "–"
        experts = "–" if m.experts is None else " / ".join(map(str, m.experts)) + f", {_n(m.expert_d_ff)}"
        ffn = tr(m.ffn) if m.swiglu_limit is None else tr("{ffn}, `swiglu_limit` {limit}", ffn=tr(m.ffn),
                                                           limit=f"{m.swiglu_limit:g}")
        lines.append(f"| {m.name} | {ffn} | {_n(m.d_model)} | {_n(m.d_ff)} | {ratio} | {m.width_source} "
                     f"| {experts} | {_source(m.source)} |")
    return "\n".join(lines)


def active_expert_width(m: ReleasedModel) -> int | None:
    """The FFN width one token passes through in an MoE layer: (per token + shared) x one expert's width."""
    if m.experts is None or m.expert_d_ff is None:
        return None
    _, per_token, shared = m.experts
    return (per_token + shared) * m.expert_d_ff
