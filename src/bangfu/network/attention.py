"""Open problems of the supporters' network: claims on household needs about to lapse undelivered."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from bangfu.accounts.models import Role
from bangfu.areas.models import Area
from bangfu.lib.attention import AttentionItem, Severity, attention_source
from bangfu.lib.officialdoc import cn_date
from bangfu.network.models import Claim, ClaimStatus, Need, Supporter

SOON = timedelta(days=3)  # an active claim lapsing within this many days needs a nudge
MANAGER_ROLES = (Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK, Role.VILLAGE_OFFICER)


@attention_source("network.claim_expiring", reads=(Claim, Need, Supporter, Area))
def claim_expiring(county: Area, today: date) -> Iterator[AttentionItem]:
    """Active claims whose delivery window ends within `SOON` (one query): the supporter who claimed
    delivers; the village's officer, the township clerk and the county admin follow it up."""
    rows = (
        Claim.objects.filter(
            county=county, status=ClaimStatus.ACTIVE, expires_on__gte=today, expires_on__lte=today + SOON
        )
        .values_list(
            "claimed_on",
            "expires_on",
            "need_id",
            "need__title",
            "need__village__code",
            "need__village__name",
            "supporter__user_id",
        )
        .order_by("expires_on", "pk")
    )
    for claimed_on, expires_on, need_id, title, village_code, village_name, user_id in rows:
        yield AttentionItem(
            kind="network.claim_expiring",
            severity=Severity.WARNING,
            title=f"{village_name}需求“{title}”的认领将于{cn_date(expires_on)}到期，尚未送达",
            url=f"/network/manage/needs/{need_id}/",
            since=claimed_on,
            roles=MANAGER_ROLES,
            area_code=village_code,
            in_bulletin=False,
            extra={"need": need_id, "expires_on": expires_on.isoformat()},
        )
        if user_id is not None:
            yield AttentionItem(
                kind="network.claim_expiring",
                severity=Severity.WARNING,
                title=f"您认领的{village_name}需求“{title}”将于{cn_date(expires_on)}到期，请及时送达",
                url="/network/me/",
                since=claimed_on,
                roles=(Role.SUPPORTER,),
                area_code=village_code,
                in_bulletin=False,
                extra={"need": need_id, "expires_on": expires_on.isoformat()},
                user_id=user_id,
            )
