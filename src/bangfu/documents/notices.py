"""Public notices to print and post (公示 / 公告), built from the records each time they are opened.

Each builder takes what the caller's scoped selector returned (the view decides who may open
what) and gives an `OfficialDocument` without a 版头: a title, the facts in prose, the table, the
publicity period and where to object, and the 落款. Nothing unmasked: ID numbers as the registry
masks them, donors named only with consent, households by village.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet

from bangfu.areas.models import Area
from bangfu.documents.models import OfficeProfile
from bangfu.lib.money import ZERO, format_money
from bangfu.lib.officialdoc import (
    Annex,
    Heading,
    OfficialDocument,
    Paragraph,
    Table,
    cn_date,
    cn_numeral,
)

SIZE_5 = 10.5  # 五号: a list of many columns


@dataclass(frozen=True)
class Period:
    """A publicity period: `days` calendar days from `start`, both ends included."""

    start: date
    days: int

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days - 1)

    def sentence(self) -> str:
        return f"公示期为{cn_date(self.start)}至{cn_date(self.end)}（共{self.days}天）。"


def _objection_route(
    profile: OfficeProfile, *, online: str = "", lead: str = "公示期间，任何单位和个人如有异议，"
) -> str:
    parts = []
    if online:
        parts.append(f"登录{online}在线提出")
    if profile.phone:
        parts.append(f"拨打电话{profile.phone}")
    if profile.address:
        parts.append(f"来信或来访（地址：{profile.address}）")
    ways = (
        f"可{'，或'.join(parts)}，向{profile.office_name}反映"
        if parts
        else f"可向{profile.office_name}书面反映"
    )
    return (
        f"{lead}{ways}。"
        "反映问题应实事求是、具体翔实；以单位名义反映的请加盖公章，以个人名义反映的请署真实姓名并留联系方式。"
    )


# --- 雨露计划 -------------------------------------------------------------------------------------------
YULU_STAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    # key: (the step the notice publicises, application statuses listed)
    "village": ("经本人申请、村级初审", ("village_publicity",)),
    "county": ("经本人申请、村级初审、乡镇审核、县级审定", ("county_publicity",)),
    "approved": (
        "经本人申请、村级初审、乡镇审核",
        ("village_publicity", "township_approved", "county_publicity", "batched", "paid"),
    ),
}


def yulu_notice(
    *,
    profile: OfficeProfile,
    term: Any,
    area: Area,
    applications: QuerySet[Any],
    stage: str,
    period: Period,
    signed_on: date,
) -> OfficialDocument:
    """The 公示 of a term's Yulu students of one village or township. `applications` is the
    caller's scoped queryset; it is narrowed here to the area, the term and the stage."""
    step, statuses = YULU_STAGES[stage]
    rows_qs = (
        applications.filter(term=term, village__code__startswith=area.prefix, status__in=statuses)
        .select_related("member", "village", "village__parent", "payment")
        .order_by("village__code", "member__name", "pk")
    )
    rows: list[list[Any]] = []
    total = ZERO
    for n, app in enumerate(rows_qs, start=1):
        payment = getattr(app, "payment", None)
        amount = payment.amount if payment is not None else term.amount
        total += amount
        village = (
            app.village.name if area.level == "village" else f"{app.village.parent.name}{app.village.name}"
        )
        rows.append(
            [
                n,
                app.member.name,
                village,
                app.member.id_number_masked,
                app.school,
                app.member.get_schooling_display() or "",
                format_money(amount),
            ]
        )
    place = (
        area.name
        if area.level != "village"
        else f"{area.parent.name}{area.name}"
        if area.parent
        else area.name
    )
    term_name = f"{term.year}年{term.get_season_display()}"
    body: list[Any] = [
        Paragraph(
            f"根据雨露计划职业教育补助政策规定，{step}，{place}{term_name}雨露计划拟补助对象共{len(rows)}人，"
            f"拟补助资金{format_money(total)}元（名单见附件），现予以公示。"
        ),
        Paragraph(period.sentence()),
        Paragraph(_objection_route(profile)),
    ]
    table = Table(
        columns=["序号", "姓名", "所在村", "身份证号码", "就读学校", "年级", "补助金额（元）"],
        rows=rows,
        widths=[1.1, 1.4, 1.9, 3.4, 3.0, 1.8, 1.8],
        numeric=[6],
        centred=[0],
        total=[f"合计（{len(rows)}人）", "", "", "", "", "", format_money(total)],
        size=SIZE_5,
    )
    return OfficialDocument(
        title=f"关于{place}{term_name}雨露计划补助对象的公示",
        body=body,
        issuer=profile.office_name,
        signed_on=signed_on,
        annexes=[Annex(f"{place}{term_name}雨露计划拟补助对象名单", [table])],
    )


# --- 先进评选 ---------------------------------------------------------------------------------------------
def _by_award(nominations: Sequence[Any]) -> list[Any]:
    """The nominations grouped by award, each group a numbered line and a table."""
    groups: dict[int, tuple[Any, list[list[Any]]]] = {}
    for n in nominations:
        award, rows = groups.setdefault(n.award_type_id, (n.award_type, []))
        rows.append([len(rows) + 1, n.nominee_name, n.nominee_unit, n.nominating_org.name])
    blocks: list[Any] = []
    for i, (award, rows) in enumerate(groups.values(), start=1):
        unit = "个" if award.category == "collective" else "名"
        blocks.append(Paragraph(f"{cn_numeral(i)}、{award.name}（{len(rows)}{unit}）", indent=False))
        blocks.append(
            Table(
                columns=["序号", "名称或姓名", "工作单位", "推荐单位"],
                rows=rows,
                widths=[1.1, 3, 3.5, 3],
                centred=[0],
            )
        )
    return blocks


