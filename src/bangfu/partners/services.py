"""Every write of the partners app: organisations, contacts, cadres, pairings (with their refusal
rules and history), work-team visits and monthly cooperation figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.models import Role, User
from bangfu.accounts.scopes import require_actor_in
from bangfu.areas.models import Area, Level
from bangfu.audit.services import diff, record_audit
from bangfu.lib.clock import today
from bangfu.lib.money import ZERO, AmountError, parse_amount
from bangfu.partners.models import (
    DEFAULT_KINSHIP_CAPS,
    FIGURE_FIELDS,
    FIGURE_KINDS,
    MONEY_FIELDS,
    Cadre,
    Contact,
    EastWestLevel,
    HelpMode,
    JobGrade,
    KinshipCap,
    KinshipVisit,
    Organisation,
    OrgType,
    Pairing,
    PairingFigures,
    PairingKind,
    Visit,
    VisitAttachment,
    VisitForm,
    VisitMember,
    VisitRule,
)
from bangfu.partners.spreadsheets import RowError, SheetError, read_sheet
from bangfu.registry.models import Household


def _snapshot(org: Organisation) -> dict[str, Any]:
    return {
        "name": org.name,
        "short_name": org.short_name,
        "org_type": org.org_type,
        "admin_level": org.admin_level,
        "area": org.area.code if org.area else None,
        "region": org.region,
        "parent": org.parent.code if org.parent_id and org.parent else None,
        "is_active": org.is_active,
    }


@transaction.atomic
def upsert_organisation(
    *,
    actor: User | None,
    county: Area,
    code: str,
    name: str,
    org_type: str,
    admin_level: str,
    short_name: str = "",
    area: Area | None = None,
    region: str = "",
) -> tuple[Organisation, bool]:
    """Create the organisation with this code in the county, or bring it up to date.
    Returns (organisation, created)."""
    require_actor_in(actor, county, Role.COUNTY_ADMIN)
    if county.level != Level.COUNTY:
        raise ValidationError({"county": _("所属县必须是县级区划。")})
    if area is not None and not area.code.startswith(county.prefix):
        raise ValidationError({"area": _("所在区划不在该县内。")})
    org = Organisation.objects.filter(county=county, code=code).first()
    if org is None:
        org = Organisation(county=county, code=code)
        created, before = True, {}
    else:
        created, before = False, _snapshot(org)
    org.name, org.short_name, org.org_type, org.admin_level = name, short_name, org_type, admin_level
    org.area, org.region = area, region
    org.full_clean()
    after = _snapshot(org)
    if created:
        org.save()
        record_audit(actor=actor, action="organisation.create", target=org, after=after, county=county)
    elif before != after:
        org.save()
        old, new = diff(before, after)
        record_audit(
            actor=actor,
            action="organisation.update",
            target=org,
            before=old,
            after=new,
            county=county,
        )
    return org, created


def _county_code(county: Area) -> str:
    return county.county_code


@transaction.atomic
def set_organisation_parent(
    *, actor: User | None, organisation: Organisation, parent: Organisation | None
) -> Organisation:
    """Set or clear the 上级单位. The parent must be in the same county and no cycle may form."""
    require_actor_in(actor, organisation.county, Role.COUNTY_ADMIN)
    if parent is not None:
        if parent.county_id != organisation.county_id:
            raise ValidationError({"parent": _("上级单位必须属于同一个县的计划。")})
        cursor: Organisation | None = parent
        while cursor is not None:
            if cursor.pk == organisation.pk:
                raise ValidationError({"parent": _("上级单位不能是本单位或其下级单位。")})
            cursor = cursor.parent
    if organisation.parent_id == (parent.pk if parent else None):
        return organisation
    before = {"parent": organisation.parent.code if organisation.parent else None}
    organisation.parent = parent
    organisation.save(update_fields=["parent", "updated_at"])
    record_audit(
        actor=actor,
        action="organisation.set_parent",
        target=organisation,
        before=before,
        after={"parent": parent.code if parent else None},
        county=organisation.county,
    )
    return organisation


@transaction.atomic
def add_contact(
    *,
    actor: User | None,
    organisation: Organisation,
    name: str,
    post: str = "",
    phone: str = "",
    is_liaison: bool = True,
) -> Contact:
    require_actor_in(
        actor, organisation.county, Role.COUNTY_ADMIN, Role.UNIT_REPORTER, organisation=organisation
    )
    name = name.strip()
    if Contact.objects.filter(organisation=organisation, name=name).exists():
        raise ValidationError({"name": _("该单位已有同名联系人。")})
    contact = Contact(
        organisation=organisation, name=name, post=post.strip(), phone=phone.strip(), is_liaison=is_liaison
    )
    contact.full_clean()
    contact.save()
    record_audit(
        actor=actor,
        action="contact.create",
        target=contact,
        after={
            "organisation": organisation.code,
            "name": name,
            "post": contact.post,
            "is_liaison": is_liaison,
        },
        county=organisation.county,
    )
    return contact


def _require_recorder(actor: User | None, pairing: Pairing) -> None:
    """County admins of the pairing's county, or a unit reporter of its helping organisation (a
    kinship pairing's helper is a cadre: their organisation)."""
    helper = pairing.helper_organisation or (
        pairing.helper_cadre.organisation if pairing.helper_cadre else None
    )
    require_actor_in(actor, pairing.county, Role.COUNTY_ADMIN, Role.UNIT_REPORTER, organisation=helper)


