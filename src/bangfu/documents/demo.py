"""The demo office: its settings (the phone and address notices give for objections) and the
bulletins of January–May 2020 already numbered, so June's takes 格脱贫办〔2020〕6号."""

from __future__ import annotations

from datetime import date

from bangfu.areas.models import Area
from bangfu.documents.models import OfficeProfile
from bangfu.documents.services import number_document, update_office_profile


def seed_demo(county: Area) -> None:
    if OfficeProfile.objects.filter(county=county).exists():
        return
    update_office_profile(
        actor=None,
        county=county,
        phone="0836-5221234",
        address=f"{county.name}新城路18号县扶贫开发局三楼",
    )
    for month in range(1, 6):
        number_document(
            actor=None,
            county=county,
            subject=f"workplan.bulletin:2020-{month:02d}",
            title=f"关于2020年{month}月全县社会扶贫工作进展情况的通报",
            issued_on=date(2020, month + 1, 15),
        )
