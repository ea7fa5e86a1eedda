"""Write the configuration of one edition of the book: _config.yml with that edition's overrides.

    python scripts/book_config.py zh  OUT.yml    # the 简体中文 edition (gettext catalogues in locales/)
    python scripts/book_config.py pot OUT.yml    # the message extraction (no notebook executed)

One _config.yml stays the source; an edition only adds keys, so the two cannot drift.
"""
from __future__ import annotations

import copy
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _merge(base: dict, extra: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


LOCALE = {"language": "zh_CN", "locale_dirs": [str(ROOT / "locales")], "gettext_compact": False}

EDITIONS = {
    "zh": {
        "title": "Transformer 的 FFN：从公式到融合核函数",   # as the front page's heading (book/intro.po)
        "author": "FFN 课程作者",   # "The ffn course authors"; the footer's "作者：" is book/_ext/zh_templates
        "html": {"extra_footer": "由执行过的记事本构建；书中每个数字都由旁边的代码算出。"},
        "execute": {"cache": str(ROOT / "_build" / ".jupyter_cache_zh")},
        "sphinx": {"config": {**LOCALE, "html_search_language": "zh",
                              "bibtex_reference_style": "author_year_round_zh",
                              "html_last_updated_fmt": "%Y 年 %-m 月 %-d 日",   # "2026 年 12 月 2 日", no zero   # "Vaswani 等人（2017）"
                              # MyST-NB's and sphinx-togglebutton's own words, which they do not translate
                              "nb_code_prompt_show": "显示代码", "nb_code_prompt_hide": "隐藏代码",
                              "togglebutton_hint": "点击显示", "togglebutton_hint_hide": "点击隐藏"}},
    },
    "pot": {
        "execute": {"execute_notebooks": "off"},
        "sphinx": {"config": {"gettext_compact": False, "gettext_uuid": False, "gettext_location": False,
                              "gettext_additional_targets": []}},
    },
}


def edition_config(name: str) -> dict:
    if name not in EDITIONS:
        raise SystemExit(f"edition: expected one of {sorted(EDITIONS)}, got {name!r}")
    base = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    out = _merge(base, EDITIONS[name])
    # Jupyter Book resolves local extensions against the configuration file's folder: make them absolute.
    exts = out["sphinx"].get("local_extensions") or {}
    out["sphinx"]["local_extensions"] = {k: str((ROOT / v).resolve()) for k, v in exts.items()}
    return out


# The table of contents' part captions are not messages Sphinx's gettext sees (sphinx-external-toc writes them):
# the zh edition gets its own _toc.yml with these, everything else as in _toc.yml.
TOC_CAPTIONS = {"zh": {"Before you start": "开始之前", "Chapters": "章节", "Appendices": "附录"}}


def edition_toc(name: str) -> dict:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    names = TOC_CAPTIONS.get(name, {})
    for part in toc.get("parts", []):
        if part.get("caption") not in names and name in TOC_CAPTIONS:
            raise SystemExit(f"_toc.yml: caption {part.get('caption')!r} has no {name} translation in TOC_CAPTIONS")
        part["caption"] = names.get(part["caption"], part["caption"])
    return toc


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    out = Path(sys.argv[2])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(edition_config(sys.argv[1]), allow_unicode=True, sort_keys=False), encoding="utf-8")
    if sys.argv[1] in TOC_CAPTIONS:   # and its table of contents, beside it
        toc = out.with_name(f"_toc.{sys.argv[1]}.yml")
        toc.write_text(yaml.safe_dump(edition_toc(sys.argv[1]), allow_unicode=True, sort_keys=False),
                       encoding="utf-8")
