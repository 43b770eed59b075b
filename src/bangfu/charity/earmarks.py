"""Earmarks as pool keys: each (campaign, earmark) is its own pool of money, so "earmarked money
only to its earmark" and "never more than the balance" hold per pool."""

from __future__ import annotations

from django.utils.translation import gettext as _

from bangfu.areas.models import Area
from bangfu.charity.models import EarmarkKind

GENERAL = "general"


def earmark_key(kind: str, *, village: Area | None = None, household: str = "", project: str = "") -> str:
    if kind == EarmarkKind.VILLAGE and village is not None:
        return f"village:{village.code}"
    if kind == EarmarkKind.HOUSEHOLD and village is not None:
        return f"household:{village.code}:{household}"
    if kind == EarmarkKind.PROJECT:
        return f"project:{project}"
    return GENERAL


def key_kind(key: str) -> str:
    head = key.split(":", 1)[0]
    return {
        "village": EarmarkKind.VILLAGE,
        "household": EarmarkKind.HOUSEHOLD,
        "project": EarmarkKind.PROJECT,
    }.get(head, EarmarkKind.NONE)


def key_village_code(key: str) -> str:
    parts = key.split(":")
    return parts[1] if parts[0] in ("village", "household") and len(parts) > 1 else ""


def public_label(key: str, village_names: dict[str, str]) -> str:
    """A label safe for the public: households are named by their village only."""
    kind = key_kind(key)
    if kind == EarmarkKind.NONE:
        return _("非定向")
    if kind == EarmarkKind.PROJECT:
        return _("定向项目：%(p)s") % {"p": key.split(":", 1)[1]}
    village = village_names.get(key_village_code(key), key_village_code(key))
    if kind == EarmarkKind.VILLAGE:
        return _("定向到村：%(v)s") % {"v": village}
    return _("定向到户（%(v)s）") % {"v": village}


def internal_label(key: str, village_names: dict[str, str]) -> str:
    if key_kind(key) == EarmarkKind.HOUSEHOLD:
        household = key.split(":", 2)[2]
        return _("定向到户：%(v)s %(h)s") % {
            "v": village_names.get(key_village_code(key), ""),
            "h": household,
        }
    return public_label(key, village_names)
