"""Open problems of the subsidies: eligible Yulu students still unpaid after the term's deadline."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta

from bangfu.accounts.models import Role
from bangfu.areas.models import Area, Level
from bangfu.lib.attention import AttentionItem, Severity, attention_source
from bangfu.subsidies.models import Season, YuluTerm
from bangfu.subsidies.selectors import reconcile_yulu

SEASON_WORDS: dict[str, str] = {Season.SPRING.value: "春季学期", Season.AUTUMN.value: "秋季学期"}


def term_label(term: YuluTerm) -> str:
    """ "2020春季学期雨露计划"."""
    return f"{term.year}{SEASON_WORDS.get(term.season, term.season)}雨露计划"


@attention_source("subsidies.yulu_unpaid")
def yulu_unpaid(county: Area, today: date) -> Iterator[AttentionItem]:
    """Per term whose payment deadline has passed: the eligible students not paid by `today` —
    one item for the county (in the bulletin, "2020春季学期雨露计划应补未补2人"), one per township
    for its clerk and one per village for its officer (they find and report the students)."""
    terms = YuluTerm.objects.filter(
        county=county, payment_deadline__lt=today, year__gte=today.year - 1
    ).select_related("county")
    for term in terms.order_by("start_date"):
        rec = reconcile_yulu(term)
        paid = {m for m, row in rec.paid.items() if row[2] <= today}
        missing = rec.eligible - paid
        if not missing:
            continue
        label = term_label(term)
        since = term.payment_deadline + timedelta(days=1)
        url = f"/subsidies/yulu/{term.code}/?show=missing"
        extra = {"term": term.code, "eligible": len(rec.eligible), "paid": len(rec.eligible & paid)}
        yield AttentionItem(
            kind="subsidies.yulu_unpaid",
            severity=Severity.CRITICAL,
            title=f"{label}应补未补{len(missing)}人",
            url=url,
            since=since,
            roles=(Role.COUNTY_ADMIN,),
            area_code=county.code,
            count=len(missing),
            extra={**extra, "missing": len(missing)},
        )
        by_village = Counter(rec.village_of.get(m, "") for m in missing)
        villages = {
            row["code"]: row
            for row in Area.objects.filter(level=Level.VILLAGE, code__in=list(by_village)).values(
                "code", "name", "parent__code", "parent__name"
            )
        }
        by_township: Counter[tuple[str, str]] = Counter()
        for code, n in by_village.items():
            village = villages.get(code)
            if village is None:
                continue
            by_township[(village["parent__code"], village["parent__name"])] += n
            yield AttentionItem(
                kind="subsidies.yulu_unpaid",
                severity=Severity.CRITICAL,
                title=f"{village['name']}{label}应补未补{n}人",
                url=url,
                since=since,
                roles=(Role.VILLAGE_OFFICER,),
                area_code=code,
                count=n,
                in_bulletin=False,
                extra={**extra, "missing": n},
            )
        for (code, name), n in sorted(by_township.items()):
            yield AttentionItem(
                kind="subsidies.yulu_unpaid",
                severity=Severity.CRITICAL,
                title=f"{name}{label}应补未补{n}人",
                url=url,
                since=since,
                roles=(Role.TOWNSHIP_CLERK,),
                area_code=code,
                count=n,
                in_bulletin=False,
                extra={**extra, "missing": n},
            )