# --- cadres ---------------------------------------------------------------------------------------
def _cadre_snapshot(cadre: Cadre) -> dict[str, Any]:
    return {
        "organisation": cadre.organisation.code,
        "name": cadre.name,
        "post": cadre.post,
        "job_grade": cadre.job_grade,
        "resident_team": cadre.resident_team,
        "is_active": cadre.is_active,
        # The phone is personal data: the audit trail records that it changed, not its value.
        "phone_tail": cadre.phone[-4:],
    }


def _check_cadre(*, cadre: Cadre) -> None:
    errors: dict[str, str] = {}
    if not (len(cadre.phone) == 11 and cadre.phone.isdigit() and cadre.phone.startswith("1")):
        errors["phone"] = _("手机号必须是以1开头的11位数字。")
    elif Cadre.objects.filter(phone=cadre.phone).exclude(pk=cadre.pk).exists():
        errors["phone"] = _("手机号已被其他帮扶干部使用，帮扶干部手机号不能重复。")
    if cadre.job_grade not in JobGrade.values:
        errors["job_grade"] = _("职务级别无效。")
    if not cadre.name.strip():
        errors["name"] = _("姓名不能为空。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_cadre(
    *,
    actor: User | None,
    organisation: Organisation,
    name: str,
    phone: str,
    job_grade: str,
    post: str = "",
    resident_team: bool = False,
) -> Cadre:
    require_actor_in(
        actor, organisation.county, Role.COUNTY_ADMIN, Role.UNIT_REPORTER, organisation=organisation
    )
    cadre = Cadre(
        county=organisation.county,
        organisation=organisation,
        name=name.strip(),
        phone=phone.strip(),
        job_grade=job_grade,
        post=post.strip(),
        resident_team=resident_team,
    )
    _check_cadre(cadre=cadre)
    cadre.save()
    record_audit(
        actor=actor,
        action="cadre.create",
        target=cadre,
        after=_cadre_snapshot(cadre),
        county=organisation.county,
    )
    return cadre


@transaction.atomic
def update_cadre(
    *,
    actor: User | None,
    cadre: Cadre,
    name: str,
    phone: str,
    job_grade: str,
    post: str = "",
    resident_team: bool = False,
    is_active: bool = True,
) -> Cadre:
    require_actor_in(
        actor, cadre.county, Role.COUNTY_ADMIN, Role.UNIT_REPORTER, organisation=cadre.organisation
    )
    before = _cadre_snapshot(cadre)
    old_phone = cadre.phone
    cadre.name, cadre.phone, cadre.job_grade = name.strip(), phone.strip(), job_grade
    cadre.post, cadre.resident_team, cadre.is_active = post.strip(), resident_team, is_active
    _check_cadre(cadre=cadre)
    after = _cadre_snapshot(cadre)
    if before != after or old_phone != cadre.phone:
        cadre.save()
        old, new = diff(before, after)
        if old_phone != cadre.phone:
            new["phone_changed"] = True
        record_audit(
            actor=actor,
            action="cadre.update",
            target=cadre,
            before=old,
            after=new,
            county=cadre.county,
        )
    return cadre


# --- configuration --------------------------------------------------------------------------------
def kinship_cap(county: Area, job_grade: str) -> int:
    configured = KinshipCap.objects.filter(county=county, job_grade=job_grade).first()
    return configured.max_households if configured else DEFAULT_KINSHIP_CAPS.get(job_grade, 1)


def kinship_caps(county: Area) -> dict[str, int]:
    """Every job grade's cap in the county (one query)."""
    caps = dict(DEFAULT_KINSHIP_CAPS)
    caps.update(KinshipCap.objects.filter(county=county).values_list("job_grade", "max_households"))
    return caps


def visit_rule(county: Area) -> VisitRule:
    """The county's rule, or an unsaved one carrying the plan's defaults."""
    return VisitRule.objects.filter(county=county).first() or VisitRule(county=county, **VisitRule.DEFAULTS)


@transaction.atomic
def set_kinship_cap(*, actor: User | None, county: Area, job_grade: str, max_households: int) -> KinshipCap:
    require_actor_in(actor, county, Role.COUNTY_ADMIN)
    if job_grade not in JobGrade.values:
        raise ValidationError({"job_grade": _("职务级别无效。")})
    if max_households < 0:
        raise ValidationError({"max_households": _("上限不能为负数。")})
    before = kinship_cap(county, job_grade)
    cap, _created = KinshipCap.objects.update_or_create(
        county=county, job_grade=job_grade, defaults={"max_households": max_households}
    )
    record_audit(
        actor=actor,
        action="kinship_cap.set",
        target=cap,
        before={"job_grade": job_grade, "max_households": before},
        after={"job_grade": job_grade, "max_households": max_households},
        county=county,
    )
    return cap


