"""What the partners app needs to know about pairing targets that other apps own (households and
people per village come from the registry)."""

from __future__ import annotations

from collections.abc import Iterable


def village_counts(codes: Iterable[str]) -> dict[str, tuple[int, int]]:
    """(households, people) per village code, from the registry. Until the registry app provides
    households, every village counts (0, 0)."""
    return {code: (0, 0) for code in codes}
