"""Tensor parallelism for a gated FFN: which columns of gate and up each rank must hold.

Megatron-LM's split of a Transformer MLP (Shoeybi et al. 2019, sec. 3) over R ranks: the first product is
**column-parallel** (rank r holds a block of the d_ff columns, so it computes its block of the activation with
no communication), the second is **row-parallel** (rank r holds the matching rows of W2), and one all-reduce sums
the R partial outputs. With a gate, the elementwise step act(g) * u multiplies gate column j by up column j, so
every rank must hold **matching** gate and up columns:

* **stacked** ``[W | V]`` (gate columns 0..d_ff-1, then up columns; ``gate_up_proj``, Megatron-Core's
  ``linear_fc1``): split each half on its own and give rank r ``[W_r | V_r]``. Splitting the stacked matrix in R
  contiguous blocks instead gives rank 0 only gate columns when R = 2. Megatron-Core's checkpoint code does the
  per-half split (``apply_swiglu_sharded_factory`` in ``megatron/core/transformer/mlp.py``: each rank's local
  weight is chunked in two, its halves stored at offsets r and R + r of the global tensor);
* **interleaved** (gate at the even columns, up at the odd ones, as gpt-oss's released ``swiglu`` reads them,
  ``x[..., ::2]`` and ``x[..., 1::2]``): a contiguous split keeps every pair together, which is how gpt-oss's
  reference code loads each rank's slice of ``mlp1`` (OpenAI, ``gpt_oss/torch/model.py``).

Weights are in the paper's layout, ``x @ W``: gate/up ``(d_model, 2 d_ff)``, down ``(d_ff, d_model)``. For
``nn.Linear`` weights ``(out, in)``, pass ``weight.T``.
"""

from __future__ import annotations

import torch

from .i18n import N_, tr

LAYOUTS = ("stacked", "interleaved")


def _check(w: torch.Tensor, ranks: int, layout: str | None = None) -> int:
    """d_ff of a (d_model, 2 d_ff) gate/up weight, after checking ``ranks`` and ``layout``."""
    if layout is not None and layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(map(repr, LAYOUTS))}, got {layout!r}.")
    if isinstance(ranks, bool) or not isinstance(ranks, int) or ranks < 1:
        raise ValueError(f"ranks must be a positive int, got {ranks!r}.")
    if not isinstance(w, torch.Tensor) or w.ndim != 2 or w.shape[1] % 2:
        raise ValueError(f"w_gate_up must be a 2-D (d_model, 2 d_ff) tensor, got {tuple(getattr(w, 'shape', ()))}.")
    d_ff = w.shape[1] // 2
    if d_ff % ranks:
        raise ValueError(f"d_ff ({d_ff}) must be divisible by ranks ({ranks}).")
    return d_ff


def interleave_columns(w_gate: torch.Tensor, w_up: torch.Tensor) -> torch.Tensor:
    """(d_model, d_ff) gate and up weights as one (d_model, 2 d_ff) weight, gate column j at 2j, up at 2j + 1."""
    if w_gate.shape != w_up.shape or w_gate.ndim != 2:
        raise ValueError(f"w_gate and w_up must be 2-D of one shape, got {tuple(w_gate.shape)} and "
                         f"{tuple(w_up.shape)}.")
    return torch.stack([w_gate, w_up], dim=2).reshape(w_gate.shape[0], -1)