@transaction.atomic
def set_visit_rule(
    *,
    actor: User | None,
    county: Area,
    team_min: int,
    team_max: int,
    per_quarter: int,
    per_year: int,
    kinship_per_quarter: int = 1,
) -> VisitRule:
    require_actor_in(actor, county, Role.COUNTY_ADMIN)
    if team_min < 1 or team_max < team_min:
        raise ValidationError({"team_max": _("工作组人数范围无效：最少人数至少为1，且不大于最多人数。")})
    rule = visit_rule(county)
    before = {f: getattr(rule, f) for f in VisitRule.DEFAULTS}
    rule.team_min, rule.team_max, rule.per_quarter, rule.per_year = team_min, team_max, per_quarter, per_year
    rule.kinship_per_quarter = kinship_per_quarter
    rule.save()
    record_audit(
        actor=actor,
        action="visit_rule.set",
        target=rule,
        before=before,
        after={f: getattr(rule, f) for f in VisitRule.DEFAULTS},
        county=county,
    )
    return rule


# --- pairings -------------------------------------------------------------------------------------
ENTERPRISE_TYPES = {
    OrgType.PRIVATE_ENTERPRISE,
    OrgType.STATE_ENTERPRISE,
    OrgType.FINANCIAL,
    OrgType.SOCIAL_ORGANISATION,
}
EAST_WEST_AREA_LEVEL = {
    EastWestLevel.COUNTY: Level.COUNTY,
    EastWestLevel.TOWNSHIP: Level.TOWNSHIP,
    EastWestLevel.VILLAGE: Level.VILLAGE,
    EastWestLevel.ENTERPRISE_VILLAGE: Level.VILLAGE,
    EastWestLevel.SOCIAL_VILLAGE: Level.VILLAGE,
}
EAST_WEST_TARGET_ORG_TYPES = {
    EastWestLevel.SCHOOL: {OrgType.PUBLIC_INSTITUTION, OrgType.UNIVERSITY},
    EastWestLevel.HOSPITAL: {OrgType.HOSPITAL, OrgType.PUBLIC_INSTITUTION},
}


def _pairing_snapshot(pairing: Pairing) -> dict[str, Any]:
    return {
        "kind": pairing.kind,
        "helper_organisation": pairing.helper_organisation.code if pairing.helper_organisation else None,
        "helper_cadre": pairing.helper_cadre_id,
        "target_area": pairing.target_area.code if pairing.target_area else None,
        "target_organisation": pairing.target_organisation.code if pairing.target_organisation else None,
        "target_household": pairing.target_household.number if pairing.target_household else None,
        "east_west_level": pairing.east_west_level,
        "help_modes": list(pairing.help_modes),
        "start_date": pairing.start_date.isoformat(),
        "end_date": pairing.end_date.isoformat() if pairing.end_date else None,
        "previous": pairing.previous_id,
    }


def _same_target_filter(pairing: Pairing) -> dict[str, Any]:
    if pairing.kind == PairingKind.KINSHIP:
        return {"target_household_id": pairing.target_household_id}
    return {"target_area": pairing.target_area, "target_organisation": pairing.target_organisation}


def _overlapping(pairing: Pairing) -> Any:
    """Pairings of the same kind and target whose dates meet this one's [start, end]."""
    qs = Pairing.objects.filter(
        kind=pairing.kind, county=pairing.county, **_same_target_filter(pairing)
    ).exclude(pk=pairing.pk)
    qs = qs.filter(end_date__isnull=True) | qs.filter(end_date__gte=pairing.start_date)
    if pairing.end_date is not None:
        qs = qs.filter(start_date__lte=pairing.end_date)
    return qs


