"""Writes: the office profile and the numbers given to documents."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from bangfu.accounts.models import Role, User
from bangfu.accounts.scopes import require_actor_in
from bangfu.areas.models import Area
from bangfu.audit.services import diff, record_audit
from bangfu.documents.models import DocumentNumber, Numbering, OfficeProfile
from bangfu.documents.selectors import profile_for

PROFILE_FIELDS = (
    "office_name",
    "mark",
    "prefix",
    "numbering",
    "series_title",
    "recipients",
    "copy_to",
    "printer",
    "phone",
    "address",
    "publicity_days",
    "font_title",
    "font_body",
    "font_heading1",
    "font_heading2",
)


@transaction.atomic
def update_office_profile(*, actor: User | None, county: Area, **values: Any) -> OfficeProfile:
    """Save the county's office settings (the county admin). Unknown fields are refused."""
    require_actor_in(actor, county, Role.COUNTY_ADMIN)
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(_("未知的设置项：%(names)s") % {"names": "、".join(sorted(unknown))})
    profile = OfficeProfile.objects.select_for_update().filter(county=county).first() or profile_for(county)
    before = {f: getattr(profile, f) for f in PROFILE_FIELDS}
    for name, value in values.items():
        setattr(profile, name, value.strip() if isinstance(value, str) else value)
    if profile.numbering == Numbering.ISSUE and not profile.series_title:
        raise ValidationError({"series_title": _("按期号编号时须填写情况通报名称。")})
    profile.full_clean()
    profile.save()
    b, a = diff(before, {f: getattr(profile, f) for f in PROFILE_FIELDS})
    record_audit(
        actor=actor,
        action="documents.update_office_profile",
        target=profile,
        before=b,
        after=a,
        county=county,
    )
    return profile


@transaction.atomic
def number_document(
    *,
    actor: User | None,
    county: Area,
    subject: str,
    title: str,
    issued_on: date,
    number: int | None = None,
) -> DocumentNumber:
    """Give `subject` its number for the year of `issued_on`: the next free one of the office's
    代字 (or 情况通报 series), or `number` when the office's own register says so. A subject
    numbered before keeps its number (idempotent)."""
    require_actor_in(actor, county, Role.COUNTY_ADMIN)
    # One county's numbering at a time: the county row is the lock (a profile may not exist yet).
    Area.objects.select_for_update().filter(pk=county.pk).first()
    existing = DocumentNumber.objects.filter(county=county, subject=subject).first()
    if existing is not None:
        return existing
    profile = profile_for(county)
    prefix = profile.series_title if profile.numbering == Numbering.ISSUE else profile.prefix
    year = issued_on.year
    taken = DocumentNumber.objects.filter(county=county, prefix=prefix, year=year)
    if number is None:
        number = (taken.aggregate(m=Max("number"))["m"] or 0) + 1
    elif number < 1:
        raise ValidationError({"number": _("文号序号应为正整数。")})
    elif taken.filter(number=number).exists():
        raise ValidationError(
            {"number": _("%(year)s年的第%(number)s号已经使用。") % {"year": year, "number": number}}
        )
    record = DocumentNumber.objects.create(
        county=county,
        prefix=prefix,
        year=year,
        number=number,
        numbering=profile.numbering,
        subject=subject,
        title=title[:200],
        issued_on=issued_on,
        created_by=actor,
    )
    record_audit(
        actor=actor,
        action="documents.number_document",
        target=record,
        after={"label": record.label, "subject": subject},
        county=county,
    )
    return record
