"""Shared argument handling of the Yulu commands."""

from __future__ import annotations

from django.core.management.base import CommandError, CommandParser

from bangfu.subsidies.models import YuluTerm


def add_term_arguments(parser: CommandParser) -> None:
    parser.add_argument("--term", required=True, help="term code, e.g. 2020-spring")
    parser.add_argument(
        "--county", default="", help="12-digit county code (needed when several counties have the term)"
    )
    parser.add_argument("-o", "--output", default="", help="write an xlsx file")


def find_term(code: str, county: str) -> YuluTerm:
    terms = YuluTerm.objects.filter(code=code).select_related("county")
    if county:
        terms = terms.filter(county__code=county)
    found = list(terms[:2])
    if not found:
        raise CommandError(f"no Yulu term {code!r}" + (f" in county {county}" if county else ""))
    if len(found) > 1:
        raise CommandError(f"several counties have term {code!r}: pass --county")
    return found[0]
