"""The front pages state the timing rule once, with the number the code uses (no book build needed)."""

import re
from pathlib import Path

from ffn_lib.comparison import NOISY_SPREAD

PERCENT = round(100 * NOISY_SPREAD, 6)  # 25.0: the number both pages must print

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("notation", "glossary")
# the rule's second half, as both pages state it; the group is the percentage the test reads
RULE = re.compile(r"a middle half wider than (\d+(?:\.\d+)?)% of\s+its median \(the machine was busy\) gives no "
                  r"verdict\s+unless the gap between the two timings is wider still", flags=re.S)
RULE_ZH = re.compile(r"超过中位数的\s*(\d+(?:\.\d+)?)%")


def _prose(page: str) -> str:
    return re.sub(r"\s+", " ", (ROOT / "book" / f"{page}.md").read_text(encoding="utf-8"))


def _rule_percent(text: str, page: str) -> float:
    found = RULE.findall(text)
    assert len(found) == 1, f"book/{page}.md should state the middle-half rule once, found it {len(found)} times"
    return float(found[0])


def test_notation_and_glossary_state_the_noise_rule_with_the_codes_number():
    expected = PERCENT
    for page in PAGES:
        assert _rule_percent(_prose(page), page) == expected, (page, NOISY_SPREAD)
    # one wording on both pages: the sentence from "Two timings" to "wider still." is the same
    sentences = {page: re.search(r"Two timings whose middle halves overlap.*?wider still\.", _prose(page)).group(0)
                 for page in PAGES}
    assert len(set(sentences.values())) == 1, sentences
    assert "NOISY_SPREAD" not in _prose("glossary"), "the glossary gives the number, not the constant's name"


def test_the_zh_catalogues_give_the_same_number():
    expected = PERCENT
    for page in PAGES:
        po = (ROOT / "locales" / "zh_CN" / "LC_MESSAGES" / "book" / f"{page}.po").read_text(encoding="utf-8")
        found = [float(n) for n in RULE_ZH.findall(po)]
        assert found and all(n == expected for n in found), (page, found, NOISY_SPREAD)


def test_the_rule_pattern_rejects_another_number():
    """The pattern is not vacuous: a page typed with another number is caught."""
    prose = _prose("notation")
    typed = _rule_percent(prose, "notation")
    assert _rule_percent(prose.replace(f"{typed:g}% of", f"{typed + 5:g}% of"), "notation") == typed + 5
