"""The primary sources the course cites, in one place.

Each key is also a BibTeX key in ``book/references.bib`` (a test keeps the two
in step) so that the library's docstrings, the registry's ``source`` fields and
the book's citations all point at the same paper.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce

from .i18n import tr


@dataclass(frozen=True)
class Source:
    key: str
    authors: str
    year: int
    title: str
    arxiv: str | None = None
    venue: str | None = None

    @property
    def year_label(self) -> str:
        """The year as the book cites it: "2023a" where two sources share authors and year."""
        return f"{self.year}{_SAME_AUTHORS_AND_YEAR.get(self.key, '')}"

    @property
    def cited_authors(self) -> str:
        """The authors as a citation in the reader's language names them: "So et al.", "Hendrycks & Gimpel";
        in Chinese "So 等人", "Hendrycks 和 Gimpel", "Ramachandran、Zoph 和 Le" (as the book's citations)."""
        if self.authors.endswith(" et al."):
            return tr("{first} et al.", first=self.authors[:-len(" et al.")])
        if " & " in self.authors:
            *rest, last = re.split(r", | & ", self.authors)
            first = reduce(lambda a, b: tr("{items}, {item}", items=a, item=b), rest)
            return tr("{first} & {last}", first=first, last=last)
        return self.authors

    def citation(self) -> str:
        """The whole reference in the reader's language's punctuation (``str()`` is the English form)."""
        return tr("{authors} ({year}), \"{title}\", {where}", authors=self.cited_authors, year=self.year_label,
                  title=self.title, where=f"arXiv:{self.arxiv}" if self.arxiv else (self.venue or ""))

    def __str__(self) -> str:
        where = f"arXiv:{self.arxiv}" if self.arxiv else (self.venue or "")
        return f"{self.authors} ({self.year_label}), \"{self.title}\", {where}"


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
        Source("geva2021keyvalue", "Geva, Schuster, Berant & Levy", 2021,
               "Transformer Feed-Forward Layers Are Key-Value Memories", "2012.14913"),
        Source("so2021primer", "So et al.", 2021, "Primer: Searching for Efficient Transformers for Language Modeling",
               "2109.08668"),
        Source("narang2021transformer", "Narang et al.", 2021,
               "Do Transformer Modifications Transfer Across Implementations and Applications?", "2102.11972"),
        Source("fishman2024fp8", "Fishman, Chmiel, Banner & Soudry", 2024, "Scaling FP8 Training to Trillion-Token LLMs",
               "2409.12517"),
        Source("sun2024massive", "Sun, Chen, Kolter & Liu", 2024, "Massive Activations in Large Language Models",
               "2402.17762"),
        Source("chowdhery2022palm", "Chowdhery et al.", 2022, "PaLM: Scaling Language Modeling with Pathways",
               "2204.02311"),
        Source("touvron2023llama2", "Touvron et al.", 2023, "Llama 2: Open Foundation and Fine-Tuned Chat Models",
               "2307.09288"),
        Source("dubey2024llama3", "Dubey et al.", 2024, "The Llama 3 Herd of Models", "2407.21783"),
        Source("jiang2023mistral", "Jiang et al.", 2023, "Mistral 7B", "2310.06825"),
        Source("jiang2024mixtral", "Jiang et al.", 2024, "Mixtral of Experts", "2401.04088"),
        Source("gemma2024", "Gemma Team", 2024, "Gemma: Open Models Based on Gemini Research and Technology",
               "2403.08295"),
        Source("dai2024deepseekmoe", "Dai et al.", 2024,
               "DeepSeekMoE: Towards Ultimate Expert Specialization in Mixture-of-Experts Language Models",
               "2401.06066"),
        Source("brown2020gpt3", "Brown et al.", 2020, "Language Models are Few-Shot Learners", "2005.14165"),
        Source("bigscience2022bloom", "BigScience Workshop", 2022,
               "BLOOM: A 176B-Parameter Open-Access Multilingual Language Model", "2211.05100"),
        Source("almazrouei2023falcon", "Almazrouei et al.", 2023, "The Falcon Series of Open Language Models",
               "2311.16867"),
        Source("zhang2022opt", "Zhang et al.", 2022, "OPT: Open Pre-trained Transformer Language Models", "2205.01068"),
        Source("parmar2024nemotron4", "Parmar et al.", 2024, "Nemotron-4 15B Technical Report", "2402.16819"),
        Source("page1977normal", "Page", 1977,
               "Approximations to the Cumulative Normal Function and Its Inverse for Use on a Pocket Calculator",
               venue="Journal of the Royal Statistical Society, Series C (Applied Statistics) 26(1), 75-76"),
        Source("abramowitz1964handbook", "Abramowitz & Stegun", 1964,
               "Handbook of Mathematical Functions with Formulas, Graphs, and Mathematical Tables",
               venue="National Bureau of Standards, Applied Mathematics Series 55 (formula 7.1.26)"),
        Source("hsu2024liger", "Hsu et al.", 2024, "Liger Kernel: Efficient Triton Kernels for LLM Training",
               "2410.10989"),
        Source("karpathy2022nanogpt", "Karpathy", 2022, "nanoGPT", venue="https://github.com/karpathy/nanoGPT"),
        Source("ansel2024pytorch2", "Ansel et al.", 2024,
               "PyTorch 2: Faster Machine Learning Through Dynamic Python Bytecode Transformation and Graph "
               "Compilation", venue="ASPLOS 2024"),
        Source("shoeybi2019megatron", "Shoeybi et al.", 2019,
               "Megatron-LM: Training Multi-Billion Parameter Language Models Using Model Parallelism", "1909.08053"),
        Source("openai2025gptoss", "OpenAI", 2025, "gpt-oss reference implementation (gpt_oss/torch/model.py)",
               venue="https://github.com/openai/gpt-oss"),
        Source("google2020t5v11", "Google Research", 2020,
               "Experimental T5 Pre-Trained Model Checkpoints (released_checkpoints.md: the t5.1.1 models)",
               venue="https://github.com/google-research/text-to-text-transfer-transformer"),
        Source("huggingface2020activations", "Hugging Face", 2020,
               "Transformers: src/transformers/activations.py (gelu, gelu_new, ACT2FN)",
               venue="https://github.com/huggingface/transformers"),
        Source("shibata2020sleef", "Shibata & Petrogalli", 2020,
               "SLEEF: A Portable Vectorized Library of C Standard Mathematical Functions",
               "2001.09258"),
        Source("abdin2024phi3", "Abdin et al.", 2024,
               "Phi-3 Technical Report: A Highly Capable Language Model Locally on Your Phone", "2404.14219"),
        Source("kwon2023vllm", "Kwon et al.", 2023,
               "Efficient Memory Management for Large Language Model Serving with PagedAttention", "2309.06180"),
        Source("welch1947", "Welch", 1947, "The Generalization of 'Student's' Problem when Several Different "
               "Population Variances are Involved", venue="Biometrika 34(1-2), 28-35"),
        Source("satterthwaite1946", "Satterthwaite", 1946,
               "An Approximate Distribution of Estimates of Variance Components", venue="Biometrics Bulletin 2(6), 110-114"),
        Source("holm1979", "Holm", 1979, "A Simple Sequentially Rejective Multiple Test Procedure",
               venue="Scandinavian Journal of Statistics 6(2), 65-70"),
        Source("tukey1953", "Tukey", 1953, "The Problem of Multiple Comparisons",
               venue="unpublished manuscript, Princeton University"),
        Source("levene1960", "Levene", 1960, "Robust Tests for Equality of Variances",
               venue="in Olkin et al. (eds.), Contributions to Probability and Statistics, Stanford University "
                     "Press, 278-292"),
        Source("brown1974", "Brown & Forsythe", 1974, "Robust Tests for the Equality of Variances",
               venue="Journal of the American Statistical Association 69(346), 364-367"),
        Source("games1976", "Games & Howell", 1976,
               "Pairwise Multiple Comparison Procedures with Unequal N's and/or Variances: A Monte Carlo Study",
               venue="Journal of Educational Statistics 1(2), 113-125"),
        Source("pearson1966biometrika", "Pearson & Hartley", 1966,
               "Biometrika Tables for Statisticians, vol. 1, third edition (Table 29: the studentized range)",
               venue="Cambridge University Press"),
        Source("nvidia2024h200", "NVIDIA", 2024, "NVIDIA H200 Tensor Core GPU: specifications",
               venue="https://www.nvidia.com/en-us/data-center/h200/"),
        Source("nvidia2025cudaguide", "NVIDIA", 2025,
               "CUDA C++ Programming Guide, section Arithmetic Instructions (throughput per clock per multiprocessor)",
               venue="https://docs.nvidia.com/cuda/cuda-c-programming-guide/"),
        Source("bowling2009logistic", "Bowling, Khasawneh, Kaewkuekool & Cho", 2009,
               "A logistic approximation to the cumulative normal distribution",
               venue="Journal of Industrial Engineering and Management 2(1), 114-127"),
        Source("pytorch2025vecfloat", "PyTorch contributors", 2025,
               "PyTorch's vectorised float32 maths for AVX2 (aten/src/ATen/cpu/vec/vec256/vec256_float.h)",
               venue="https://github.com/pytorch/pytorch"),
        Source("fedus2022switch", "Fedus, Zoph & Shazeer", 2022,
               "Switch Transformers: Scaling to Trillion Parameter Models with Simple and Efficient Sparsity",
               "2101.03961"),
        Source("micikevicius2022fp8", "Micikevicius et al.", 2022, "FP8 Formats for Deep Learning", "2209.05433"),
        Source("rouhani2023mx", "Rouhani et al.", 2023, "Microscaling Data Formats for Deep Learning", "2310.10537"),
        Source("deepseekai2024v2", "DeepSeek-AI", 2024,
               "DeepSeek-V2: A Strong, Economical, and Efficient Mixture-of-Experts Language Model", "2405.04434"),
        Source("deepseekai2024v3", "DeepSeek-AI", 2024, "DeepSeek-V3 Technical Report", "2412.19437"),
        Source("qwen2024qwen25", "Qwen Team", 2024, "Qwen2.5 Technical Report", "2412.15115"),
        Source("glm2025glm45", "GLM-4.5 Team", 2025,
               "GLM-4.5: Agentic, Reasoning, and Coding (ARC) Foundation Models", "2508.06471"),
        Source("higham2002accuracy", "Higham", 2002, "Accuracy and Stability of Numerical Algorithms",
               venue="SIAM, second edition"),
        Source("shazeer2018meshtf", "Shazeer et al.", 2018, "Mesh-TensorFlow: Deep Learning for Supercomputers",
               "1811.02084"),
        Source("nvidia2025megatroncore", "NVIDIA", 2025,
               "Megatron-Core's MLP and its sharded checkpoints (megatron/core/transformer/mlp.py)",
               venue="https://github.com/NVIDIA/Megatron-LM"),
        Source("thakkar2023cutlass", "Thakkar et al.", 2023, "CUTLASS: example 45, DualGemm",
               venue="https://github.com/NVIDIA/cutlass"),
        Source("daolab2025quack", "Dao AI Lab", 2025, "QuACK: kernels in CuTe-DSL, with gated-activation GEMMs",
               venue="https://github.com/Dao-AILab/quack"),
        Source("vllm2024gemmagelu", "vLLM contributors", 2024,
               "Gemma implementation should use approximate GELU (issue 3411)",
               venue="https://github.com/vllm-project/vllm/issues/3411"),
        Source("google2024gemmapytorch", "Google", 2024, "Gemma reference implementation in PyTorch (gemma/model.py)",
               venue="https://github.com/google/gemma_pytorch"),
        Source("srivastava2015highway", "Srivastava, Greff & Schmidhuber", 2015, "Highway Networks", "1505.00387"),
        Source("vandenoord2016pixelcnn", "van den Oord et al.", 2016,
               "Conditional Image Generation with PixelCNN Decoders", "1606.05328"),
        Source("hochreiter1997lstm", "Hochreiter & Schmidhuber", 1997, "Long Short-Term Memory",
               venue="Neural Computation 9(8), 1735-1780"),
        Source("jayakumar2020multiplicative", "Jayakumar et al.", 2020, "Multiplicative Interactions and Where to Find Them",
               venue="ICLR 2020"),
    )
}

# Two sources with the same authors and year get "a", "b" after the year, in the order the book's
# reference list sorts them (book/_ext/bib_style.py; a test keeps the two in step).
_SAME_AUTHORS_AND_YEAR = {
    "touvron2023llama": "a",  # LLaMA (first author Touvron, second Lavril)
    "touvron2023llama2": "b",  # Llama 2 (second author Martin)
    "deepseekai2024v2": "a",  # DeepSeek-V2 (the titles sort V2 before V3)
    "deepseekai2024v3": "b",  # DeepSeek-V3
    "nvidia2025cudaguide": "a",  # CUDA C++ Programming Guide (the titles sort "CUDA" before "Megatron")
    "nvidia2025megatroncore": "b",  # Megatron-Core's MLP
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
        return "\n".join(f"- {s}" for s in self.sources) + "\n\n" + tr(
            "The full bibliography, with every source of the course, is on the References page.")

    def __str__(self) -> str:
        return self._repr_markdown_()


def reference_list(keys: list[str]) -> ReferenceList:
    """The sources for ``keys``, formatted for a chapter's reference section."""
    return ReferenceList(list(keys))