def gate_up_halves(h: torch.Tensor, layout: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(g, u) from the output of a gate/up product in ``layout``: the two halves, or the even and odd columns."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(map(repr, LAYOUTS))}, got {layout!r}.")
    if h.shape[-1] % 2:
        raise ValueError(f"the last dimension of h must be even (gate and up), got {h.shape[-1]}.")
    if layout == "stacked":
        return h[..., : h.shape[-1] // 2], h[..., h.shape[-1] // 2:]
    return h[..., ::2], h[..., 1::2]


def contiguous_shards(w_gate_up: torch.Tensor, ranks: int) -> list[torch.Tensor]:
    """What a plain column-parallel split does: ``ranks`` contiguous blocks of columns, whatever they hold."""
    _check(w_gate_up, ranks)
    return list(torch.chunk(w_gate_up, ranks, dim=1))


def shard_gate_up(w_gate_up: torch.Tensor, ranks: int, layout: str) -> list[torch.Tensor]:
    """Each rank's columns of a gate/up weight, in the same layout, holding matching gate and up columns:
    stacked, ``[W_r | V_r]`` (each half split on its own); interleaved, a contiguous block (pairs stay whole)."""
    d_ff = _check(w_gate_up, ranks, layout)
    if layout == "interleaved":
        return contiguous_shards(w_gate_up, ranks)
    gates, ups = torch.chunk(w_gate_up[:, :d_ff], ranks, dim=1), torch.chunk(w_gate_up[:, d_ff:], ranks, dim=1)
    return [torch.cat([g, u], dim=1) for g, u in zip(gates, ups)]


def shard_down(w_down: torch.Tensor, ranks: int) -> list[torch.Tensor]:
    """Row-parallel: rank r's rows of the (d_ff, d_model) down projection, the d_ff block its activation covers."""
    if not isinstance(w_down, torch.Tensor) or w_down.ndim != 2:
        raise ValueError(f"w_down must be a 2-D (d_ff, d_model) tensor, got {tuple(getattr(w_down, 'shape', ()))}.")
    if isinstance(ranks, bool) or not isinstance(ranks, int) or ranks < 1 or w_down.shape[0] % ranks:
        raise ValueError(f"ranks must be a positive int dividing d_ff ({w_down.shape[0]}), got {ranks!r}.")
    return list(torch.chunk(w_down, ranks, dim=0))


def parallel_swiglu(x: torch.Tensor, shards: list[torch.Tensor], downs: list[torch.Tensor],
                    layout: str) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Each rank's SwiGLU on its own shards, as R ranks would compute it without communicating:
    (activations h_r = SiLU(g_r) * u_r, partial outputs h_r @ W2_r). Concatenated, the h_r are the block's
    activation; summed (the all-reduce), the partials are its output."""
    if len(shards) != len(downs):
        raise ValueError(f"one down shard per gate/up shard: got {len(shards)} and {len(downs)}.")
    local = []
    for w in shards:
        g, u = gate_up_halves(x @ w, layout)
        local.append(torch.nn.functional.silu(g) * u)
    return local, [h @ w2 for h, w2 in zip(local, downs)]


def _labels(codes: torch.Tensor) -> list[str]:
    return [f"g{int(c) - 1}" if c > 0 else f"u{-int(c) - 1}" for c in codes]


def layout_rows(d_ff: int = 4, ranks: int = 2) -> list[dict[str, str]]:
    """For a toy d_ff, what each rank holds under three splits (computed by the functions above on a weight whose
    columns are labelled g0.., u0..), and whether every rank's gate and up columns match pair by pair."""
    cols = torch.arange(1, d_ff + 1, dtype=torch.float64)
    stacked = torch.cat([cols, -cols])[None]  # +j+1: gate column j; -(j+1): up column j
    interleaved = interleave_columns(cols[None], -cols[None])
    cases = [(N_("stacked (all gate columns, then all up), cut in contiguous blocks"), "stacked",
              contiguous_shards(stacked, ranks)),
             (N_("stacked, each half cut on its own (rank r: W_r, then V_r)"), "stacked",
              shard_gate_up(stacked, ranks, "stacked")),
             (N_("interleaved (gate even, up odd), cut in contiguous blocks"), "interleaved",
              shard_gate_up(interleaved, ranks, "interleaved"))]
    rows = []
    for name, layout, shards in cases:
        pairs = [gate_up_halves(s[0], layout) for s in shards]
        rows.append({"split": name, "layout": layout,
                     "ranks": [" ".join(_labels(s[0])) for s in shards],
                     "matched": all(torch.equal(g, -u) for g, u in pairs)})
    return rows


def layout_table(d_ff: int = 4, ranks: int = 2) -> str:
    """:func:`layout_rows` as a Markdown table, one column per rank."""
    rows = layout_rows(d_ff, ranks)
    head = ("| " + tr("split") + " | " + " | ".join(tr("rank {r} holds", r=r) for r in range(ranks)) + " | "
            + tr("each gate column with its up column") + " |")
    lines = [head, "|---|" + "---|" * ranks + "---|"]
    for row in rows:
        lines.append("| {split} | {cols} | {ok} |".format(split=tr(row["split"]), cols=" | ".join(row["ranks"]),
                                                          ok=tr("yes") if row["matched"] else tr("no")))
    return "\n".join(lines)
