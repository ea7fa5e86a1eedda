"""Author-year citations, in the text and in the reference list alike.

sphinxcontrib-bibtex's ``author_year`` reference style writes citations in the text
as "Vaswani et al. [2017]" ({cite:t}) and "[Vaswani et al., 2017]" ({cite:p}), but
its list keeps pybtex's numeric labels ([1], [2], ...), so a reader cannot find a
citation in the list by its name. This extension registers:

* ``author_year_round``: the same reference style with round brackets, the usual
  author-year convention: "Vaswani et al. (2017)" and "(Vaswani et al., 2017)",
  with the year exactly as in the list ("Touvron et al. (2023a)");
* ``author_year``: a pybtex formatting style for the list (pybtex's ``unsrt``
  entries) whose labels are the same author-year text as the citations,
  "Vaswani et al., 2017", sorted by author, year and title;
* ``author_year_round_zh``: the 简体中文 edition's citations, "Vaswani 等人（2017）",
  "（PyTorch 贡献者，2025）".

An author list that ends in BibTeX's "and others" reads "et al." (等人 in 简体中文)
wherever it is printed, whatever the number of authors named before it: in the text
"(Rouhani et al., 2023)", never "(Rouhani and others, 2023)", and in the list
"Bita Darvish Rouhani et al.".

Selected in ``_config.yml``: ``bibtex_reference_style: author_year_round`` and
``bibtex_default_style: author_year``.
"""

from __future__ import annotations

import dataclasses

from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting.author_year_title import SortingStyle as AuthorYearTitleSorting
from pybtex.style.template import FieldIsMissing, field, first_of, join, node, optional, sentence, tag
from sphinxcontrib.bibtex.plugin import register_plugin as register_bibtex_plugin
from sphinxcontrib.bibtex.style.referencing import BracketStyle, PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle
from sphinxcontrib.bibtex.style.referencing.basic_author_year import (
    BasicAuthorYearParentheticalReferenceStyle,
    BasicAuthorYearTextualReferenceStyle,
)
from sphinxcontrib.bibtex.style.template import join as join_et_al
from sphinxcontrib.bibtex.style.template import join2, post_text, pre_text, reference


def _is_others(person) -> bool:
    """BibTeX's "and others": the person pybtex makes of it."""
    return str(person) == "others"


@node
def cited_names(children, data, role, full=False) -> Text:
    """The persons of ``role`` as a citation names them, with the reference style's :class:`CitedPersons`:
    "Shazeer", "Hendrycks and Gimpel", "Vaswani et al." (three or more; all of them with ``full``), and "Rouhani
    et al." for a list that ends in "and others", however few are named before it."""
    assert not children
    try:
        persons = data["entry"].persons[role]
    except KeyError:
        raise FieldIsMissing(role, data["entry"]) from None
    style = data["style"].person
    others = len(persons) > 1 and _is_others(persons[-1])
    parts = [style.corporate_name(p) or style.style_plugin.format(p, style.abbreviate)
             for p in (persons[:-1] if others else persons)]
    if not others:
        return join_et_al(sep=style.sep, sep2=style.sep2, last_sep=style.last_sep,
                          other=None if full else style.other)[parts].format_data(data)
    named = join_et_al(sep=style.sep)[parts] if full else join_et_al[parts[0]]
    return Text(named.format_data(data), style.other)


@node
def cited_authors(children, data, full=False) -> Text:
    """The authors as a citation names them (:func:`cited_names`), else the editors, else the title."""
    assert not children
    return first_of[optional[cited_names("author", full=full)], optional[cited_names("editor", full=full)],
                    tag("em")[field("title")]].format_data(data)


