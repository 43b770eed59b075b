"""Spreadsheets (xlsx, written with xlsxwriter): the project ledger (项目台账) and the fund flow
statement (资金流向表) per project, per partner, per year. Set-based: a few queries per report."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from bangfu.ledger.models import Entry, EntryKind
from bangfu.lib.money import ZERO
from bangfu.lib.sheets import Workbook
from bangfu.projects.models import Project
from bangfu.projects.selectors import flow_by_partner, fund_figures, fund_flow


def project_ledger_xlsx(projects: QuerySet[Project]) -> bytes:
    """项目台账: one row per project with budget by source and allocated / paid / balance."""
    projects_list = list(projects.select_related("area").prefetch_related("funders").order_by("year", "code"))
    figures = fund_figures(projects_list)
    book = Workbook()
    headers = [
        _("项目编号"), _("项目名称"), _("帮扶类别"), _("项目类型"), _("年度"), _("实施地点"),
        _("区划代码"), _("资助单位"), _("状态"), _("帮扶方资金预算"), _("省级资金预算"),
        _("县级配套预算"), _("企业资金预算"), _("社会资金预算"), _("预算合计"), _("资金到位"),
        _("已支付"), _("余额"), _("受益户数"), _("受益人数"), _("开工日期"), _("完工日期"),
        _("取消原因"),
    ]  # fmt: skip
    widths = [14, 30, 14, 12, 6, 14, 14, 24, 8] + [14] * 9 + [8, 8, 11, 11, 20]
    sheet = book.sheet(_("项目台账"), headers, widths)
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row, p in enumerate(projects_list, start=1):
        f = figures[p.pk]
        money = [
            p.budget_partner, p.budget_province, p.budget_county, p.budget_enterprise, p.budget_social,
            p.budget_total, f.allocated, f.paid, f.balance,
        ]  # fmt: skip
        for i, value in enumerate(money):
            totals[i] += value
        book.row(
            sheet,
            row,
            [
                p.code, p.title, p.get_kind_display(), p.get_category_display(), p.year,
                p.area.name, p.area.code,
                "、".join(o.name for o in p.funders.all()), p.get_status_display(), *money,
                p.beneficiary_households, p.beneficiary_people,
                p.started_on.isoformat() if p.started_on else None,
                p.completed_on.isoformat() if p.completed_on else None, p.cancel_reason,
            ],
        )  # fmt: skip
    last = len(projects_list) + 1
    sheet.write(last, 0, _("合计"), book.head)
    for i in range(9):
        sheet.write_number(last, 9 + i, float(totals[i]), book.total)
    return book.close()


def fund_flow_xlsx(projects: QuerySet[Project], *, year: int | None) -> bytes:
    """资金流向表: totals per project and per partner, then every movement with the running
    balance of its project."""
    entries = list(fund_flow(projects, year=year))
    project_of = {p.account_id: p for p in projects}
    book = Workbook()

    per_project: dict[str, dict[str, Any]] = {}
    for e in entries:
        p = project_of[e.account_id]
        row = per_project.setdefault(
            p.code, {"title": p.title, "kind": p.get_kind_display(), "in": ZERO, "out": ZERO}
        )
        original_kind = e.reverses.kind if e.kind == EntryKind.REVERSAL and e.reverses else e.kind
        if original_kind == EntryKind.CREDIT:
            row["in"] += e.amount
        else:
            row["out"] -= e.amount
    sheet = book.sheet(
        _("按项目"), [_("项目编号"), _("项目名称"), _("帮扶类别"), _("资金到位"), _("已支付"), _("净额")],
        [14, 30, 14, 14, 14, 14],
    )  # fmt: skip
    for i, (code, r) in enumerate(sorted(per_project.items()), start=1):
        book.row(sheet, i, [code, r["title"], r["kind"], r["in"], r["out"], r["in"] - r["out"]])

    sheet = book.sheet(
        _("按帮扶方"), [_("单位编码"), _("帮扶方"), _("资金到位"), _("已支付")], [12, 30, 14, 14]
    )
    for i, r in enumerate(flow_by_partner(projects, year=year), start=1):
        book.row(sheet, i, [r["code"], r["name"], r["allocated"], r["paid"]])

    sheet = book.sheet(
        _("资金明细"),
        [_("日期"), _("项目编号"), _("类型"), _("收入"), _("支出"), _("项目余额"), _("摘要"), _("经办人")],
        [11, 14, 8, 14, 14, 14, 40, 14],
    )
    # Running balance per project: start from the balance before the period when a year is given.
    opening: dict[int, Decimal] = defaultdict(lambda: ZERO)
    if year is not None:
        before = (
            Entry.objects.filter(account__project__in=projects, occurred_on__year__lt=year)
            .values("account_id")
            .annotate(total=Sum("amount"))
        )
        for total in before:
            opening[total["account_id"]] = total["total"] or ZERO
    running = dict(opening)
    for i, e in enumerate(entries, start=1):
        running[e.account_id] = running.get(e.account_id, ZERO) + e.amount
        book.row(
            sheet,
            i,
            [
                e.occurred_on.isoformat(), project_of[e.account_id].code, e.get_kind_display(),
                e.amount if e.amount > 0 else None, -e.amount if e.amount < 0 else None,
                running[e.account_id], e.memo, str(e.actor) if e.actor else "",
            ],
        )  # fmt: skip
    return book.close()
