"""The primary sources the course cites, in one place.

Each key is also a BibTeX key in ``book/references.bib`` (a test keeps the two
in step) so that the library's docstrings, the registry's ``source`` fields and
the book's citations all point at the same paper.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    key: str
    authors: str
    year: int
    title: str
    arxiv: str | None = None
    venue: str | None = None

    def __str__(self) -> str:
        where = f"arXiv:{self.arxiv}" if self.arxiv else (self.venue or "")
        return f"{self.authors} ({self.year}), \"{self.title}\", {where}"


SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        Source("vaswani2017attention", "Vaswani et al.", 2017, "Attention Is All You Need", "1706.03762"),
        Source("nair2010relu", "Nair & Hinton", 2010,
               "Rectified Linear Units Improve Restricted Boltzmann Machines", venue="ICML 2010"),
        Source("hendrycks2016gelu", "Hendrycks & Gimpel", 2016, "Gaussian Error Linear Units (GELUs)", "1606.08415"),
        Source("ramachandran2017swish", "Ramachandran, Zoph & Le", 2017, "Searching for Activation Functions",
               "1710.05941"),
        Source("elfwing2017silu", "Elfwing, Uchibe & Doya", 2017,
               "Sigmoid-Weighted Linear Units for Neural Network Function Approximation in Reinforcement Learning",
               "1702.03118"),
        Source("dauphin2017glu", "Dauphin et al.", 2017, "Language Modeling with Gated Convolutional Networks",
               "1612.08083"),
        Source("shazeer2020glu", "Shazeer", 2020, "GLU Variants Improve Transformer", "2002.05202"),
        Source("touvron2023llama", "Touvron et al.", 2023, "LLaMA: Open and Efficient Foundation Language Models",
               "2302.13971"),
        Source("raffel2020t5", "Raffel et al.", 2020,
               "Exploring the Limits of Transfer Learning with a Unified Text-to-Text Transformer", "1910.10683"),
        Source("williams2009roofline", "Williams, Waterman & Patterson", 2009,
               "Roofline: An Insightful Visual Performance Model for Multicore Architectures",
               venue="Communications of the ACM 52(4)"),
        Source("tillet2019triton", "Tillet, Kung & Cox", 2019,
               "Triton: An Intermediate Language and Compiler for Tiled Neural Network Computations",
               venue="MAPL 2019"),
    )
}


def cite(key: str) -> Source:
    """The :class:`Source` for a BibTeX key; ``KeyError`` names the known keys."""
    try:
        return SOURCES[key]
    except KeyError:
        raise KeyError(f"unknown source {key!r}; known: {', '.join(sorted(SOURCES))}") from None


class ReferenceList:
    """A chapter's references as a Markdown list (shown at the end of each chapter)."""

    def __init__(self, keys: list[str]):
        self.sources = [cite(k) for k in keys]

    def _repr_markdown_(self) -> str:
        return "\n".join(f"- {s}" for s in self.sources) + (
            "\n\nThe full bibliography, with every source of the course, is on the References page.")

    def __str__(self) -> str:
        return self._repr_markdown_()


def reference_list(keys: list[str]) -> ReferenceList:
    """The sources for ``keys``, formatted for a chapter's reference section."""
    return ReferenceList(list(keys))