@dataclasses.dataclass
class CitedPersons(PersonStyle):
    """sphinxcontrib-bibtex's person style, with "and others" read as :attr:`other` ("et al.") and corporate
    authors renamed word by word in :attr:`corporate` (``{"contributors": "贡献者"}``: "PyTorch 贡献者")."""

    corporate: dict = dataclasses.field(default_factory=dict)

    def corporate_name(self, person) -> Text | None:
        """A corporate author ("{PyTorch contributors}": one braced last name, no first names) with its words
        renamed; None for a person, or where no word is renamed."""
        if person.first_names or person.middle_names or len(person.last_names) != 1 or not self.corporate:
            return None
        words = Text.from_latex(person.last_names[0]).render_as("text").split(" ")
        renamed = [self.corporate.get(w, w) for w in words]
        return Text(" ".join(renamed)) if renamed != words else None

    def names(self, role: str, full: bool):
        return cited_names(role=role, full=full)

    def author_or_editor_or_title(self, full: bool):
        return cited_authors(full=full)


def _round() -> BracketStyle:
    return BracketStyle(left="(", right=")", sep="; ")


@node
def label_year(children, data) -> Text:
    """The year part of the entry's list label: "2023b" of "Touvron et al., 2023b"."""
    assert not children
    return Text(data["formatted_entry"].label.rpartition(", ")[2])


@dataclasses.dataclass
class _Parenthetical(BasicAuthorYearParentheticalReferenceStyle):
    def inner(self, role_name: str):
        return join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
            pre_text,
            reference[join(sep=self.author_year_sep)[
                self.person.author_or_editor_or_title(full="s" in role_name), label_year]],
            post_text,
        ]


@dataclasses.dataclass
class _Textual(BasicAuthorYearTextualReferenceStyle):
    def inner(self, role_name: str):
        return join(sep=self.text_reference_sep)[
            self.person.author_or_editor_or_title(full="s" in role_name),
            join[self.bracket.left,
                 join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[pre_text, reference[label_year], post_text],
                 self.bracket.right],
        ]


@dataclasses.dataclass
class RoundAuthorYearReferenceStyle(AuthorYearReferenceStyle):
    """In-text citations "Author (year)" and "(Author, year)", the year as in the list ("2023a")."""

    bracket_parenthetical: BracketStyle = dataclasses.field(default_factory=_round)
    bracket_textual: BracketStyle = dataclasses.field(default_factory=_round)
    bracket_author: BracketStyle = dataclasses.field(default_factory=_round)
    bracket_label: BracketStyle = dataclasses.field(default_factory=_round)
    bracket_year: BracketStyle = dataclasses.field(default_factory=_round)
    person: PersonStyle = dataclasses.field(default_factory=CitedPersons)

    def __post_init__(self):
        super().__post_init__()
        for i, style in enumerate(self.styles):
            if type(style) is BasicAuthorYearParentheticalReferenceStyle:
                self.styles[i] = _Parenthetical(bracket=style.bracket, person=style.person,
                                                author_year_sep=style.author_year_sep,
                                                pre_text_sep=style.pre_text_sep, post_text_sep=style.post_text_sep)
            elif type(style) is BasicAuthorYearTextualReferenceStyle:
                self.styles[i] = _Textual(bracket=style.bracket, person=style.person,
                                          text_reference_sep=style.text_reference_sep,
                                          pre_text_sep=style.pre_text_sep, post_text_sep=style.post_text_sep)
        self.role_style.update((role, style) for style in self.styles for role in style.role_names())


def _round_zh() -> BracketStyle:
    return BracketStyle(left="（", right="）", sep="；")


# the words of a corporate author that the 简体中文 edition translates ("PyTorch contributors": "PyTorch 贡献者");
# a team's own name ("Gemma Team", "Qwen Team") is the name it signs with, and stays
CORPORATE_ZH = {"contributors": "贡献者"}


def _persons_zh() -> PersonStyle:
    return CitedPersons(sep="、", sep2=" 和 ", last_sep=" 和 ", other=" 等人", corporate=dict(CORPORATE_ZH))


