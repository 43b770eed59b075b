"""The site's one set of display helpers: the publishing office, numbers, amounts and dates."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag
def publishing_office() -> str:
    """The office that publishes the site's pages, named in every page's footer: the county's office
    profile (documents app), or its default name until one is saved."""
    from bangfu.areas.models import Area, Level
    from bangfu.documents.selectors import profile_for

    county = Area.objects.filter(level=Level.COUNTY).order_by("code").first()
    return profile_for(county).office_name if county is not None else ""