def _validate_pairing(pairing: Pairing) -> None:
    """The refusal rules. Raises ValidationError naming the field and the reason."""
    county = pairing.county
    kind = pairing.kind
    errors: dict[str, str] = {}
    if kind not in PairingKind.values:
        raise ValidationError({"kind": _("帮扶类型无效。")})
    if kind == PairingKind.KINSHIP:
        cadre = pairing.helper_cadre
        if cadre is None:
            raise ValidationError({"helper_cadre": _("结对认亲必须指定帮扶干部。")})
        if cadre.county_id != county.pk:
            errors["helper_cadre"] = _("帮扶干部不属于该县。")
        elif not cadre.is_active:
            errors["helper_cadre"] = _("帮扶干部已不在岗，不能新建结对。")
        household = pairing.target_household
        if household is None:
            errors["target_household"] = _("结对认亲必须指定贫困户。")
        elif household.county_id != county.pk:
            errors["target_household"] = _("该户不属于本县。")
        elif not household.active:
            errors["target_household"] = _("该户已不在册，不能新建结对。")
    else:
        org = pairing.helper_organisation
        if org is None:
            raise ValidationError({"helper_organisation": _("必须指定帮扶单位。")})
        if org.county_id != county.pk:
            errors["helper_organisation"] = _("帮扶单位不属于该县的计划。")
        elif not org.is_active:
            errors["helper_organisation"] = _("帮扶单位已撤销，不能新建结对。")
        area, target_org = pairing.target_area, pairing.target_organisation
        if area is not None and not area.code.startswith(county.prefix):
            errors["target_area"] = _("受帮扶区划不在该县内。")
        if target_org is not None and target_org.county_id != county.pk:
            errors["target_organisation"] = _("受帮扶单位不属于该县。")
        if kind in (PairingKind.DESIGNATED, PairingKind.ENTERPRISE):
            if area is None or area.level != Level.VILLAGE:
                errors["target_area"] = _("定点帮扶和万企帮万村的对象必须是行政村。")
            elif kind == PairingKind.DESIGNATED and not area.registered_poor:
                errors["target_area"] = _("定点帮扶的对象必须是建档立卡贫困村。")
        if kind == PairingKind.ENTERPRISE:
            if org is not None and org.org_type not in ENTERPRISE_TYPES:
                errors["helper_organisation"] = _(
                    "万企帮万村的帮扶方必须是企业、金融机构或商（协）会等社会组织。"
                )
            modes = list(pairing.help_modes or [])
            if not modes or any(m not in HelpMode.values for m in modes):
                errors["help_modes"] = _("请选择至少一种帮扶方式：产业、就业、公益、商贸、技能培训。")
        if kind == PairingKind.EAST_WEST:
            level = pairing.east_west_level
            if level not in EastWestLevel.values:
                errors["east_west_level"] = _("东西部协作必须指定结对层级。")
            elif level in EAST_WEST_AREA_LEVEL:
                if area is None or area.level != EAST_WEST_AREA_LEVEL[EastWestLevel(level)]:
                    errors["target_area"] = _("%(level)s的对象必须是%(area)s。") % {
                        "level": EastWestLevel(level).label,
                        "area": EAST_WEST_AREA_LEVEL[EastWestLevel(level)].label,
                    }
            elif (
                target_org is None
                or target_org.org_type not in EAST_WEST_TARGET_ORG_TYPES[EastWestLevel(level)]
            ):
                errors["target_organisation"] = _("%(level)s的对象必须是本县的学校或医院。") % {
                    "level": EastWestLevel(level).label
                }
            if (
                org is not None
                and org.area_id is not None
                and org.area is not None
                and org.area.code.startswith(county.prefix)
            ):
                errors["helper_organisation"] = _("东西部协作的帮扶方必须是县外（东部地区）的单位。")
        elif pairing.east_west_level:
            errors["east_west_level"] = _("只有东西部协作有结对层级。")
        if kind == PairingKind.COUNTERPART:
            if org is not None and org.org_type != OrgType.COUNTERPART:
                errors["helper_organisation"] = _("省内对口帮扶的帮扶方必须是对口帮扶方单位。")
            if area is None and target_org is None:
                errors["target_area"] = _("必须指定受帮扶的县、乡（镇）或单位。")
    if pairing.end_date is not None and pairing.end_date < pairing.start_date:
        errors["end_date"] = _("结束日期不能早于开始日期。")
    if errors:
        raise ValidationError(errors)
    if kind == PairingKind.KINSHIP:
        if _overlapping(pairing).exists():
            raise ValidationError(
                {"target_household": _("该户已有在帮的结对干部；更换帮扶干部请使用“更换帮扶人”。")}
            )
        assert pairing.helper_cadre is not None
        cadre = pairing.helper_cadre
        cap = kinship_cap(county, cadre.job_grade)
        load = (
            Pairing.objects.filter(kind=PairingKind.KINSHIP, helper_cadre=cadre)
            .exclude(pk=pairing.pk)
            .filter(start_date__lte=pairing.start_date)
            .exclude(end_date__lt=pairing.start_date)
            .count()
        )
        if load >= cap:
            raise ValidationError(
                {
                    "helper_cadre": _("%(name)s（%(grade)s）最多结对%(cap)d户，已结对%(load)d户。")
                    % {"name": cadre.name, "grade": JobGrade(cadre.job_grade).label, "cap": cap, "load": load}
                }
            )
    elif _overlapping(pairing).filter(helper_organisation=pairing.helper_organisation).exists():
        raise ValidationError(
            {"helper_organisation": _("该单位与同一对象已有时间重叠的同类结对，不能重复结对。")}
        )


@transaction.atomic
def create_pairing(
    *,
    actor: User | None,
    county: Area,
    kind: str,
    start_date: date,
    helper_organisation: Organisation | None = None,
    helper_cadre: Cadre | None = None,
    target_area: Area | None = None,
    target_organisation: Organisation | None = None,
    target_household: Household | None = None,
    east_west_level: str = "",
    help_modes: Sequence[str] = (),
    yearly_plan: str = "",
    note: str = "",
    previous: Pairing | None = None,
) -> Pairing:
    require_actor_in(actor, county, Role.COUNTY_ADMIN)
    pairing = Pairing(
        county=county,
        kind=kind,
        start_date=start_date,
        helper_organisation=helper_organisation,
        helper_cadre=helper_cadre,
        target_area=target_area,
        target_organisation=target_organisation,
        east_west_level=east_west_level,
        help_modes=list(help_modes),
        yearly_plan=yearly_plan,
        note=note,
        target_household=target_household,
        previous=previous,
    )
    _validate_pairing(pairing)
    pairing.save()
    record_audit(
        actor=actor,
        action="pairing.create",
        target=pairing,
        after=_pairing_snapshot(pairing),
        county=county,
    )
    return pairing


