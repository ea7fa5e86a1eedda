"""Plain-text status in MyST-NB's execution table.

``{nb-exec-table}`` marks each notebook with the emoji U+2705 / U+274C, which a
browser without an emoji font draws as an empty box. After MyST-NB has built the
table (its post-transform has priority 8), this replaces the two marks by words.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

MARKS = {"\u2705": "passed", "\u274c": "failed"}
# the 简体中文 edition: the table's words in Chinese (MyST-NB has no Chinese catalogue of its own)
ZH = {"passed": "通过", "failed": "失败", "Document": "文档", "Modified": "修改时间", "Method": "执行方式",
      "Run Time (s)": "运行时间（秒）", "Status": "状态",
      # the Method column: MyST-NB's execution modes (nb_execution_mode)
      "cache": "缓存", "force": "强制执行", "auto": "自动", "inline": "内联"}


class ExecTableText(SphinxPostTransform):
    default_priority = 9  # after myst_nb's ExecutionStatsPostTransform (8)

    def run(self, **kwargs) -> None:
        zh = (self.config.language or "").startswith("zh")
        for table in self.document.findall(nodes.table):
            for text in list(table.findall(nodes.Text)):
                raw = text.astext().strip()
                word = MARKS.get(raw, raw)
                if zh:
                    word = ZH.get(word, word)
                if word != raw:
                    text.parent.replace(text, nodes.Text(word))


def setup(app):
    app.add_post_transform(ExecTableText)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
