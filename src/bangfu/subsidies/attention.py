"""Open problems of the subsidies: eligible Yulu students still unpaid after the term's deadline."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Max

from bangfu.accounts.models import Role
from bangfu.areas.models import Area, Level
from bangfu.lib.attention import AttentionItem, Severity, attention_source
from bangfu.lib.stampcache import cached, stamp_key
from bangfu.subsidies.models import Season, YuluPayment, YuluTerm
from bangfu.subsidies.selectors import reconcile_yulu, reconciliation_reads

SEASON_WORDS: dict[str, str] = {Season.SPRING.value: "春季学期", Season.AUTUMN.value: "秋季学期"}


def term_label(term: YuluTerm) -> str:
    """ "2020春季学期雨露计划"."""
    return f"{term.year}{SEASON_WORDS.get(term.season, term.season)}雨露计划"


def _stamp(term: YuluTerm) -> tuple[Any, ...]:
    """What the reconciliation reads, in cheap aggregate queries: the newest member and member
    version (primary keys, any county: a registry write adds a version), the county's students
    (index on county and schooling: count and newest change), its households' newest change, and
    the term's payments. Any write that could change the outcome moves it."""
    from bangfu.registry.models import VOCATIONAL, Household, Member, MemberVersion

    newest_member = Member.objects.aggregate(m=Max("id"))["m"]
    newest_version = MemberVersion.objects.aggregate(m=Max("id"))["m"]
    students = Member.objects.filter(county_id=term.county_id, schooling__in=list(VOCATIONAL)).aggregate(
        n=Count("id"), t=Max("updated_at")
    )
    households = Household.objects.filter(county_id=term.county_id).aggregate(t=Max("updated_at"))
    payments = YuluPayment.objects.filter(term=term).aggregate(n=Count("id"), m=Max("id"), d=Max("paid_on"))
    return (
        term.pk,
        term.start_date,
        term.payment_deadline,
        newest_member,
        newest_version,
        *students.values(),
        *households.values(),
        *payments.values(),
    )


def unpaid_by_village(term: YuluTerm, today: date) -> tuple[int, int, Counter[str]]:
    """(eligible, eligible paid by `today`, village code → eligible students unpaid by `today`).

    The reconciliation scans the registry (about 0.3 s for 120,000 members); its outcome is cached
    per process under a stamp of what it reads (`lib/stampcache.py`), so the attention list of
    every page view costs the four stamp queries."""

    def compute() -> tuple[int, int, Counter[str]]:
        rec = reconcile_yulu(term)
        paid = {m for m, row in rec.paid.items() if row[2] <= today}
        missing = rec.eligible - paid
        unpaid = Counter(rec.village_of.get(m, "") for m in missing)
        return len(rec.eligible), len(rec.eligible & paid), unpaid

    key = stamp_key("attention:yulu", today, *_stamp(term))
    return cached(key, compute, timeout=3600)


@attention_source("subsidies.yulu_unpaid", reads=reconciliation_reads)
def yulu_unpaid(county: Area, today: date) -> Iterator[AttentionItem]:
    """Per term whose payment deadline has passed: the eligible students not paid by `today` —
    one item for the county (in the bulletin, "2020春季学期雨露计划应补未补2人"), one per township
    for its clerk and one per village for its officer (they find and report the students)."""
    terms = YuluTerm.objects.filter(
        county=county, payment_deadline__lt=today, year__gte=today.year - 1
    ).select_related("county")
    for term in terms.order_by("start_date"):
        eligible, paid_n, by_village = unpaid_by_village(term, today)
        missing_n = sum(by_village.values())
        if not missing_n:
            continue
        label = term_label(term)
        since = term.payment_deadline + timedelta(days=1)
        url = f"/subsidies/yulu/{term.code}/?show=missing"
        extra = {"term": term.code, "eligible": eligible, "paid": paid_n}
        yield AttentionItem(
            kind="subsidies.yulu_unpaid",
            severity=Severity.CRITICAL,
            title=f"{label}应补未补{missing_n}人",
            url=url,
            since=since,
            roles=(Role.COUNTY_ADMIN,),
            area_code=county.code,
            count=missing_n,
            extra={**extra, "missing": missing_n},
        )
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