@dataclasses.dataclass
class RoundAuthorYearReferenceStyleZh(RoundAuthorYearReferenceStyle):
    """The 简体中文 edition's citations: "Vaswani 等人（2017）", "Hendrycks 和 Gimpel（2016）", "（Shazeer，2020）"."""

    bracket_parenthetical: BracketStyle = dataclasses.field(default_factory=_round_zh)
    bracket_textual: BracketStyle = dataclasses.field(default_factory=_round_zh)
    bracket_author: BracketStyle = dataclasses.field(default_factory=_round_zh)
    bracket_label: BracketStyle = dataclasses.field(default_factory=_round_zh)
    bracket_year: BracketStyle = dataclasses.field(default_factory=_round_zh)
    person: PersonStyle = dataclasses.field(default_factory=_persons_zh)
    author_year_sep: str = "，"
    text_reference_sep: str = ""


def _surname(person) -> str:
    latex = " ".join(person.prelast_names + person.last_names)
    return Text.from_latex(latex).render_as("text")


def author_year_label(entry) -> str:
    """"Shazeer, 2020", "Hendrycks and Gimpel, 2016", "Vaswani et al., 2017" (as the in-text citations)."""
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_surname(p) for p in persons if _surname(p) != "others"]
    if not names:
        who = Text.from_latex(entry.fields.get("title", entry.key)).render_as("text")
    elif len(names) == 1 and len(persons) == 1:
        who = names[0]
    elif len(names) == 2 and len(persons) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabelStyle(BaseLabelStyle):
    """Author-year labels; two entries with the same label get "a", "b" after the year, in list order."""

    def format_labels(self, sorted_entries):
        labels = [author_year_label(entry) for entry in sorted_entries]
        for i, label in enumerate(labels):
            same = [j for j, other in enumerate(labels) if other == label]
            yield label if len(same) == 1 else label + "abcdefghijklmnopqrstuvwxyz"[same.index(i)]


class PlainAuthorYearTitleSorting(AuthorYearTitleSorting):
    """pybtex's author, year, title order, with a corporate author's braces ("{Gemma Team}") left out of the key,
    so that it sorts by its first letter and not after "Z"."""

    def person_key(self, person):
        return super().person_key(person).replace("{", "").replace("}", "")


@node
def listed_names(children, context, role, **kwargs) -> Text:
    """pybtex's ``names`` for the list, with a closing "and others" written "et al.": "Bita Darvish Rouhani et
    al.", "Aakanksha Chowdhery, Sharan Narang, …, Adam Roberts et al." (BibTeX's own styles do the same)."""
    assert not children
    try:
        persons = context["entry"].persons[role]
    except KeyError:
        raise FieldIsMissing(role, context["entry"]) from None
    style = context["style"]
    if len(persons) > 1 and _is_others(persons[-1]):
        named = [style.format_name(p, style.abbreviate_names) for p in persons[:-1]]
        return Text(join(sep=kwargs.get("sep", ", "))[named].format_data(context), " et al.")
    return join(**kwargs)[[style.format_name(p, style.abbreviate_names) for p in persons]].format_data(context)


class AuthorYearStyle(UnsrtStyle):
    default_label_style = "author_year"
    default_sorting_style = "author_year_title_plain"

    def format_names(self, role, as_sentence=True):
        formatted = listed_names(role, sep=", ", sep2=" and ", last_sep=", and ")
        return sentence[formatted] if as_sentence else formatted


def setup(app):
    register_plugin("pybtex.style.labels", "author_year", AuthorYearLabelStyle)
    register_plugin("pybtex.style.sorting", "author_year_title_plain", PlainAuthorYearTitleSorting)
    register_plugin("pybtex.style.formatting", "author_year", AuthorYearStyle)
    register_bibtex_plugin("sphinxcontrib.bibtex.style.referencing", "author_year_round", RoundAuthorYearReferenceStyle)
    register_bibtex_plugin("sphinxcontrib.bibtex.style.referencing", "author_year_round_zh",
                           RoundAuthorYearReferenceStyleZh)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
