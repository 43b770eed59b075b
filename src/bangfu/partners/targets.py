"""What the partners app reads about pairing targets owned by the registry (read-only)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count

from bangfu.registry.models import Household, Member


def village_counts(codes: Iterable[str]) -> dict[str, tuple[int, int]]:
    """(registered households, people) per village code: active households and members."""
    codes = list(codes)
    result = {code: (0, 0) for code in codes}
    if not codes:
        return result
    households = dict(
        Household.objects.filter(village__code__in=codes, active=True)
        .values("village__code")
        .annotate(n=Count("id"))
        .values_list("village__code", "n")
    )
    people = dict(
        Member.objects.filter(village__code__in=codes, active=True, household__active=True)
        .values("village__code")
        .annotate(n=Count("id"))
        .values_list("village__code", "n")
    )
    for code in codes:
        result[code] = (households.get(code, 0), people.get(code, 0))
    return result
