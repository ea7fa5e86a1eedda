"""The released-model table: quoted data that must at least be consistent with itself and with Llama's rule."""

import re

import pytest

from ffn_lib.released_models import RELEASED_MODELS, ReleasedModel, active_expert_width, table_markdown


@pytest.mark.parametrize("m", [m for m in RELEASED_MODELS if m.rule is not None], ids=lambda m: m.name)
def test_rule_rows_match_llamas_rounding(m):
    assert m.rule_d_ff() == m.d_ff


def test_rows_are_consistent():
    names = [m.name for m in RELEASED_MODELS]
    assert len(names) == len(set(names))
    for m in RELEASED_MODELS:
        assert m.source.strip(), m.name
        if m.experts is not None:
            routed, per_token, shared = m.experts
            assert 0 < per_token <= routed and shared >= 0 and m.expert_d_ff, m.name
            assert "expert" in m.ffn, m.name
        if m.swiglu_limit is not None:
            assert "clamped" in m.ffn and m.swiglu_limit > 0, m.name
        if m.rule is not None:
            assert m.d_model and m.d_ff, m.name


def test_the_models_issue_20_asked_for_are_there():
    names = " ".join(m.name for m in RELEASED_MODELS)
    for wanted in ("Qwen", "DeepSeek-V2", "DeepSeek-V3", "GLM", "gpt-oss"):
        assert wanted in names
    assert any(m.swiglu_limit for m in RELEASED_MODELS)


def test_table_has_one_row_per_model_with_computed_ratio():
    table = table_markdown()
    rows = [line for line in table.splitlines()[2:]]
    assert len(rows) == len(RELEASED_MODELS)
    llama = next(r for r in rows if r.startswith("| LLaMA 7B "))
    assert "| 2.69 |" in llama and "Llama's rule (checked)" in llama
    v3 = next(r for r in rows if r.startswith("| DeepSeek-V3 "))
    assert "256 / 8 / 1, 2,048" in v3 and "deepseek-ai/DeepSeek-V3" in v3
    assert all(len(re.findall(r"(?<!\\)\|", r)) == 9 for r in rows)  # eight cells each (fits 1280 px)
    gpt_oss = next(r for r in rows if r.startswith("| gpt-oss 120B "))
    assert "`swiglu_limit` 7 |" in gpt_oss


def test_active_expert_width():
    v3 = next(m for m in RELEASED_MODELS if m.name == "DeepSeek-V3")
    assert active_expert_width(v3) == (8 + 1) * 2048
    assert active_expert_width(ReleasedModel("x", "SwiGLU", 8, 16, "s")) is None


def test_a_wrong_rule_is_caught():
    m = ReleasedModel("bad", "SwiGLU", 4096, 11264, "s", rule={})
    assert m.rule_d_ff() != m.d_ff


def test_transcribed_configs_agree_with_their_rows():
    from ffn_lib.released_models import CONFIG_EXCERPTS, excerpt_lines, mismatches

    assert {e.model for e in CONFIG_EXCERPTS} >= {"Qwen2.5 7B", "gpt-oss 120B"}
    for e in CONFIG_EXCERPTS:
        assert mismatches(e) == [], e
    assert all(line.endswith("The row agrees with every field.") for line in excerpt_lines())
    assert '`hidden_act` "silu"' in excerpt_lines()[0]


def test_a_row_copied_wrongly_is_caught():
    import dataclasses

    from ffn_lib.released_models import CONFIG_EXCERPTS, mismatches, row_value

    qwen = next(m for m in RELEASED_MODELS if m.name == "Qwen2.5 7B")
    wrong = (dataclasses.replace(qwen, d_ff=18432),)
    found = mismatches(CONFIG_EXCERPTS[0], wrong)
    assert found == ["Qwen2.5 7B: config.json of Qwen/Qwen2.5-7B has intermediate_size 18944, the row 18432."]
    gpt = next(m for m in RELEASED_MODELS if m.name == "gpt-oss 120B")
    assert mismatches(CONFIG_EXCERPTS[2], (dataclasses.replace(gpt, swiglu_limit=10.0),))
    assert row_value(gpt, "intermediate_size") == 2880 and row_value(gpt, "num_hidden_layers") == 36
    with pytest.raises(ValueError, match="name"):
        row_value(gpt, "rope_theta")


def test_a_row_without_numbers_says_why():
    """Every row gives d_model and a width (dense or per expert), or its FFN text says why it has none (Primer)."""
    for m in RELEASED_MODELS:
        if m.d_model is None or (m.d_ff is None and m.expert_d_ff is None):
            assert "no one released model" in m.ffn, m.name
    falcon = next(m for m in RELEASED_MODELS if m.name == "Falcon-40B")
    assert falcon.d_ff == 4 * falcon.d_model and "tiiuae/falcon-40b" in falcon.source