@transaction.atomic
def end_pairing(*, actor: User | None, pairing: Pairing, end_date: date, reason: str) -> Pairing:
    require_actor_in(actor, pairing.county, Role.COUNTY_ADMIN)
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    if pairing.end_date is not None:
        raise ValidationError(
            {"end_date": _("该结对已于%(date)s结束。") % {"date": pairing.end_date.isoformat()}}
        )
    if end_date < pairing.start_date:
        raise ValidationError({"end_date": _("结束日期不能早于开始日期。")})
    if not reason.strip():
        raise ValidationError({"reason": _("请填写结束原因。")})
    pairing.end_date, pairing.end_reason = end_date, reason.strip()[:200]
    pairing.save(update_fields=["end_date", "end_reason"])
    record_audit(
        actor=actor,
        action="pairing.end",
        target=pairing,
        before={"end_date": None},
        after={"end_date": end_date.isoformat()},
        reason=pairing.end_reason,
        county=pairing.county,
    )
    return pairing


@transaction.atomic
def change_pairing_helper(
    *,
    actor: User | None,
    pairing: Pairing,
    on_date: date,
    reason: str,
    helper_organisation: Organisation | None = None,
    helper_cadre: Cadre | None = None,
) -> Pairing:
    """A change of helper: the running pairing ends the day before `on_date` and a new one with the
    same target starts on `on_date`, pointing back at it. Returns the new pairing."""
    require_actor_in(actor, pairing.county, Role.COUNTY_ADMIN)
    old = Pairing.objects.select_for_update().get(pk=pairing.pk)
    if old.end_date is not None:
        raise ValidationError({"pairing": _("该结对已结束，不能更换帮扶人。")})
    if on_date <= old.start_date:
        raise ValidationError(
            {"on_date": _("更换日期必须晚于原结对开始日期%(date)s。") % {"date": old.start_date.isoformat()}}
        )
    if old.kind == PairingKind.KINSHIP:
        if helper_cadre is None or helper_cadre.pk == old.helper_cadre_id:
            raise ValidationError({"helper_cadre": _("请选择另一名帮扶干部。")})
    elif helper_organisation is None or helper_organisation.pk == old.helper_organisation_id:
        raise ValidationError({"helper_organisation": _("请选择另一个帮扶单位。")})
    end_pairing(actor=actor, pairing=old, end_date=on_date - timedelta(days=1), reason=reason)
    old.refresh_from_db()
    return create_pairing(
        actor=actor,
        county=old.county,
        kind=old.kind,
        start_date=on_date,
        helper_organisation=helper_organisation if old.kind != PairingKind.KINSHIP else None,
        helper_cadre=helper_cadre if old.kind == PairingKind.KINSHIP else None,
        target_area=old.target_area,
        target_organisation=old.target_organisation,
        target_household=old.target_household,
        east_west_level=old.east_west_level,
        help_modes=old.help_modes,
        yearly_plan=old.yearly_plan,
        note=old.note,
        previous=old,
    )


