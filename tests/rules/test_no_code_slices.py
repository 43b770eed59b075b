"""Nobody cuts area codes by hand (issue #19): `code[:6]`, `prefix[:9]`, `county.code[:12]` … are
written once, in `bangfu.areas.models` (`county_code_of`, `township_code_of`, `county_area_code`,
`Area.county_code`, `Area.township_code`, `Area.prefix`). Everywhere else uses those.

The scan reads every module of `src/bangfu` (migrations aside: they are history) and fails on a
slice `[:6]`, `[:9]` or `[:12]` (also `[0:…]`) of an expression whose name speaks of an area code:
a name, attribute or string key containing code, prefix, county, township, village or area, or
`<such a name>.get(…)`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import bangfu

SRC = Path(bangfu.__file__).resolve().parent
HELPER_MODULE = SRC / "areas" / "models.py"
CUT_LENGTHS = {6, 9, 12}
AREA_WORDS = re.compile(r"code|prefix|county|township|village|area", re.IGNORECASE)


def _name_of(node: ast.expr) -> str:
    """The word that names what is sliced: `prefix`, `county.code` → code, `t["code"]` → code,
    `village_of.get(pk, "")` → village_of; "" when it names nothing (a call, a literal)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return str(node.slice.value)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        return _name_of(node.func.value)
    return ""


def _is_cut(node: ast.Subscript) -> bool:
    part = node.slice
    if not isinstance(part, ast.Slice) or part.step is not None:
        return False
    lower_ok = part.lower is None or (isinstance(part.lower, ast.Constant) and part.lower.value == 0)
    upper = part.upper
    return lower_ok and isinstance(upper, ast.Constant) and upper.value in CUT_LENGTHS


def hand_cuts(text: str) -> list[ast.Subscript]:
    return [
        node
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.Subscript) and _is_cut(node) and AREA_WORDS.search(_name_of(node.value))
    ]


def test_no_area_code_is_sliced_by_hand() -> None:
    found = [
        cut
        for path in sorted(SRC.rglob("*.py"))
        if path != HELPER_MODULE and "migrations" not in path.parts
        for node in hand_cuts(path.read_text(encoding="utf-8"))
        for cut in [f"{path.relative_to(SRC.parent)}:{node.lineno}: {ast.unparse(node)}"]
    ]
    assert not found, (
        "area codes cut by hand; use bangfu.areas.models county_code_of / township_code_of / "
        "county_area_code or Area.county_code / township_code / prefix:\n" + "\n".join(found)
    )


def test_the_scan_sees_a_hand_cut() -> None:
    """The scan itself works: each shape of hand cut it is meant to catch is caught."""
    text = (
        "a = county.code[:6]\nb = prefix[:9]\nc = row['code'][0:12]\nd = village_of.get(pk, '')[:9]\n"
        "e = options['county'][:6]\nf = text[:6]\ng = names[:12]\nh = code[:4]\n"
    )
    cuts = [ast.unparse(node) for node in hand_cuts(text)]
    caught = ["county.code[:6]", "prefix[:9]", "row['code'][0:12]", "village_of.get(pk, '')[:9]"]
    assert sorted(cuts) == sorted([*caught, "options['county'][:6]"])
