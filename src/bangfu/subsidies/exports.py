"""Spreadsheets of the Yulu programme (xlsxwriter, in memory): the bank payment file, the
eligible list and the reconciliation report. ID numbers appear masked; only the bank file carries
full account numbers (its export is audited by the service)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from bangfu.areas.models import Area, township_code_of
from bangfu.lib.sheets import tables
from bangfu.subsidies.models import YuluPayment, YuluPaymentBatch, YuluTerm
from bangfu.subsidies.selectors import Reconciliation, eligible_members


def bank_file_xlsx(batch: YuluPaymentBatch, *, decrypt: Callable[[str], str]) -> bytes:
    applications = batch.applications.select_related("member", "village").order_by("village__code", "pk")
    rows = (
        (
            i,
            a.account_holder,
            decrypt(a.bank_account_encrypted),
            a.bank_name,
            batch.term.amount,
            a.member.name,
            a.member.id_number_masked,
            a.village.name,
            _("%(t)s雨露计划补助") % {"t": batch.term},
        )
        for i, a in enumerate(applications, start=1)
    )
    header = [
        _("序号"),
        _("户名"),
        _("银行账号"),
        _("开户银行"),
        _("金额（元）"),
        _("学生姓名"),
        _("证件号码"),
        _("行政村"),
        _("用途"),
    ]
    return tables([(_("代发明细"), header, rows)])


def eligible_xlsx(term: YuluTerm) -> bytes:
    rows = (
        (
            m.village.parent.name if m.village.parent else "",
            m.village.name,
            m.household.number,
            m.name,
            m.id_number_masked,
            m.get_schooling_display(),
        )
        for m in eligible_members(term).iterator(chunk_size=2000)
    )
    header = [_("乡（镇）"), _("行政村"), _("户编号"), _("姓名"), _("证件号码"), _("当前在校生状况")]
    return tables([(_("应补名单"), header, rows)])


def reconciliation_xlsx(rec: Reconciliation) -> bytes:
    from bangfu.registry.models import Member

    wanted = rec.missing | rec.wrong | rec.duplicate | rec.late
    members = {
        m.pk: m
        for m in Member.objects.filter(pk__in=wanted)
        .select_related("household", "village")
        .iterator(chunk_size=2000)
    }
    payments = {
        p.member_id: p
        for p in YuluPayment.objects.filter(term=rec.term, member_id__in=wanted).iterator(chunk_size=2000)
    }
    townships = {
        a.township_code: a.name
        for a in Area.objects.filter(level="township", code__startswith=rec.term.county.prefix)
    }

    def rows(ids: set[int]) -> list[list[Any]]:
        out = []
        for pk in sorted(ids, key=lambda i: (rec.village_of.get(i, ""), i)):
            m = members.get(pk)
            p = payments.get(pk)
            out.append(
                [
                    townships.get(township_code_of(rec.village_of.get(pk, "")), ""),
                    m.village.name if m else "",
                    m.household.number if m else "",
                    m.name if m else "",
                    m.id_number_masked if m else "",
                    p.amount if p else "",
                    p.paid_on if p else "",
                ]
            )
        return out

    header = [
        _("乡（镇）"),
        _("行政村"),
        _("户编号"),
        _("姓名"),
        _("证件号码"),
        _("发放金额（元）"),
        _("发放日期"),
    ]
    summary = rec.summary()
    labels = {
        "eligible": _("应补人数"),
        "paid": _("已发放人数"),
        "missing": _("漏发（应补未补）"),
        "wrong": _("错发（不符合条件）"),
        "duplicate": _("重复发放"),
        "late": _("逾期发放"),
    }
    by_township = rec.by_township()
    township_rows = [
        [townships.get(code, code), *(row[k] for k in summary)] for code, row in sorted(by_township.items())
    ]
    return tables(
        [
            (_("汇总"), [_("项目"), _("人数")], [[labels[k], v] for k, v in summary.items()]),
            (_("分乡镇"), [_("乡（镇）"), *(labels[k] for k in summary)], township_rows),
            (_("漏发"), header, rows(rec.missing)),
            (_("错发"), header, rows(rec.wrong)),
            (_("重复发放"), header, rows(rec.duplicate)),
            (_("逾期发放"), header, rows(rec.late)),
        ]
    )
