"""Writes to organisations. Later issues add cadres, pairings and visits here."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.accounts.models import User
from bangfu.areas.models import Area, Level
from bangfu.audit.services import diff, record_audit
from bangfu.partners.models import Organisation


def _snapshot(org: Organisation) -> dict[str, Any]:
    return {
        "name": org.name,
        "short_name": org.short_name,
        "org_type": org.org_type,
        "admin_level": org.admin_level,
        "area": org.area.code if org.area else None,
        "region": org.region,
        "is_active": org.is_active,
    }


@transaction.atomic
def upsert_organisation(
    *,
    actor: User | None,
    county: Area,
    code: str,
    name: str,
    org_type: str,
    admin_level: str,
    short_name: str = "",
    area: Area | None = None,
    region: str = "",
) -> tuple[Organisation, bool]:
    """Create the organisation with this code in the county, or bring it up to date.
    Returns (organisation, created)."""
    if county.level != Level.COUNTY:
        raise ValidationError({"county": _("所属县必须是县级区划。")})
    if area is not None and not area.code.startswith(county.prefix):
        raise ValidationError({"area": _("所在区划不在该县内。")})
    org = Organisation.objects.filter(county=county, code=code).first()
    if org is None:
        org = Organisation(county=county, code=code)
        created, before = True, {}
    else:
        created, before = False, _snapshot(org)
    org.name, org.short_name, org.org_type, org.admin_level = name, short_name, org_type, admin_level
    org.area, org.region = area, region
    org.full_clean()
    after = _snapshot(org)
    if created:
        org.save()
        record_audit(
            actor=actor, action="organisation.create", target=org, after=after, county_code=county.code[:6]
        )
    elif before != after:
        org.save()
        old, new = diff(before, after)
        record_audit(
            actor=actor,
            action="organisation.update",
            target=org,
            before=old,
            after=new,
            county_code=county.code[:6],
        )
    return org, created
