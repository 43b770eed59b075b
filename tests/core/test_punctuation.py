"""Chinese strings use full-width punctuation (issue #17): no half-width : , ; ( ) between CJK
characters (or between a CJK character and a placeholder) in the Chinese catalogue's msgids or in
the templates' text."""

from __future__ import annotations

import re
from pathlib import Path

import polib

import bangfu
from bangfu.lib.messages import catalogues

PACKAGE = Path(bangfu.__file__).resolve().parent
CJK = "[\u4e00-\u9fff]"
# A half-width mark with a CJK character on one side and a CJK character or a placeholder
# (%(x)s, {{ x }}, a digit run) on the other, as in 权重:报送及时率 40,节点完成率 30.
HALF = re.compile(
    rf"(?<={CJK})[:,;()](?={CJK})"
    rf"|(?<={CJK})[:,;(](?=\s?(?:%\(|\{{\{{))"
    rf"|(?<={CJK})[:,;(](?=\s?\d+\s?[,;)]?{CJK})"
    rf"|(?<=[\d}}s])[,;)](?={CJK})"
)
TAG = re.compile(r"\{%.*?%\}|<[^>]*>", re.S)


def _hits(text: str) -> list[str]:
    return [text[max(0, m.start() - 8) : m.end() + 8] for m in HALF.finditer(text)]


def test_the_catalogue_msgids_use_full_width_punctuation() -> None:
    found = {
        f"{path.relative_to(PACKAGE)}: {entry.msgid}"
        for path in catalogues(PACKAGE)
        for entry in polib.pofile(str(path))
        if _hits(entry.msgid) or _hits(entry.msgid_plural or "")
    }
    assert not found, "\n".join(sorted(found))


def test_the_templates_use_full_width_punctuation() -> None:
    found = []
    for path in sorted(PACKAGE.glob("**/templates/**/*.html")):
        text = TAG.sub(" ", path.read_text(encoding="utf-8"))
        found += [f"{path.relative_to(PACKAGE)}: {hit!r}" for hit in _hits(text)]
    assert not found, "\n".join(found)


def test_the_check_catches_the_known_cases() -> None:
    assert _hits("权重:报送及时率 %(a)s,节点完成率")
    assert _hits("乡(镇)") and _hits("金额(元)") and _hits("清单(截止 {{ due }}")
    assert not _hits("权重：报送及时率，节点（镇）") and not _hits("(元)") and not _hits("a,b")
