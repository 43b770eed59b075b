"""Shared argument handling of the Yulu commands."""

from __future__ import annotations

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

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
        if county:
            message = _("县 %(county)s 没有雨露计划学期 %(term)s。")
            raise CommandError(message % {"county": county, "term": code})
        raise CommandError(_("没有雨露计划学期 %(term)s。") % {"term": code})
    if len(found) > 1:
        raise CommandError(_("多个县都有学期 %(term)s：请用 --county 指定县代码。") % {"term": code})
    return found[0]
