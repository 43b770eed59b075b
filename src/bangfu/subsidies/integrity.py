"""Each subsidy is paid at most once (for `bangfu check-integrity`).

The database's unique constraints already refuse most duplicates; these checks find the ones a
constraint cannot see (the same person — ID blind index — paid twice for one term code through
two member rows, in one county or two) and any that got past a constraint (a restored or
hand-edited database)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, F, Q
from django.utils.translation import gettext as _

from bangfu.core.integrity import Breach
from bangfu.subsidies.models import SanzhiPayment, SanzhiPaymentKind, TechnicianFunding, YuluPayment

KIND = "duplicate_payment"
LISTED = 20


def check_yulu_once_per_student() -> Iterator[Breach]:
    rows = (
        YuluPayment.objects.values("term_id", "term__code", "member_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("term_id", "member_id")
    )
    for row in rows[:LISTED]:
        yield Breach(
            KIND,
            _("雨露计划 %(term)s：学生（成员 #%(member)s）被发放了 %(n)s 次")
            % {"term": row["term__code"], "member": row["member_id"], "n": row["n"]},
        )


def check_yulu_once_per_person() -> Iterator[Breach]:
    rows = (
        YuluPayment.objects.values("term__code", "id_number_index")
        .annotate(n=Count("id"), members=Count("member_id", distinct=True))
        .filter(n__gt=1, members__gt=1)
        .order_by("term__code", "id_number_index")
    )
    for row in rows[:LISTED]:
        ids = list(
            YuluPayment.objects.filter(term__code=row["term__code"], id_number_index=row["id_number_index"])
            .order_by("id")
            .values_list("id", flat=True)
        )
        yield Breach(
            KIND,
            _("雨露计划 %(term)s：同一证件号码（索引 %(index)s…）被发放了 %(n)s 次（发放记录 %(ids)s）")
            % {
                "term": row["term__code"],
                "index": row["id_number_index"][:8],
                "n": row["n"],
                "ids": ", ".join(f"#{pk}" for pk in ids),
            },
        )
    mismatched = (
        YuluPayment.objects.exclude(id_number_index=F("member__id_number_index"))
        .order_by("id")
        .values_list("id", "term__code")
    )
    for pk, term in mismatched[:LISTED]:
        yield Breach(
            KIND,
            _("雨露计划 %(term)s：发放记录 #%(id)s 的证件号码索引与学生不符") % {"term": term, "id": pk},
        )


def check_technician_once_per_term() -> Iterator[Breach]:
    rows = (
        TechnicianFunding.objects.values("enrolment_id", "term_code")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("enrolment_id", "term_code")
    )
    for row in rows[:LISTED]:
        yield Breach(
            KIND,
            _("技师工程 %(term)s：学员 #%(id)s 被资助了 %(n)s 次")
            % {"term": row["term_code"], "id": row["enrolment_id"], "n": row["n"]},
        )


def check_sanzhi_once() -> Iterator[Breach]:
    monthly = (
        SanzhiPayment.objects.filter(kind=SanzhiPaymentKind.MONTHLY)
        .values("placement_id", "month")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("placement_id", "month")
    )
    for row in monthly[:LISTED]:
        yield Breach(
            KIND,
            _("三支一扶：人员 #%(id)s %(month)s 的生活补贴被发放了 %(n)s 次")
            % {"id": row["placement_id"], "month": row["month"], "n": row["n"]},
        )
    settling = (
        SanzhiPayment.objects.filter(~Q(kind=SanzhiPaymentKind.MONTHLY))
        .values("placement_id", "kind")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("placement_id")
    )
    for once in settling[:LISTED]:
        yield Breach(
            KIND,
            _("三支一扶：人员 #%(id)s 的一次性安家费被发放了 %(n)s 次")
            % {"id": once["placement_id"], "n": once["n"]},
        )


CHECKS = [
    check_yulu_once_per_student,
    check_yulu_once_per_person,
    check_technician_once_per_term,
    check_sanzhi_once,
]