# --- work-team visits -----------------------------------------------------------------------------
@transaction.atomic
def record_visit(
    *,
    actor: User | None,
    organisation: Organisation,
    village: Area,
    date: date,
    purpose: str,
    cadres: Sequence[Cadre] = (),
    guests: Sequence[str] = (),
    activities: str = "",
    households_visited: int = 0,
    follow_ups: str = "",
    off_pairing_reason: str = "",
    attachments: Sequence[UploadedFile] = (),
) -> Visit:
    """Record a work-team visit. Refused (nothing saved) when the date is in the future, the team
    size is outside the county's range, a cadre is not of the organisation, or the village is not
    one the organisation is paired with and no reason is given."""
    require_actor_in(
        actor, organisation.county, Role.COUNTY_ADMIN, Role.UNIT_REPORTER, organisation=organisation
    )
    county = organisation.county
    rule = visit_rule(county)
    guests = [g.strip() for g in guests if g and g.strip()]
    errors: dict[str, str] = {}
    if village.level != Level.VILLAGE or not village.code.startswith(county.prefix):
        errors["village"] = _("走访对象必须是本县的行政村。")
    if date > today():
        errors["date"] = _("走访日期不能晚于今天（%(today)s）。") % {"today": today().isoformat()}
    if not purpose.strip():
        errors["purpose"] = _("请填写走访目的。")
    foreign = [c.name for c in cadres if c.organisation_id != organisation.pk]
    if foreign:
        errors["cadres"] = _("以下干部不属于本单位：%(names)s。") % {"names": "、".join(foreign)}
    if len({c.pk for c in cadres}) != len(cadres) or len(set(guests)) != len(guests):
        errors["cadres"] = _("工作组成员有重复。")
    size = len(cadres) + len(guests)
    if not rule.team_min <= size <= rule.team_max:
        errors["members"] = _("工作组人数为%(size)d人，应为%(min)d–%(max)d人。") % {
            "size": size,
            "min": rule.team_min,
            "max": rule.team_max,
        }
    if households_visited < 0:
        errors["households_visited"] = _("走访户数不能为负数。")
    if "village" not in errors and "date" not in errors and not off_pairing_reason.strip():
        paired = (
            Pairing.objects.filter(
                helper_organisation=organisation, target_area=village, start_date__lte=date
            )
            .exclude(end_date__lt=date)
            .exists()
        )
        if not paired:
            errors["village"] = _("%(village)s不是本单位在该日期的结对村；如确需走访，请填写原因。") % {
                "village": village.name
            }
    if errors:
        raise ValidationError(errors)
    visit = Visit.objects.create(
        county=county,
        organisation=organisation,
        village=village,
        date=date,
        team_size=size,
        purpose=purpose.strip()[:200],
        activities=activities.strip(),
        households_visited=households_visited,
        follow_ups=follow_ups.strip(),
        off_pairing_reason=off_pairing_reason.strip()[:200],
        created_by=actor if actor is not None and actor.pk else None,
    )
    VisitMember.objects.bulk_create(
        [VisitMember(visit=visit, cadre=c) for c in cadres]
        + [VisitMember(visit=visit, guest_name=g) for g in guests]
    )
    for upload in attachments:
        VisitAttachment.objects.create(visit=visit, file=upload, name=(upload.name or "")[:200])
    record_audit(
        actor=actor,
        action="visit.create",
        target=visit,
        after={
            "organisation": organisation.code,
            "village": village.code,
            "date": date.isoformat(),
            "team_size": size,
            "off_pairing_reason": visit.off_pairing_reason,
        },
        county=county,
    )
    return visit


@transaction.atomic
def record_kinship_visit(
    *, actor: User | None, pairing: Pairing, date: date, form: str, notes: str = ""
) -> KinshipVisit:
    """A cadre's visit or call to the household of a kinship pairing running on that date."""
    _require_recorder(actor, pairing)
    errors: dict[str, str] = {}
    if pairing.kind != PairingKind.KINSHIP:
        raise ValidationError({"pairing": _("只有结对认亲可以登记结对户走访。")})
    if date > today():
        errors["date"] = _("走访日期不能晚于今天（%(today)s）。") % {"today": today().isoformat()}
    elif not pairing.is_active_on(date):
        errors["date"] = _("该日期不在结对期限内（%(start)s 起）。") % {
            "start": pairing.start_date.isoformat()
        }
    if form not in VisitForm.values:
        errors["form"] = _("走访形式无效，应为入户走访或电话联系。")
    if errors:
        raise ValidationError(errors)
    assert pairing.helper_cadre is not None and pairing.target_household is not None
    visit = KinshipVisit.objects.create(
        county=pairing.county,
        pairing=pairing,
        cadre=pairing.helper_cadre,
        household=pairing.target_household,
        date=date,
        form=form,
        notes=notes.strip(),
        created_by=actor if actor is not None and actor.pk else None,
    )
    record_audit(
        actor=actor,
        action="kinship_visit.create",
        target=visit,
        after={
            "pairing": pairing.pk,
            "household": pairing.target_household.number,
            "date": date.isoformat(),
            "form": form,
        },
        county=pairing.county,
    )
    return visit


# --- monthly pairing inputs (帮扶投入) ---------------------------------------------------------------
@transaction.atomic
def record_pairing_figures(
    *, actor: User | None, pairing: Pairing, month: date, **figures: Any
) -> PairingFigures:
    """Enter (or correct) one month of inputs of a designated, east–west, counterpart or
    enterprise pairing: the month's figures as a whole (a figure not given is 0). A correction
    updates the month's row; the audit trail keeps before and after."""
    _require_recorder(actor, pairing)
    errors: dict[str, str] = {}
    if pairing.kind not in FIGURE_KINDS:
        raise ValidationError(
            {"pairing": _("只有定点帮扶、东西部协作、对口帮扶和万企帮万村结对填报帮扶投入。")}
        )
    unknown = set(figures) - set(FIGURE_FIELDS)
    if unknown:
        raise ValidationError({"figures": _("未知指标：%(names)s。") % {"names": ", ".join(sorted(unknown))}})
    month = month.replace(day=1)
    if month > today().replace(day=1):
        errors["month"] = _("不能填报未来月份的指标。")
    if month < pairing.start_date.replace(day=1) or (pairing.end_date and month > pairing.end_date):
        errors["month"] = _("该月份不在结对期限内。")
    values: dict[str, Decimal | int] = {}
    for field in FIGURE_FIELDS:
        raw = figures.get(field, 0)
        if field in MONEY_FIELDS:
            try:
                values[field] = parse_amount(raw, minimum=ZERO)  # Decimal, two places, never a float
            except AmountError as exc:
                errors[field] = str(exc)
            continue
        try:
            count = Decimal(str(raw).strip() or "0") if not isinstance(raw, bool) else Decimal("x")
        except ArithmeticError:
            errors[field] = _("必须是整数。")
            continue
        if not count.is_finite() or count != count.to_integral_value():
            errors[field] = _("必须是整数。")
        elif count < 0:
            errors[field] = _("不能为负数。")
        else:
            values[field] = int(count)
    if errors:
        raise ValidationError(errors)
    row = PairingFigures.objects.select_for_update().filter(pairing=pairing, month=month).first()
    before = {f: str(getattr(row, f)) for f in FIGURE_FIELDS} if row else None
    if row is None:
        row = PairingFigures(pairing=pairing, month=month)
    for field, number in values.items():
        setattr(row, field, number)
    row.full_clean()
    row.save()
    record_audit(
        actor=actor,
        action="pairing_figures.update" if before else "pairing_figures.create",
        target=row,
        before=before,
        after={f: str(getattr(row, f)) for f in FIGURE_FIELDS},
        county=pairing.county,
    )
    return row