def award_publicity_notice(
    *,
    profile: OfficeProfile,
    award_round: Any,
    nominations: Sequence[Any],
    objection_url: str,
    signed_on: date,
) -> OfficialDocument:
    """The nominees' 公示: who, the publicity period the round set and where to object (the
    awards app's online objection page, the office's phone and address)."""
    starts = award_round.publicity_starts_on
    period = Period(start=starts, days=award_round.publicity_days) if starts else None
    body: list[Any] = [
        Paragraph(
            f"根据{award_round.title}工作安排，经各单位推荐、资格审核和评审委员会评审，"
            f"拟确定{len(nominations)}个集体和个人为{award_round.title}表彰对象（名单见附件），现予以公示。"
        ),
        Paragraph(period.sentence() if period else "公示期另行通知。"),
        Paragraph(_objection_route(profile, online=f"公示页面（{objection_url}）")),
    ]
    return OfficialDocument(
        title=f"关于{award_round.title}拟表彰对象的公示",
        body=body,
        issuer=profile.office_name,
        signed_on=signed_on,
        annexes=[Annex(f"{award_round.title}拟表彰对象名单", _by_award(nominations))],
    )


def award_result_notice(
    *, profile: OfficeProfile, award_round: Any, nominations: Sequence[Any], signed_on: date
) -> OfficialDocument:
    ends = award_round.publicity_ends_on
    held = f"经{cn_date(award_round.publicity_starts_on)}至{cn_date(ends)}公示，" if ends else ""
    body: list[Any] = [
        Paragraph(
            f"根据{award_round.title}工作安排，经各单位推荐、资格审核、评审委员会评审，{held}"
            f"确定以下{len(nominations)}个集体和个人为{award_round.title}表彰对象，现予以公布。"
        ),
        Paragraph(
            "希望受表彰的集体和个人珍惜荣誉、再接再厉，全县各单位和广大干部群众以先进为榜样，为巩固脱贫攻坚成果作出新的贡献。"
        ),
        *_by_award(nominations),
    ]
    return OfficialDocument(
        title=f"关于{award_round.title}结果的公告",
        body=body,
        issuer=profile.office_name,
        signed_on=signed_on,
    )


# --- 扶贫日 ------------------------------------------------------------------------------------------
def donation_use_notice(
    *, profile: OfficeProfile, disclosure: Any, goods: Sequence[dict[str, Any]], signed_on: date
) -> OfficialDocument:
    """How the 扶贫日 money and goods were used: raised (cash and goods at valuation, apart),
    spent by purpose and village, the balance, where the goods went. `disclosure` is
    `charity.selectors.disclosure` (public data only); `goods` its goods donations."""
    d = disclosure
    c = d.campaign
    spend_rows = []
    for n, s in enumerate(d.spendings, start=1):
        place = f"{s['township']}{s['village']}" if s["village"] else "—"
        recipient = s["project"] or s["recipient_kind"]
        spend_rows.append([n, s["purpose"], place, recipient, format_money(s["amount"])])
    goods_rows = [
        [n, g["goods"], g["donor"], format_money(g["amount"]), g["earmark"]]
        for n, g in enumerate(goods, start=1)
    ]
    period = f"{cn_date(c.starts_on)}至{cn_date(c.ends_on)}"
    body: list[Any] = [
        Paragraph(f"{c.name}于{period}开展。为接受社会监督，现将募集资金和物资的使用情况公示如下。"),
        Heading("募集情况"),
        Paragraph(
            f"共接收捐赠{d.donors}笔（人次），其中资金{format_money(d.money_raised)}元，"
            f"物资折价{format_money(d.goods_value)}元，合计{format_money(d.total_raised)}元。"
        ),
        Heading("资金使用情况"),
    ]
    if spend_rows:
        body += [
            Paragraph(f"经审批使用资金{len(spend_rows)}笔，共计{format_money(d.spent)}元，明细如下。"),
            Table(
                columns=["序号", "用途", "受益村", "项目或对象", "金额（元）"],
                rows=spend_rows,
                widths=[1.1, 4, 3, 2.6, 2],
                numeric=[4],
                centred=[0],
                total=["合计", "", "", "", format_money(d.spent)],
            ),
        ]
    else:
        body.append(Paragraph("截至公示之日，募集资金尚未使用。"))
    body += [
        Heading("资金结余"),
        Paragraph(
            f"截至{cn_date(d.as_of)}，募集资金结余{format_money(d.balance)}元，将按捐赠人意愿和规定用途继续使用，使用情况另行公示。"
        ),
        Heading("物资去向"),
    ]
    if goods_rows:
        body.append(
            Table(
                columns=["序号", "物资", "捐赠方", "折价（元）", "去向"],
                rows=goods_rows,
                widths=[1.1, 4, 3, 2, 2.6],
                numeric=[3],
                centred=[0],
                total=["合计", "", "", format_money(d.goods_value), ""],
            )
        )
    else:
        body.append(Paragraph("本次活动未接收捐赠物资。"))
    body.append(Paragraph(_objection_route(profile, lead="对资金和物资的使用如有疑问，任何单位和个人")))
    return OfficialDocument(
        title=f"关于{c.name}募集资金和物资使用情况的公示",
        body=body,
        issuer=profile.office_name,
        signed_on=signed_on,
    )
