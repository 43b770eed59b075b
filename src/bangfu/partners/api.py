"""Partners API: pairings, cadres, visits, compliance, coverage and the pairings' monthly inputs.
Every endpoint goes through the scoping helpers of `bangfu.partners.scopes`; a unit reporter sees
and records only its own organisation's pairings, visits and inputs (anything else is 404)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import Strict

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import areas_for_user, organisations_for_user
from bangfu.areas.models import Area, Level
from bangfu.lib.api import AreaCode, Count, Day, Id, IdIn, Limit, Money, Month, Offset, Year, errors, paged
from bangfu.lib.clock import today
from bangfu.lib.idnumbers import mask_phone
from bangfu.partners import selectors
from bangfu.partners.models import (
    FIGURE_FIELDS,
    KinshipVisit,
    Pairing,
    PairingFigures,
    PairingKind,
    Visit,
    VisitForm,
)
from bangfu.partners.scopes import (
    cadres_for_user,
    county_for_user,
    get_recording_organisation_for_user,
    get_recording_pairing_for_user,
    kinship_visits_for_user,
    pairings_for_user,
    sees_personal_data_of,
    visits_for_user,
)
from bangfu.partners.services import record_kinship_visit, record_pairing_figures, record_visit
from bangfu.partners.targets import village_counts
from bangfu.registry.selectors import households_for_user

router = Router()


class Ref(Schema):
    code: str
    name: str


class TargetOut(Schema):
    type: str  # "village" | "township" | "county" | "organisation" | "household"
    code: str | None = None
    name: str | None = None
    households: int | None = None
    people: int | None = None
    number: str | None = None


class PairingOut(Schema):
    id: int
    kind: PairingKind
    helper: Ref
    target: TargetOut
    east_west_level: str
    help_modes: list[str]
    start_date: date
    end_date: date | None
    previous_id: int | None


class PairingFilter(Schema):
    kind: PairingKind | None = None
    active: bool | None = Field(None, description="only pairings running today (true) or ended (false)")
    helper: str | None = Field(None, description="helper organisation code")
    village: AreaCode | None = Field(None, description="12-digit village code")


def _pairing_out(p: Pairing, counts: dict[str, tuple[int, int]]) -> dict[str, Any]:
    if p.kind == PairingKind.KINSHIP:
        cadre = p.helper_cadre
        assert cadre is not None
        helper = {"code": cadre.organisation.code, "name": cadre.name}
        household = p.target_household
        target: dict[str, Any] = {"type": "household", "number": household.number if household else None}
    else:
        assert p.helper_organisation is not None
        helper = {"code": p.helper_organisation.code, "name": p.helper_organisation.name}
        if p.target_organisation is not None:
            target = {
                "type": "organisation",
                "code": p.target_organisation.code,
                "name": p.target_organisation.name,
            }
        elif p.target_area is not None:
            area = p.target_area
            target = {"type": area.level, "code": area.code, "name": area.name}
            if area.level == Level.VILLAGE:
                households, people = counts.get(area.code, (0, 0))
                target.update(households=households, people=people)
        else:
            target = {"type": "none"}
    return {
        "id": p.pk,
        "kind": p.kind,
        "helper": helper,
        "target": target,
        "east_west_level": p.east_west_level,
        "help_modes": list(p.help_modes),
        "start_date": p.start_date,
        "end_date": p.end_date,
        "previous_id": p.previous_id,
    }


class PairingPage(Schema):
    items: list[PairingOut]
    count: int


@router.get(
    "/pairings", response={200: PairingPage, **errors(401, 422)}, summary="Pairings in the caller's scope"
)
def list_pairings(
    request: HttpRequest, filters: Query[PairingFilter], limit: Limit = 100, offset: Offset = 0
) -> dict[str, Any]:
    pairings = pairings_for_user(request.user).select_related(
        "helper_cadre__organisation", "target_household"
    )
    if filters.kind is not None:
        pairings = pairings.filter(kind=filters.kind)
    if filters.active is True:
        pairings = selectors.active_on(pairings, today())
    elif filters.active is False:
        pairings = pairings.filter(end_date__lt=today())
    if filters.helper:
        pairings = pairings.filter(helper_organisation__code=filters.helper)
    if filters.village:
        pairings = pairings.filter(target_area__code=filters.village)
    count = pairings.count()
    page = list(pairings.order_by("kind", "id")[offset : offset + limit])
    villages = [
        p.target_area.code for p in page if p.target_area is not None and p.target_area.level == Level.VILLAGE
    ]
    counts = village_counts(villages)
    return {"items": [_pairing_out(p, counts) for p in page], "count": count}


class CadreOut(Schema):
    id: int
    name: str
    organisation: Ref
    post: str
    job_grade: str
    phone: str
    resident_team: bool
    is_active: bool


@router.get(
    "/cadres",
    response={200: list[CadreOut], **errors(401, 422)},
    summary="Cadres in the caller's scope (phones masked outside it)",
)
@paged
def list_cadres(request: HttpRequest, organisation: str | None = None) -> list[dict[str, Any]]:
    cadres = cadres_for_user(request.user)
    if organisation:
        cadres = cadres.filter(organisation__code=organisation)
    return [
        {
            "id": c.pk,
            "name": c.name,
            "organisation": {"code": c.organisation.code, "name": c.organisation.name},
            "post": c.post,
            "job_grade": c.job_grade,
            "phone": c.phone
            if sees_personal_data_of(request.user, c.organisation_id)
            else mask_phone(c.phone),
            "resident_team": c.resident_team,
            "is_active": c.is_active,
        }
        for c in cadres
    ]


class VisitIn(Schema):
    organisation: str | None = Field(
        None, description="helper organisation code; a unit reporter's own by default", examples=["P01"]
    )
    village: AreaCode = Field(examples=["513325100202"])
    date: Annotated[Day, Field(examples=["2020-05-12"])]
    purpose: str = Field(examples=["入户走访，了解牦牛养殖合作社分红情况"])
    cadre_ids: list[IdIn] = []
    guests: list[str] = []
    activities: str = ""
    households_visited: Annotated[int, Strict()] = Field(0, ge=0, le=100_000)
    follow_ups: str = ""
    off_pairing_reason: str = ""


class VisitOut(Schema):
    id: int
    organisation: Ref
    village: Ref
    date: date
    team_size: int
    purpose: str
    households_visited: int
    off_pairing_reason: str


def _visit_out(v: Visit) -> dict[str, Any]:
    return {
        "id": v.pk,
        "organisation": {"code": v.organisation.code, "name": v.organisation.name},
        "village": {"code": v.village.code, "name": v.village.name},
        "date": v.date,
        "team_size": v.team_size,
        "purpose": v.purpose,
        "households_visited": v.households_visited,
        "off_pairing_reason": v.off_pairing_reason,
    }


@router.post(
    "/visits", response={201: VisitOut, **errors(400, 401, 403, 404, 422)}, summary="Record a work-team visit"
)
def create_visit(request: HttpRequest, payload: VisitIn) -> Status[dict[str, Any]]:
    user: Any = request.user
    code = payload.organisation
    if not code and user.role == Role.UNIT_REPORTER and user.organisation is not None:
        code = user.organisation.code
    if not code:
        raise ValidationError({"organisation": _("请指定帮扶单位编码。")})
    organisation = get_recording_organisation_for_user(user, code)
    try:
        village = areas_for_user(user).get(code=payload.village)
    except Area.DoesNotExist:
        raise ValidationError(
            {"village": _("行政村 %(code)s 不存在。") % {"code": payload.village}}
        ) from None
    cadres = list(cadres_for_user(user).filter(pk__in=payload.cadre_ids))
    missing = set(payload.cadre_ids) - {c.pk for c in cadres}
    if missing:
        raise ValidationError(
            {"cadre_ids": _("帮扶干部不存在：%(ids)s。") % {"ids": ", ".join(map(str, sorted(missing)))}}
        )
    visit = record_visit(
        actor=user,
        organisation=organisation,
        village=village,
        date=payload.date,
        purpose=payload.purpose,
        cadres=cadres,
        guests=payload.guests,
        activities=payload.activities,
        households_visited=payload.households_visited,
        follow_ups=payload.follow_ups,
        off_pairing_reason=payload.off_pairing_reason,
    )
    return Status(201, _visit_out(visit))


@router.get(
    "/visits",
    response={200: list[VisitOut], **errors(401, 422)},
    summary="Work-team visits in the caller's scope",
)
@paged
def list_visits(
    request: HttpRequest, year: Year | None = None, organisation: str | None = None
) -> QuerySet[Visit]:
    visits = visits_for_user(request.user)
    if year:
        visits = visits.filter(date__gte=date(year, 1, 1), date__lt=date(year + 1, 1, 1))
    if organisation:
        visits = visits.filter(organisation__code=organisation)
    return visits


@router.get("/visits/{visit_id}", response={200: VisitOut, **errors(401, 404, 422)}, summary="One visit")
def get_visit(request: HttpRequest, visit_id: Id) -> dict[str, Any]:
    try:
        return _visit_out(visits_for_user(request.user).get(pk=visit_id))
    except Visit.DoesNotExist:
        raise Http404("visit") from None


class ComplianceOut(Schema):
    organisation: Ref
    quarters: list[int]
    states: list[str]
    total: int
    compliant: bool


def _compliance_orgs(user: Any) -> QuerySet[Any]:
    orgs = organisations_for_user(user)
    if user.role == Role.UNIT_REPORTER:
        orgs = orgs.filter(pk=user.organisation_id)
    return orgs


@router.get(
    "/compliance",
    response={200: list[ComplianceOut], **errors(401, 404, 422)},
    summary="Organisation × quarter work-team visits",
)
def compliance(
    request: HttpRequest, year: Year | None = None, county_code: str | None = None
) -> list[dict[str, Any]]:
    user: Any = request.user
    county = county_for_user(user, county_code)
    rows = selectors.compliance_matrix(county, year or today().year, organisations=_compliance_orgs(user))
    return [
        {
            "organisation": {"code": r.organisation.code, "name": r.organisation.name},
            "quarters": r.quarters,
            "states": r.states,
            "total": r.total,
            "compliant": r.compliant,
        }
        for r in rows
    ]


class UncoveredVillageOut(Schema):
    code: str
    name: str
    township: str


@router.get(
    "/coverage/villages",
    response={200: list[UncoveredVillageOut], **errors(401, 404)},
    summary="Registered poor villages without a designated helper unit today",
)
def uncovered_villages(request: HttpRequest, county_code: str | None = None) -> list[dict[str, Any]]:
    county = county_for_user(request.user, county_code)
    villages = selectors.villages_without_designated_helper(county).filter(
        pk__in=areas_for_user(request.user).values("pk")
    )
    return [{"code": v.code, "name": v.name, "township": v.parent.name if v.parent else ""} for v in villages]


class KinshipVisitIn(Schema):
    pairing_id: IdIn
    date: Annotated[Day, Field(examples=["2020-05-12"])]
    form: VisitForm
    notes: str = ""


class KinshipVisitOut(Schema):
    id: int
    pairing_id: IdIn
    cadre: str
    organisation: Ref
    household: str
    village: Ref
    date: date
    form: str


def _kinship_visit_out(v: KinshipVisit) -> dict[str, Any]:
    return {
        "id": v.pk,
        "pairing_id": v.pairing_id,
        "cadre": v.cadre.name,
        "organisation": {"code": v.cadre.organisation.code, "name": v.cadre.organisation.name},
        "household": v.household.number,
        "village": {"code": v.household.village.code, "name": v.household.village.name},
        "date": v.date,
        "form": v.form,
    }


@router.post(
    "/kinship-visits",
    response={201: KinshipVisitOut, **errors(400, 401, 403, 404, 422)},
    summary="Record a kinship household visit",
)
def create_kinship_visit(request: HttpRequest, payload: KinshipVisitIn) -> Status[dict[str, Any]]:
    pairing = get_recording_pairing_for_user(request.user, payload.pairing_id)
    if pairing.kind != PairingKind.KINSHIP:
        raise Http404("pairing")
    visit = record_kinship_visit(
        actor=request.user,  # type: ignore[arg-type]
        pairing=pairing,
        date=payload.date,
        form=payload.form,
        notes=payload.notes,
    )
    visit = kinship_visits_for_user(request.user).get(pk=visit.pk)
    return Status(201, _kinship_visit_out(visit))


@router.get(
    "/kinship-visits",
    response={200: list[KinshipVisitOut], **errors(401, 422)},
    summary="Kinship visits in the caller's scope",
)
@paged
def list_kinship_visits(request: HttpRequest, year: Year | None = None) -> list[dict[str, Any]]:
    visits = kinship_visits_for_user(request.user)
    if year:
        visits = visits.filter(date__gte=date(year, 1, 1), date__lt=date(year + 1, 1, 1))
    return [_kinship_visit_out(v) for v in visits]


class KinshipComplianceOut(Schema):
    pairing_id: IdIn
    cadre: str
    organisation: Ref
    household: str
    quarters: list[int]
    states: list[str]
    total: int
    compliant: bool


@router.get(
    "/kinship-compliance",
    response={200: list[KinshipComplianceOut], **errors(401, 404, 422)},
    summary="Kinship pairing × quarter visits",
)
def kinship_compliance(
    request: HttpRequest, year: Year | None = None, county_code: str | None = None
) -> list[dict[str, Any]]:
    county = county_for_user(request.user, county_code)
    rows = selectors.kinship_compliance(
        county,
        year or today().year,
        pairings=pairings_for_user(request.user).filter(kind=PairingKind.KINSHIP),
    )
    out = []
    for r in rows:
        cadre, household = r.pairing.helper_cadre, r.pairing.target_household
        assert cadre is not None and household is not None
        out.append(
            {
                "pairing_id": r.pairing.pk,
                "cadre": cadre.name,
                "organisation": {"code": cadre.organisation.code, "name": cadre.organisation.name},
                "household": household.number,
                "quarters": r.quarters,
                "states": r.states,
                "total": r.total,
                "compliant": r.compliant,
            }
        )
    return out


class UncoveredHouseholdOut(Schema):
    number: str
    village: Ref


@router.get(
    "/coverage/households",
    response={200: list[UncoveredHouseholdOut], **errors(401, 404, 422)},
    summary="Registered households without a kinship cadre today",
)
@paged
def uncovered_households(request: HttpRequest, county_code: str | None = None) -> list[dict[str, Any]]:
    county = county_for_user(request.user, county_code)
    households = selectors.households_without_kinship_cadre(county).filter(
        pk__in=households_for_user(request.user).values("pk")
    )
    return [
        {"number": h.number, "village": {"code": h.village.code, "name": h.village.name}} for h in households
    ]


# --- pairing inputs (帮扶投入) ------------------------------------------------------------------------
class PairingInputIn(Schema):
    """One month of a pairing's inputs; the month's figures as a whole (a figure left out is 0)."""

    pairing_id: IdIn
    month: Month
    funds_direct: Money = Decimal("0.00")
    funds_in_kind: Money = Decimal("0.00")
    funds_introduced: Money = Decimal("0.00")
    training_sessions: Count = 0
    people_trained: Count = 0
    labour_transferred: Count = 0
    consumption: Money = Decimal("0.00")
    enterprises_introduced: Count = 0
    investment: Money = Decimal("0.00")
    cadres_seconded: Count = 0
    specialists_seconded: Count = 0


class PairingInputOut(Schema):
    id: int
    pairing_id: int
    kind: PairingKind
    helper: Ref
    month: str  # YYYY-MM
    funds: Decimal  # the three sources together
    funds_direct: Decimal
    funds_in_kind: Decimal
    funds_introduced: Decimal
    training_sessions: int
    people_trained: int
    labour_transferred: int
    consumption: Decimal
    enterprises_introduced: int
    investment: Decimal
    cadres_seconded: int
    specialists_seconded: int


def _input_out(row: PairingFigures) -> dict[str, Any]:
    helper = row.pairing.helper_organisation
    return {
        "id": row.pk,
        "pairing_id": row.pairing_id,
        "kind": row.pairing.kind,
        "helper": {"code": helper.code if helper else "", "name": helper.name if helper else ""},
        "month": f"{row.month:%Y-%m}",
        "funds": row.funds,
        **{name: getattr(row, name) for name in FIGURE_FIELDS},
    }


@router.post(
    "/inputs",
    response={200: PairingInputOut, 201: PairingInputOut, **errors(400, 401, 403, 404, 422)},
    summary="Record (201) or correct (200) one month of a pairing's inputs",
)
def record_inputs(request: HttpRequest, payload: PairingInputIn) -> Status[dict[str, Any]]:
    pairing = get_recording_pairing_for_user(request.user, payload.pairing_id)
    year, month = (int(part) for part in payload.month.split("-"))
    first = date(year, month, 1)
    existed = PairingFigures.objects.filter(pairing=pairing, month=first).exists()
    row = record_pairing_figures(
        actor=request.user,  # type: ignore[arg-type]
        pairing=pairing,
        month=first,
        **{name: getattr(payload, name) for name in FIGURE_FIELDS},
    )
    return Status(200 if existed else 201, _input_out(row))


@router.get(
    "/inputs",
    response={200: list[PairingInputOut], **errors(401, 422)},
    summary="Monthly pairing inputs in the caller's scope",
)
@paged
def list_inputs(
    request: HttpRequest, year: Year | None = None, kind: PairingKind | None = None
) -> list[dict[str, Any]]:
    rows = PairingFigures.objects.filter(pairing__in=pairings_for_user(request.user)).select_related(
        "pairing__helper_organisation"
    )
    if year:
        rows = rows.filter(month__gte=date(year, 1, 1), month__lt=date(year + 1, 1, 1))
    if kind:
        rows = rows.filter(pairing__kind=kind)
    return [_input_out(r) for r in rows.order_by("month", "pairing_id")]