# --- Excel imports ----------------------------------------------------------------------------------
ORG_COLUMNS = {
    "code": ("单位编码", "code"),
    "name": ("单位名称", "name"),
    "short_name": ("简称", "short_name"),
    "org_type": ("单位类型", "org_type"),
    "admin_level": ("隶属关系", "admin_level"),
    "parent": ("上级单位编码", "parent"),
    "region": ("所在地区", "region"),
    "area": ("所在区划代码", "area"),
}
CADRE_COLUMNS = {
    "name": ("姓名", "name"),
    "organisation": ("单位编码", "organisation"),
    "post": ("职务", "post"),
    "job_grade": ("职务级别", "job_grade"),
    "phone": ("手机号", "phone"),
    "resident_team": ("是否驻村队员", "resident_team"),
}
_YES = {"是", "1", "true", "yes", "y"}
_NO = {"", "否", "0", "false", "no", "n"}


def _choice(value: str, choices: Any) -> str | None:
    for choice in choices:
        if value in (choice.value, str(choice.label)):
            return str(choice.value)
    return None


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@transaction.atomic
def import_organisations(
    *, actor: User | None, county: Area, data: bytes, file_name: str = "upload.xlsx"
) -> ImportResult:
    """Create or update organisations from an Excel sheet, keyed by 单位编码. Every row is checked
    first; on any error nothing is saved and SheetError lists each (row, field, reason)."""
    require_actor_in(actor, county, Role.COUNTY_ADMIN)
    from bangfu.partners.models import AdminLevel

    rows = read_sheet(data, ORG_COLUMNS, ("code", "name", "org_type", "admin_level"), file_name=file_name)
    errors: list[RowError] = []
    existing = {o.code: o for o in Organisation.objects.filter(county=county)}
    areas = {a.code: a for a in Area.objects.filter(code__in=[r["area"] for _n, r in rows if r.get("area")])}
    names_taken = {o.name: o.code for o in existing.values()}
    seen: dict[str, int] = {}
    parsed: list[tuple[int, dict[str, Any]]] = []
    for number, r in rows:
        code, name = r["code"], r["name"]
        values: dict[str, Any] = {"code": code, "name": name, "short_name": r.get("short_name", "")[:40]}
        if not code or len(code) > 32:
            errors.append(RowError(number, _("单位编码"), _("不能为空，且不超过32个字符。")))
        elif code in seen:
            errors.append(RowError(number, _("单位编码"), _("与第%(row)d行重复。") % {"row": seen[code]}))
        else:
            seen[code] = number
        if not name or len(name) > 120:
            errors.append(RowError(number, _("单位名称"), _("不能为空，且不超过120个字符。")))
        elif names_taken.get(name, code) != code:
            errors.append(
                RowError(number, _("单位名称"), _("已被单位 %(code)s 使用。") % {"code": names_taken[name]})
            )
        else:
            names_taken[name] = code
        values["org_type"] = _choice(r["org_type"], OrgType)
        if values["org_type"] is None:
            errors.append(RowError(number, _("单位类型"), _("“%(v)s”无效。") % {"v": r["org_type"]}))
        values["admin_level"] = _choice(r["admin_level"], AdminLevel)
        if values["admin_level"] is None:
            errors.append(RowError(number, _("隶属关系"), _("“%(v)s”无效。") % {"v": r["admin_level"]}))
        area_code = r.get("area", "")
        values["area"] = areas.get(area_code) if area_code else None
        if area_code and (values["area"] is None or not area_code.startswith(county.prefix)):
            errors.append(
                RowError(number, _("所在区划代码"), _("%(code)s 不是本县的区划。") % {"code": area_code})
            )
        values["region"] = r.get("region", "")[:100]
        values["parent"] = r.get("parent", "")
        parsed.append((number, values))
    codes_after = set(existing) | set(seen)
    for number, values in parsed:
        parent = values["parent"]
        if parent and (parent not in codes_after or parent == values["code"]):
            errors.append(
                RowError(
                    number, _("上级单位编码"), _("单位 %(code)s 不存在或就是本单位。") % {"code": parent}
                )
            )
    if errors:
        raise SheetError(sorted(errors, key=lambda e: e.row))

    result = ImportResult()
    fields = ("name", "short_name", "org_type", "admin_level", "area", "region")
    to_create, to_update = [], []
    for _number, values in parsed:
        org = existing.get(values["code"])
        if org is None:
            to_create.append(
                Organisation(county=county, code=values["code"], **{f: values[f] for f in fields})
            )
            continue
        if all(getattr(org, f) == values[f] for f in fields):
            result.unchanged += 1
            continue
        for f in fields:
            setattr(org, f, values[f])
        org.updated_at = timezone.now()
        to_update.append(org)
    Organisation.objects.bulk_create(to_create)
    Organisation.objects.bulk_update(to_update, [*fields, "updated_at"])
    result.created, result.updated = len(to_create), len(to_update)
    # Second pass: parents, now that every code exists.
    by_code = {o.code: o for o in Organisation.objects.filter(county=county)}
    parent_updates = []
    for _number, values in parsed:
        org = by_code[values["code"]]
        parent_id = by_code[values["parent"]].pk if values["parent"] else None
        if org.parent_id != parent_id:
            org.parent_id = parent_id
            parent_updates.append(org)
    Organisation.objects.bulk_update(parent_updates, ["parent"])
    record_audit(
        actor=actor,
        action="organisation.import",
        target_type="partners.organisation",
        after={"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
        county=county,
    )
    return result


@transaction.atomic
def import_cadres(
    *,
    actor: User | None,
    county: Area,
    data: bytes,
    organisation: Organisation | None = None,
    file_name: str = "upload.xlsx",
) -> ImportResult:
    """Create or update cadres from an Excel sheet, keyed by the (unique) mobile phone. With
    `organisation` (a unit reporter's import) every row must belong to it. All or nothing."""
    require_actor_in(actor, county, Role.COUNTY_ADMIN, Role.UNIT_REPORTER, organisation=organisation)
    rows = read_sheet(
        data, CADRE_COLUMNS, ("name", "organisation", "job_grade", "phone"), file_name=file_name
    )
    errors: list[RowError] = []
    orgs = {o.code: o for o in Organisation.objects.filter(county=county)}
    phones = [r["phone"] for _n, r in rows]
    existing = {c.phone: c for c in Cadre.objects.filter(phone__in=phones).select_related("organisation")}
    seen: dict[str, int] = {}
    parsed: list[dict[str, Any]] = []
    for number, r in rows:
        values: dict[str, Any] = {"name": r["name"][:60], "post": r.get("post", "")[:60], "phone": r["phone"]}
        if not r["name"]:
            errors.append(RowError(number, _("姓名"), _("不能为空。")))
        org = orgs.get(r["organisation"])
        if org is None or (organisation is not None and org.pk != organisation.pk):
            errors.append(
                RowError(
                    number, _("单位编码"), _("%(code)s 不是可导入的单位。") % {"code": r["organisation"]}
                )
            )
        values["organisation"] = org
        values["job_grade"] = _choice(r["job_grade"], JobGrade)
        if values["job_grade"] is None:
            errors.append(RowError(number, _("职务级别"), _("“%(v)s”无效。") % {"v": r["job_grade"]}))
        phone = r["phone"]
        if not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
            errors.append(RowError(number, _("手机号"), _("必须是以1开头的11位数字。")))
        elif phone in seen:
            errors.append(
                RowError(
                    number,
                    _("手机号"),
                    _("与第%(row)d行重复，帮扶干部手机号不能重复。") % {"row": seen[phone]},
                )
            )
        else:
            seen[phone] = number
            other = existing.get(phone)
            if other is not None and other.county_id != county.pk:
                errors.append(RowError(number, _("手机号"), _("已被其他县的帮扶干部使用。")))
            elif other is not None and organisation is not None and other.organisation_id != organisation.pk:
                errors.append(RowError(number, _("手机号"), _("已被其他单位的帮扶干部使用。")))
        flag = r.get("resident_team", "").lower()
        if flag not in _YES | _NO:
            errors.append(RowError(number, _("是否驻村队员"), _("应为“是”或“否”。")))
        values["resident_team"] = flag in _YES
        parsed.append(values)
    if errors:
        raise SheetError(sorted(errors, key=lambda e: e.row))

    result = ImportResult()
    fields = ("name", "post", "organisation", "job_grade", "resident_team")
    to_create, to_update = [], []
    for values in parsed:
        cadre = existing.get(values["phone"])
        if cadre is None:
            to_create.append(Cadre(county=county, phone=values["phone"], **{f: values[f] for f in fields}))
        elif all(getattr(cadre, f) == values[f] for f in fields):
            result.unchanged += 1
        else:
            for f in fields:
                setattr(cadre, f, values[f])
            cadre.updated_at = timezone.now()
            to_update.append(cadre)
    Cadre.objects.bulk_create(to_create)
    Cadre.objects.bulk_update(to_update, [*fields, "updated_at"])
    result.created, result.updated = len(to_create), len(to_update)
    record_audit(
        actor=actor,
        action="cadre.import",
        target_type="partners.cadre",
        after={"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
        county=county,
    )
    return result
