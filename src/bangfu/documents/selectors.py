"""Reads: the office profile of a county (defaults until saved) and the numbers given out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bangfu.documents.models import DocumentNumber, Numbering, OfficeProfile
from bangfu.lib.officialdoc import Fonts

if TYPE_CHECKING:
    from bangfu.areas.models import Area

DEFAULT_RECIPIENTS = "各乡（镇）人民政府，县级各部门（单位）"
DEFAULT_COPY_TO = "县委办公室，县人大常委会办公室，县政府办公室，县政协办公室"


def default_profile(county: Area) -> OfficeProfile:
    office = f"{county.name}脱贫攻坚领导小组办公室"
    return OfficeProfile(
        county=county,
        office_name=office,
        mark=f"{office}文件",
        prefix=f"{county.name[:1]}脱贫办",
        numbering=Numbering.DOCUMENT,
        series_title="社会扶贫工作情况通报",
        recipients=DEFAULT_RECIPIENTS,
        copy_to=DEFAULT_COPY_TO,
        printer=office,
    )


def profile_for(county: Area) -> OfficeProfile:
    """The saved profile, or the defaults (reading never writes)."""
    return OfficeProfile.objects.filter(county=county).first() or default_profile(county)


def fonts_for(profile: OfficeProfile) -> Fonts:
    return Fonts.from_names(
        title=profile.font_title,
        mark=profile.font_title,
        body=profile.font_body,
        heading1=profile.font_heading1,
        heading2=profile.font_heading2,
    )


def number_of(county: Area, subject: str) -> DocumentNumber | None:
    return DocumentNumber.objects.filter(county=county, subject=subject).first()


def draft_label(profile: OfficeProfile, year: int) -> str:
    """What a document not yet numbered shows where its number goes (the number left blank)."""
    if profile.numbering == Numbering.ISSUE:
        return f"{year}年第　期"
    return f"{profile.prefix}〔{year}〕　号"
