"""Every write of the network app. Keyword-only, atomic, audited."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from stdnum.cn import uscc as uscc_module
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from bangfu.accounts.models import Role, User
from bangfu.accounts.scopes import area_prefix, require_actor_in
from bangfu.accounts.services import create_user
from bangfu.areas.models import Area, Level, county_area_code
from bangfu.audit.services import diff, record_audit
from bangfu.lib import clock
from bangfu.lib.idnumbers import mask_phone
from bangfu.lib.money import to_cents
from bangfu.network.models import (
    CLAIM_TRANSITIONS,
    NEED_TRANSITIONS,
    ORDER_TRANSITIONS,
    BuyerKind,
    Claim,
    ClaimStatus,
    Invitation,
    Need,
    NeedCategory,
    NeedStatus,
    NetworkSettings,
    Order,
    OrderStatus,
    PaymentMethod,
    ProducerKind,
    Product,
    ProductPhoto,
    SignupAttempt,
    Supporter,
    SupporterKind,
    VerificationCode,
)
from bangfu.network.verification import get_backend
from bangfu.partners.models import Organisation
from bangfu.registry.models import Household, Member
from bangfu.registry.selectors import households_for_user

MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
# Throttle: at most this many sign-up attempts per window (overridable in settings for a deployment).
SIGNUP_WINDOW = timedelta(hours=1)
SIGNUP_LIMIT_PER_IP = 10
SIGNUP_LIMIT_PER_MOBILE = 3
CODE_TTL = timedelta(minutes=10)
MAX_ORDER_QUANTITY = 100_000
CODE_MAX_ATTEMPTS = 5
INVITATION_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed by hand


class SignupThrottled(ValidationError):
    """Too many sign-up attempts from one IP or for one mobile."""


def _keyed_hash(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


# --- settings -------------------------------------------------------------------------------------
def settings_for(county: Area) -> NetworkSettings:
    """The county's settings row, or unsaved defaults when none was stored yet."""
    found = NetworkSettings.objects.filter(county=county).first()
    return found if found is not None else NetworkSettings(county=county)


@transaction.atomic
def update_network_settings(
    *, actor: User, county: Area, baseline_registrations: int, claim_days: int
) -> NetworkSettings:
    if actor.role != Role.COUNTY_ADMIN or actor.area is None or not actor.area.contains(county):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if baseline_registrations < 0:
        errors["baseline_registrations"] = _("基数年度注册量不能为负数。")
    if not 1 <= claim_days <= 365:
        errors["claim_days"] = _("认领有效天数必须在 1 到 365 之间。")
    if errors:
        raise ValidationError(errors)
    row, _created = NetworkSettings.objects.select_for_update().get_or_create(county=county)
    before = {"baseline_registrations": row.baseline_registrations, "claim_days": row.claim_days}
    row.baseline_registrations, row.claim_days = baseline_registrations, claim_days
    row.save(update_fields=["baseline_registrations", "claim_days", "updated_at"])
    old, new = diff(before, {"baseline_registrations": baseline_registrations, "claim_days": claim_days})
    record_audit(
        actor=actor,
        action="network.settings.update",
        target=row,
        before=old,
        after=new,
        county=county,
    )
    return row


# --- sign-up --------------------------------------------------------------------------------------
@transaction.atomic
def record_signup_attempt(*, ip: str | None, mobile: str) -> None:
    """Count one sign-up attempt and refuse it when the IP or the mobile is over its limit.

    Runs in its own transaction before the sign-up so that refused and failed attempts count too.
    It writes a throttle counter, not a business record, so it is not audited."""
    now = clock.now()
    since = now - SIGNUP_WINDOW
    mobile_hash = _keyed_hash(mobile.strip()) if mobile.strip() else ""
    per_ip = getattr(settings, "BANGFU_NETWORK_SIGNUP_LIMIT_PER_IP", SIGNUP_LIMIT_PER_IP)
    per_mobile = getattr(settings, "BANGFU_NETWORK_SIGNUP_LIMIT_PER_MOBILE", SIGNUP_LIMIT_PER_MOBILE)
    over = (ip and SignupAttempt.objects.filter(ip=ip, created_at__gte=since).count() >= per_ip) or (
        mobile_hash
        and SignupAttempt.objects.filter(mobile_hash=mobile_hash, created_at__gte=since).count() >= per_mobile
    )
    if over:
        raise SignupThrottled(_("注册尝试过于频繁，请一小时后再试。"), code="throttled")
    SignupAttempt.objects.create(ip=ip or None, mobile_hash=mobile_hash, created_at=now)


@transaction.atomic
def prune_signup_attempts(*, actor: User | None) -> int:
    """Drop throttle counters older than a day (they only matter for an hour). Counters, not
    records: deleting them loses nothing."""
    require_actor_in(actor, None)  # the system only
    deleted, _detail = SignupAttempt.objects.filter(created_at__lt=clock.now() - timedelta(days=1)).delete()
    return deleted


def validate_uscc(value: str) -> str:
    """The normalised code, or a ValidationError saying what is wrong with it."""
    try:
        return str(uscc_module.validate(value))
    except InvalidLength:
        raise ValidationError(_("统一社会信用代码必须是18位。")) from None
    except InvalidFormat:
        raise ValidationError(_("统一社会信用代码格式不正确（只能包含数字和大写字母）。")) from None
    except InvalidComponent:
        raise ValidationError(_("统一社会信用代码的登记管理部门或机构类别代码无效。")) from None
    except InvalidChecksum:
        raise ValidationError(_("统一社会信用代码校验位不正确，请核对。")) from None


@transaction.atomic
def register_supporter(
    *,
    actor: User | None,
    county: Area,
    kind: str,
    name: str,
    mobile: str,
    password: str,
    uscc: str = "",
    invitation_code: str = "",
) -> Supporter:
    """Public sign-up of a person or an organisation. The user name is the mobile (persons) or the
    unified social credit code (organisations)."""
    require_actor_in(actor, None)  # public sign-up: no signed-in account
    errors: dict[str, Any] = {}
    name, mobile, uscc = name.strip(), mobile.strip(), uscc.strip().upper()
    invitation_code = invitation_code.strip().upper()
    if county.level != Level.COUNTY:
        errors["county"] = _("注册所在地必须是县级区划。")
    if kind not in SupporterKind.values:
        errors["kind"] = _("请选择注册类型（个人或单位/企业）。")
    if not 2 <= len(name) <= 120:
        errors["name"] = _("名称须为 2 到 120 个字符。")
    if not MOBILE_RE.match(mobile):
        errors["mobile"] = _("手机号必须是11位中国大陆手机号码。")
    elif Supporter.objects.filter(mobile=mobile).exists() or User.objects.filter(username=mobile).exists():
        errors["mobile"] = _("该手机号已注册。")
    if kind == SupporterKind.ORGANISATION:
        if not uscc:
            errors["uscc"] = _("单位/企业注册必须填写统一社会信用代码。")
        else:
            try:
                uscc = validate_uscc(uscc)
            except ValidationError as exc:
                errors["uscc"] = exc.messages
            else:
                if (
                    Supporter.objects.filter(uscc=uscc).exists()
                    or User.objects.filter(username=uscc).exists()
                ):
                    errors["uscc"] = _("该统一社会信用代码已注册。")
    elif uscc:
        errors["uscc"] = _("个人注册不填写统一社会信用代码。")
    invitation = None
    if invitation_code:
        invitation = (
            Invitation.objects.select_related("organisation")
            .filter(code=invitation_code, county=county)
            .first()
        )
        if invitation is None:
            errors["invitation_code"] = _("邀请码“%(code)s”无效。") % {"code": invitation_code}
    if errors:
        raise ValidationError(errors)
    try:
        # A savepoint: two simultaneous sign-ups with one mobile meet the unique constraints.
        with transaction.atomic():
            user = create_user(
                actor=actor,
                username=uscc if kind == SupporterKind.ORGANISATION else mobile,
                password=password,
                role=Role.SUPPORTER,
                area=county,
                full_name=name,
                phone=mobile,
            )
            supporter = Supporter.objects.create(
                user=user,
                county=county,
                kind=kind,
                name=name,
                mobile=mobile,
                uscc=uscc if kind == SupporterKind.ORGANISATION else "",
                invited_by=invitation.organisation if invitation else None,
                registered_on=clock.today(),
            )
    except IntegrityError:
        raise ValidationError({"mobile": _("该手机号已注册。")}) from None
    record_audit(
        actor=actor or user,
        action="network.supporter.register",
        target=supporter,
        after={
            "kind": kind,
            "mobile": mask_phone(mobile),
            "invited_by": invitation.organisation.code if invitation else None,
        },
        county=county,
    )
    return supporter


@transaction.atomic
def attach_supporter_profile(
    *, actor: User, user: User, kind: str, name: str, mobile: str, uscc: str = "", verified: bool = False
) -> Supporter:
    """Give a supporter account made by an administrator (not through sign-up) its profile. The
    administrator may vouch for the mobile (`verified`)."""
    require_actor_in(actor, user.area or "-", Role.COUNTY_ADMIN)
    if actor.role != Role.COUNTY_ADMIN or actor.area is None:
        raise PermissionDenied
    if user.role != Role.SUPPORTER or user.area is None or not actor.area.contains(user.area):
        raise ValidationError(_("只能为本县的爱心人士账号补充资料。"))
    if Supporter.objects.filter(user=user).exists():
        raise ValidationError(_("该账号已有爱心人士资料。"))
    errors: dict[str, Any] = {}
    if not MOBILE_RE.match(mobile):
        errors["mobile"] = _("手机号必须是11位中国大陆手机号码。")
    elif Supporter.objects.filter(mobile=mobile).exists():
        errors["mobile"] = _("该手机号已注册。")
    if kind == SupporterKind.ORGANISATION:
        try:
            uscc = validate_uscc(uscc)
        except ValidationError as exc:
            errors["uscc"] = exc.messages
    elif uscc:
        errors["uscc"] = _("个人注册不填写统一社会信用代码。")
    if errors:
        raise ValidationError(errors)
    county = Area.objects.get(code=county_area_code(user.area.code))
    supporter = Supporter.objects.create(
        user=user,
        county=county,
        kind=kind,
        name=name.strip(),
        mobile=mobile,
        uscc=uscc if kind == SupporterKind.ORGANISATION else "",
        registered_on=clock.today(),
        mobile_verified_at=clock.now() if verified else None,
    )
    record_audit(
        actor=actor,
        action="network.supporter.attach",
        target=supporter,
        after={"kind": kind, "mobile": mask_phone(mobile), "verified": verified},
        county=county,
    )
    return supporter


@transaction.atomic
def mark_mobile_verified(*, actor: User, supporter: Supporter, reason: str) -> Supporter:
    """A county admin vouches for a supporter's mobile checked another way (a call back, a form
    signed at a trade fair). Audited with the reason."""
    if actor.role != Role.COUNTY_ADMIN or actor.area is None or not actor.area.contains(supporter.county):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("请填写核实方式。")})
    if supporter.mobile_verified_at is not None:
        return supporter
    supporter.mobile_verified_at = clock.now()
    supporter.save(update_fields=["mobile_verified_at"])
    record_audit(
        actor=actor,
        action="network.supporter.verify_by_admin",
        target=supporter,
        reason=reason.strip(),
        county=supporter.county,
    )
    return supporter


@transaction.atomic
def send_verification_code(*, actor: User, supporter: Supporter) -> VerificationCode:
    if actor.pk != supporter.user_id:
        raise PermissionDenied
    if supporter.mobile_verified_at is not None:
        raise ValidationError(_("手机号已验证。"))
    now = clock.now()
    recent = VerificationCode.objects.filter(supporter=supporter, created_at__gte=now - SIGNUP_WINDOW).count()
    if recent >= SIGNUP_LIMIT_PER_MOBILE:
        raise ValidationError(_("验证码发送过于频繁，请一小时后再试。"))
    code = f"{secrets.randbelow(10**6):06d}"
    row = VerificationCode.objects.create(
        supporter=supporter, code_hash=_keyed_hash(code), created_at=now, expires_at=now + CODE_TTL
    )
    record_audit(
        actor=actor,
        action="network.supporter.send_code",
        target=supporter,
        county=supporter.county,
    )
    mobile = supporter.mobile
    transaction.on_commit(lambda: get_backend().send(mobile, code))
    return row


def verify_mobile(*, actor: User, supporter: Supporter, code: str) -> Supporter:
    """Not atomic as a whole on purpose: the attempt counter must survive a wrong code."""
    if actor.pk != supporter.user_id:
        raise PermissionDenied
    now = clock.now()
    with transaction.atomic():
        row = (
            VerificationCode.objects.select_for_update()
            .filter(supporter=supporter, used_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if row is not None:
            VerificationCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
    if row is None or row.attempts >= CODE_MAX_ATTEMPTS:
        raise ValidationError({"code": _("验证码已失效，请重新获取。")})
    if not hmac.compare_digest(row.code_hash, _keyed_hash(code.strip())):
        raise ValidationError({"code": _("验证码不正确。")})
    with transaction.atomic():
        VerificationCode.objects.filter(pk=row.pk).update(used_at=now)
        supporter.mobile_verified_at = now
        supporter.save(update_fields=["mobile_verified_at"])
        record_audit(
            actor=actor,
            action="network.supporter.verify",
            target=supporter,
            county=supporter.county,
        )
    return supporter


# --- invitations ----------------------------------------------------------------------------------
def _new_code() -> str:
    return "".join(secrets.choice(INVITATION_ALPHABET) for _i in range(8))


@transaction.atomic
def issue_invitations(*, actor: User, county: Area) -> int:
    """Give every active unit of the county that has none an invitation code. Returns how many."""
    if actor.role != Role.COUNTY_ADMIN or actor.area is None or not actor.area.contains(county):
        raise PermissionDenied
    missing = list(
        Organisation.objects.filter(county=county, is_active=True, network_invitation__isnull=True).order_by(
            "code"
        )
    )
    taken = set(Invitation.objects.values_list("code", flat=True))
    rows = []
    for org in missing:
        code = _new_code()
        while code in taken:
            code = _new_code()
        taken.add(code)
        rows.append(Invitation(county=county, organisation=org, code=code))
    Invitation.objects.bulk_create(rows)
    if rows:
        record_audit(
            actor=actor,
            action="network.invitation.issue",
            target_type="network.invitation",
            after={"organisations": [r.organisation.code for r in rows]},
            county=county,
        )
    return len(rows)


@transaction.atomic
def ensure_invitation(*, actor: User, organisation: Organisation) -> Invitation:
    """The unit's invitation code, created on first use by its own reporter or a county admin."""
    allowed = (actor.role == Role.UNIT_REPORTER and actor.organisation_id == organisation.pk) or (
        actor.role == Role.COUNTY_ADMIN
        and actor.area is not None
        and actor.area.contains(organisation.county)
    )
    if not allowed:
        raise PermissionDenied
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    existing = Invitation.objects.filter(organisation=organisation).first()
    if existing is not None:
        return existing
    code = _new_code()
    while Invitation.objects.filter(code=code).exists():
        code = _new_code()
    invitation = Invitation.objects.create(county=organisation.county, organisation=organisation, code=code)
    record_audit(
        actor=actor,
        action="network.invitation.create",
        target=invitation,
        after={"organisation": organisation.code},
        county=organisation.county,
    )
    return invitation


# --- products -------------------------------------------------------------------------------------
def can_manage_village(user: User, village: Area) -> bool:
    """County admins, township clerks and village officers manage products (and needs) of the
    villages inside their area."""
    if user.role not in (Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK, Role.VILLAGE_OFFICER):
        return False
    prefix = area_prefix(user)
    return prefix is not None and village.code.startswith(prefix)


def _product_snapshot(p: Product) -> dict[str, Any]:
    return {
        "name": p.name,
        "certified": p.certified,
        "certificate_number": p.certificate_number,
        "producer_kind": p.producer_kind,
        "producer_name": p.producer_name,
        "producer_organisation": p.producer_organisation.code if p.producer_organisation else None,
        "producer_household": p.producer_household.number if p.producer_household else None,
        "village": p.village.code,
        "price": str(p.price),
        "unit": p.unit,
        "is_listed": p.is_listed,
    }


def _check_product(p: Product, actor: User) -> None:
    errors: dict[str, str] = {}
    if p.village.level != Level.VILLAGE:
        errors["village"] = _("所在村必须是行政村。")
    elif not can_manage_village(actor, p.village):
        errors["village"] = _("所在村超出您的权限范围。")
    if p.producer_kind not in ProducerKind.values:
        errors["producer_kind"] = _("请选择生产主体类型。")
    if p.price is None or p.price <= 0:
        errors["price"] = _("单价必须大于 0。")
    if p.certified and not p.certificate_number.strip():
        errors["certificate_number"] = _("已认定的扶贫产品必须填写认定证书编号。")
    if p.producer_organisation is not None and p.producer_organisation.county_id != p.county_id:
        errors["producer_organisation"] = _("生产单位不在本县。")
    if p.producer_household is not None:
        if p.producer_kind != ProducerKind.HOUSEHOLD:
            errors["producer_household"] = _("只有生产主体类型为建档立卡户时才能关联贫困户。")
        elif p.producer_household.village_id != p.village_id:
            errors["producer_household"] = _("该户不在产品所在村。")
        elif not households_for_user(actor).filter(pk=p.producer_household.pk).exists():
            errors["producer_household"] = _("该户超出您的权限范围。")
    if not p.name.strip():
        errors["name"] = _("请填写产品名称。")
    if not p.unit.strip():
        errors["unit"] = _("请填写计量单位。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_product(
    *,
    actor: User,
    village: Area,
    name: str,
    producer_kind: str,
    producer_name: str,
    price: Decimal,
    unit: str,
    stock: int = 0,
    certified: bool = False,
    certificate_number: str = "",
    description: str = "",
    producer_organisation: Organisation | None = None,
    producer_household: Household | None = None,
    is_listed: bool = True,
) -> Product:
    require_actor_in(actor, village, Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK, Role.VILLAGE_OFFICER)
    if not 0 <= stock <= 10_000_000:
        raise ValidationError({"stock": _("库存必须在 0 到 10000000 之间。")})
    county = Area.objects.get(code=county_area_code(village.code))
    product = Product(
        county=county,
        village=village,
        name=name.strip(),
        producer_kind=producer_kind,
        producer_name=producer_name.strip(),
        producer_organisation=producer_organisation,
        producer_household=producer_household,
        price=price,
        unit=unit.strip(),
        stock=stock,
        certified=certified,
        certificate_number=certificate_number.strip(),
        description=description,
        is_listed=is_listed,
    )
    _check_product(product, actor)
    product.full_clean()
    product.save()
    record_audit(
        actor=actor,
        action="network.product.create",
        target=product,
        after={**_product_snapshot(product), "stock": stock},
        county=county,
    )
    return product


@transaction.atomic
def update_product(*, actor: User, product: Product, **fields: Any) -> Product:
    """Change catalogue fields (not stock: see adjust_stock)."""
    allowed = {
        "name",
        "description",
        "certified",
        "certificate_number",
        "producer_kind",
        "producer_name",
        "producer_organisation",
        "producer_household",
        "village",
        "price",
        "unit",
        "is_listed",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    if not can_manage_village(actor, product.village):
        raise PermissionDenied
    before = _product_snapshot(product)
    for key, value in fields.items():
        setattr(product, key, value.strip() if isinstance(value, str) and key != "description" else value)
    _check_product(product, actor)
    product.full_clean()
    product.save(update_fields=[*fields.keys(), "updated_at"])
    old, new = diff(before, _product_snapshot(product))
    if new:
        record_audit(
            actor=actor,
            action="network.product.update",
            target=product,
            before=old,
            after=new,
            county=product.county,
        )
    return product


@transaction.atomic
def adjust_stock(*, actor: User, product: Product, delta: int, reason: str) -> Product:
    """Add (restock) or remove (loss, correction) stock. One conditional UPDATE: never below 0."""
    if not can_manage_village(actor, product.village):
        raise PermissionDenied
    if delta == 0:
        raise ValidationError({"delta": _("调整数量不能为 0。")})
    if abs(delta) > 10_000_000:
        raise ValidationError({"delta": _("调整数量过大。")})
    if not reason.strip():
        raise ValidationError({"reason": _("请填写库存调整原因。")})
    changed = Product.objects.filter(pk=product.pk, stock__gte=-delta).update(stock=F("stock") + delta)
    if not changed:
        current = Product.objects.values_list("stock", flat=True).get(pk=product.pk)
        raise ValidationError(
            {"delta": _("库存不足：当前库存 %(stock)s，不能减少 %(n)s。") % {"stock": current, "n": -delta}}
        )
    product.refresh_from_db(fields=["stock"])
    record_audit(
        actor=actor,
        action="network.product.stock",
        target=product,
        after={"delta": delta, "stock": product.stock},
        reason=reason.strip(),
        county=product.county,
    )
    return product


PHOTO_MAX_BYTES = 5 * 1024 * 1024


def photo_problem(upload: Any) -> str:
    """Why an uploaded photo is refused ("" when it is fine): JPEG, PNG or WebP by name and by
    content, at most 5 MB."""
    name = (getattr(upload, "name", "") or "").lower()
    if getattr(upload, "size", 0) > PHOTO_MAX_BYTES:
        return str(_("照片不能超过 5 MB。"))
    head = upload.read(12)
    upload.seek(0)
    is_image = (
        head.startswith(b"\xff\xd8\xff")
        or head.startswith(b"\x89PNG\r\n\x1a\n")
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
    )
    if not name.endswith((".jpg", ".jpeg", ".png", ".webp")) or not is_image:
        return str(_("照片必须是 JPG、PNG 或 WebP 文件。"))
    return ""


@transaction.atomic
def add_product_photo(*, actor: User, product: Product, image: Any, caption: str = "") -> ProductPhoto:
    if not can_manage_village(actor, product.village):
        raise PermissionDenied
    problem = photo_problem(image)
    if problem:
        raise ValidationError({"image": problem})
    photo = ProductPhoto.objects.create(product=product, image=image, caption=caption.strip())
    record_audit(
        actor=actor,
        action="network.product.photo",
        target=product,
        after={"photo": photo.image.name},
        county=product.county,
    )
    return photo


# --- orders ---------------------------------------------------------------------------------------
def buyer_kind_for(user: User) -> str | None:
    if user.role == Role.UNIT_REPORTER and user.organisation_id:
        return BuyerKind.UNIT
    if user.role == Role.SUPPORTER:
        supporter = Supporter.objects.filter(user=user).first()
        if supporter is None:
            return None
        return BuyerKind.ORGANISATION if supporter.kind == SupporterKind.ORGANISATION else BuyerKind.PERSON
    return None


def _new_order_number() -> str:
    return "D" + clock.today().strftime("%Y%m%d") + secrets.token_hex(4).upper()


@transaction.atomic
def place_order(
    *,
    actor: User,
    product: Product,
    quantity: int,
    delivery_address: str,
    payment_method: str = PaymentMethod.BANK_TRANSFER,
    payment_reference: str = "",
) -> Order:
    """Take the stock with one conditional UPDATE (stock >= quantity), so concurrent orders can
    never oversell: the database serialises the row and the loser sees too little stock."""
    kind = buyer_kind_for(actor)
    if kind is None or not actor.is_active:
        raise PermissionDenied
    if kind != BuyerKind.UNIT:
        supporter = Supporter.objects.get(user=actor)
        if supporter.mobile_verified_at is None:
            raise ValidationError(_("请先验证手机号再下单。"))
    elif actor.organisation is None or actor.organisation.county_id != product.county_id:
        raise PermissionDenied
    errors: dict[str, str] = {}
    if not 1 <= quantity <= MAX_ORDER_QUANTITY:
        errors["quantity"] = _("数量必须在 1 到 %(max)s 之间。") % {"max": MAX_ORDER_QUANTITY}
    if not delivery_address.strip():
        errors["delivery_address"] = _("请填写收货地址。")
    if payment_method not in PaymentMethod.values:
        errors["payment_method"] = _("请选择支付方式。")
    if not product.is_listed:
        errors["product"] = _("该产品已下架。")
    if errors:
        raise ValidationError(errors)
    taken = Product.objects.filter(pk=product.pk, is_listed=True, stock__gte=quantity).update(
        stock=F("stock") - quantity
    )
    if not taken:
        current = Product.objects.values_list("stock", flat=True).get(pk=product.pk)
        raise ValidationError(
            {
                "quantity": _("库存不足：“%(name)s”当前库存 %(stock)s%(unit)s。")
                % {"name": product.name, "stock": current, "unit": product.unit}
            }
        )
    price = Product.objects.values_list("price", flat=True).get(pk=product.pk)
    now = clock.now()
    order = Order.objects.create(
        county_id=product.county_id,
        number=_new_order_number(),
        product=product,
        quantity=quantity,
        unit_price=price,
        amount=to_cents(price * quantity),
        buyer=actor,
        buyer_kind=kind,
        buyer_organisation=actor.organisation if kind == BuyerKind.UNIT else None,
        delivery_address=delivery_address.strip(),
        payment_method=payment_method,
        payment_reference=payment_reference.strip(),
        placed_on=now.date(),
        placed_at=now,
    )
    record_audit(
        actor=actor,
        action="network.order.place",
        target=order,
        after={"product": product.pk, "quantity": quantity, "amount": str(order.amount)},
        county=order.county,
    )
    return order


_TIMESTAMP: dict[str, str] = {
    OrderStatus.CONFIRMED: "confirmed_at",
    OrderStatus.SHIPPED: "shipped_at",
    OrderStatus.RECEIVED: "received_at",
    OrderStatus.CANCELLED: "cancelled_at",
}


def may_transition_order(actor: User, order: Order, to: str) -> bool:
    is_buyer = order.buyer_id == actor.pk or (
        order.buyer_kind == BuyerKind.UNIT
        and actor.role == Role.UNIT_REPORTER
        and actor.organisation_id == order.buyer_organisation_id
    )
    is_seller = can_manage_village(actor, order.product.village)
    if to in (OrderStatus.CONFIRMED, OrderStatus.SHIPPED):
        return is_seller
    if to == OrderStatus.RECEIVED:
        return is_buyer or is_seller
    if to == OrderStatus.CANCELLED:
        return is_seller or (is_buyer and order.status == OrderStatus.PLACED)
    return False


@transaction.atomic
def transition_order(
    *, actor: User, order: Order, to: str, payment_reference: str = "", reason: str = ""
) -> Order:
    """Move an order along ORDER_TRANSITIONS. The status change is a conditional UPDATE on the
    current status, so two clicks cannot both cancel (and give the stock back twice)."""
    # First: only the order's buyer or seller may move it at all (which move, checked below).
    if not any(may_transition_order(actor, order, step) for step in _TIMESTAMP):
        raise PermissionDenied
    current = order.status
    if to not in ORDER_TRANSITIONS.get(current, ()):
        raise ValidationError(
            _("订单 %(n)s 当前状态为“%(s)s”，不能变为“%(t)s”。")
            % {
                "n": order.number,
                "s": OrderStatus(current).label,
                "t": OrderStatus(to).label if to in OrderStatus.values else to,
            }
        )
    if not may_transition_order(actor, order, to):
        raise PermissionDenied
    if to == OrderStatus.CANCELLED and not reason.strip():
        raise ValidationError({"reason": _("请填写取消原因。")})
    now = clock.now()
    updates: dict[str, Any] = {"status": to, _TIMESTAMP[to]: now}
    if payment_reference.strip():
        updates["payment_reference"] = payment_reference.strip()
    if to == OrderStatus.CANCELLED:
        updates["cancel_reason"] = reason.strip()
    changed = Order.objects.filter(pk=order.pk, status=current).update(**updates)
    if not changed:
        raise ValidationError(_("订单 %(n)s 已被他人处理，请刷新后重试。") % {"n": order.number})
    if to == OrderStatus.CANCELLED:
        Product.objects.filter(pk=order.product_id).update(stock=F("stock") + order.quantity)
    order.refresh_from_db()
    record_audit(
        actor=actor,
        action=f"network.order.{to}",
        target=order,
        before={"status": current},
        after={"status": to},
        reason=reason.strip(),
        county=order.county,
    )
    return order


# --- household needs and claims -------------------------------------------------------------------
ID_LIKE_RE = re.compile(r"\d{15}|\d{17}[\dXx]")
PHONE_LIKE_RE = re.compile(r"1[3-9]\d{9}|\d{3,4}-\d{7,8}")


def _need_snapshot(need: Need) -> dict[str, Any]:
    return {
        "household": need.household.number,
        "village": need.village.code,
        "category": need.category,
        "title": need.title,
        "quantity": need.quantity,
        "amount": str(need.amount) if need.amount is not None else None,
        "deadline": need.deadline.isoformat(),
        "status": need.status,
    }


def _check_public_text(household: Household, fields: dict[str, str]) -> dict[str, str]:
    """Public text must not identify the household: no ID-like or phone-like numbers and no name
    of any of its members."""
    names = [
        n for n in Member.objects.filter(household=household).values_list("name", flat=True) if len(n) >= 2
    ]
    errors: dict[str, str] = {}
    for field, text in fields.items():
        if ID_LIKE_RE.search(text) or PHONE_LIKE_RE.search(text):
            errors[field] = _("公开内容不能包含证件号码或电话号码。")
        elif any(name in text for name in names):
            errors[field] = _("公开内容不能包含贫困户成员的姓名。")
    return errors


def _set_need_status(need: Need, to: str) -> None:
    if to not in NEED_TRANSITIONS[need.status]:
        raise ValidationError(
            _("需求当前状态为“%(s)s”，不能变为“%(t)s”。")
            % {"s": NeedStatus(need.status).label, "t": NeedStatus(to).label}
        )
    need.status = to


@transaction.atomic
def post_need(
    *,
    actor: User,
    household: Household,
    category: str,
    title: str,
    deadline: date,
    description: str = "",
    quantity: str = "",
    amount: Decimal | None = None,
) -> Need:
    """A village officer posts a need for a registered household of its own village; it waits
    for the township's review before it is public."""
    if actor.role != Role.VILLAGE_OFFICER or not households_for_user(actor).filter(pk=household.pk).exists():
        raise PermissionDenied
    title, description, quantity = title.strip(), description.strip(), quantity.strip()
    errors: dict[str, str] = {}
    if category not in NeedCategory.values:
        errors["category"] = _("请选择需求类别。")
    if not title:
        errors["title"] = _("请填写需求。")
    if not quantity and amount is None:
        errors["quantity"] = _("请填写数量或金额。")
    if amount is not None and amount <= 0:
        errors["amount"] = _("金额必须大于 0。")
    if deadline < clock.today():
        errors["deadline"] = _("截止日期不能早于今天。")
    if not household.active:
        errors["household"] = _("该户已不在册。")
    for field, message in _check_public_text(
        household, {"title": title, "description": description, "quantity": quantity}
    ).items():
        errors.setdefault(field, message)
    if errors:
        raise ValidationError(errors)
    need = Need.objects.create(
        county_id=household.county_id,
        household=household,
        village_id=household.village_id,
        category=category,
        title=title,
        description=description,
        quantity=quantity,
        amount=amount,
        deadline=deadline,
        posted_by=actor,
        posted_on=clock.today(),
    )
    record_audit(
        actor=actor,
        action="network.need.post",
        target=need,
        after=_need_snapshot(need),
        county=need.village,
    )
    return need


def can_review_need(user: User, need: Need) -> bool:
    if user.role not in (Role.TOWNSHIP_CLERK, Role.COUNTY_ADMIN):
        return False
    prefix = area_prefix(user)
    return prefix is not None and need.village.code.startswith(prefix)


@transaction.atomic
def review_need(*, actor: User, need: Need, approve: bool, note: str = "") -> Need:
    """The township approves (the need becomes public) or returns it with a reason."""
    if not can_review_need(actor, need):
        raise PermissionDenied
    need = Need.objects.select_for_update().get(pk=need.pk)
    if not approve and not note.strip():
        raise ValidationError({"note": _("退回需求必须填写原因。")})
    before = need.status
    _set_need_status(need, NeedStatus.PUBLISHED if approve else NeedStatus.REJECTED)
    need.reviewed_by, need.reviewed_at, need.review_note = actor, clock.now(), note.strip()
    if approve:
        need.published_on = clock.today()
    need.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note", "published_on"])
    record_audit(
        actor=actor,
        action="network.need.approve" if approve else "network.need.reject",
        target=need,
        before={"status": before},
        after={"status": need.status},
        reason=note.strip(),
        county=need.village,
    )
    return need


@transaction.atomic
def close_need(*, actor: User, need: Need, reason: str) -> Need:
    """Withdraw a need that is not claimed (met otherwise, household left, posted by mistake)."""
    if not (
        can_review_need(actor, need)
        or (actor.role == Role.VILLAGE_OFFICER and can_manage_village(actor, need.village))
    ):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("请填写关闭原因。")})
    need = Need.objects.select_for_update().get(pk=need.pk)
    before = need.status
    _set_need_status(need, NeedStatus.CLOSED)
    need.closed_reason = reason.strip()
    need.save(update_fields=["status", "closed_reason"])
    record_audit(
        actor=actor,
        action="network.need.close",
        target=need,
        before={"status": before},
        after={"status": need.status},
        reason=reason.strip(),
        county=need.village,
    )
    return need


def _expire_claims_of(need_ids: Any, today: date) -> list[int]:
    """Mark the lapsed active claims of these needs expired and reopen their needs. Set-based."""
    lapsed = Claim.objects.filter(status=ClaimStatus.ACTIVE, expires_on__lt=today)
    if need_ids is not None:
        lapsed = lapsed.filter(need_id__in=need_ids)
    rows = list(lapsed.select_for_update().values_list("pk", "need_id"))
    if not rows:
        return []
    claim_ids = [r[0] for r in rows]
    Claim.objects.filter(pk__in=claim_ids).update(status=ClaimStatus.EXPIRED, ended_at=clock.now())
    Need.objects.filter(pk__in=[r[1] for r in rows], status=NeedStatus.CLAIMED).update(
        status=NeedStatus.PUBLISHED
    )
    return claim_ids


@transaction.atomic
def expire_claims(*, actor: User | None) -> int:
    """The daily sweep (`bangfu network_expire_claims`): active claims past `expires_on` lapse and
    their needs are open again. Returns how many claims expired."""
    require_actor_in(actor, None)  # the system only (bangfu network-expire-claims)
    expired = _expire_claims_of(None, clock.today())
    by_county: dict[int, list[int]] = {}
    for claim_id, county_id in Claim.objects.filter(pk__in=expired).values_list("pk", "county_id"):
        by_county.setdefault(county_id, []).append(claim_id)
    for county in Area.objects.filter(pk__in=by_county):
        record_audit(
            actor=actor,
            action="network.claim.expire",
            target_type="network.claim",
            after={"claims": sorted(by_county[county.pk])},
            county=county,
        )
    return len(expired)


@transaction.atomic
def claim_need(*, actor: User, need: Need) -> Claim:
    """A supporter claims a published need. The need row is locked (SELECT … FOR UPDATE) and the
    partial unique index `claim_one_open_per_need` backs it up: of two simultaneous claims one
    wins, the other is told the need is taken."""
    supporter = Supporter.objects.select_related("county").filter(user=actor).first()
    if actor.role != Role.SUPPORTER or supporter is None or not actor.is_active:
        raise PermissionDenied
    if supporter.mobile_verified_at is None:
        raise ValidationError(_("请先验证手机号再认领需求。"))
    today = clock.today()
    locked = Need.objects.select_for_update().filter(pk=need.pk).first()
    if locked is None:
        raise ValidationError(_("需求不存在。"))
    lapsed = _expire_claims_of([locked.pk], today)
    if lapsed:
        locked.refresh_from_db()
        record_audit(
            actor=None,
            action="network.claim.expire",
            target_type="network.claim",
            after={"claims": lapsed},
            county=locked.county,
        )
    if locked.status != NeedStatus.PUBLISHED:
        raise ValidationError(_("该需求已被认领或不在认领期内。"))
    if locked.deadline < today:
        raise ValidationError(_("该需求已过截止日期。"))
    days = settings_for(locked.county).claim_days
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                county_id=locked.county_id,
                need=locked,
                supporter=supporter,
                claimed_on=today,
                claimed_at=clock.now(),
                expires_on=today + timedelta(days=days),
            )
    except IntegrityError:
        raise ValidationError(_("该需求已被认领或不在认领期内。")) from None
    _set_need_status(locked, NeedStatus.CLAIMED)
    locked.save(update_fields=["status"])
    record_audit(
        actor=actor,
        action="network.claim.create",
        target=claim,
        after={"need": locked.pk, "expires_on": claim.expires_on.isoformat()},
        county=locked.county,
    )
    return claim


def _locked_claim(claim: Claim) -> Claim:
    return (
        Claim.objects.select_for_update()
        .select_related("need", "need__village", "supporter")
        .get(pk=claim.pk)
    )


@transaction.atomic
def deliver_claim(*, actor: User, claim: Claim, note: str) -> Claim:
    """The supporter says the help was delivered; the village officer confirms it next."""
    claim = _locked_claim(claim)
    if claim.supporter.user_id != actor.pk:
        raise PermissionDenied
    if not note.strip():
        raise ValidationError({"note": _("请填写交付说明。")})
    if claim.status == ClaimStatus.ACTIVE and claim.expires_on < clock.today():
        raise ValidationError(_("认领已过期，不能再交付。"))
    if ClaimStatus.DELIVERED not in CLAIM_TRANSITIONS[claim.status]:
        raise ValidationError(_("认领当前状态为“%(s)s”，不能交付。") % {"s": ClaimStatus(claim.status).label})
    need = Need.objects.select_for_update().get(pk=claim.need_id)
    _set_need_status(need, NeedStatus.DELIVERED)
    need.save(update_fields=["status"])
    claim.status, claim.delivered_at, claim.delivery_note = ClaimStatus.DELIVERED, clock.now(), note.strip()
    claim.save(update_fields=["status", "delivered_at", "delivery_note"])
    record_audit(
        actor=actor,
        action="network.claim.deliver",
        target=claim,
        after={"status": claim.status},
        reason=note.strip(),
        county=need.village,
    )
    return claim


@transaction.atomic
def withdraw_claim(*, actor: User, claim: Claim, reason: str) -> Claim:
    claim = _locked_claim(claim)
    if claim.supporter.user_id != actor.pk:
        raise PermissionDenied
    if ClaimStatus.WITHDRAWN not in CLAIM_TRANSITIONS[claim.status]:
        raise ValidationError(_("认领当前状态为“%(s)s”，不能撤回。") % {"s": ClaimStatus(claim.status).label})
    need = Need.objects.select_for_update().get(pk=claim.need_id)
    _set_need_status(need, NeedStatus.PUBLISHED)
    need.save(update_fields=["status"])
    claim.status, claim.ended_at = ClaimStatus.WITHDRAWN, clock.now()
    claim.save(update_fields=["status", "ended_at"])
    record_audit(
        actor=actor,
        action="network.claim.withdraw",
        target=claim,
        after={"status": claim.status},
        reason=reason.strip(),
        county=need.village,
    )
    return claim


@transaction.atomic
def confirm_claim(*, actor: User, claim: Claim, note: str, photo: Any = None) -> Claim:
    """The village officer confirms the household received the help, with a note and optionally
    a photo. The need is fulfilled."""
    claim = _locked_claim(claim)
    if actor.role != Role.VILLAGE_OFFICER or not can_manage_village(actor, claim.need.village):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if not note.strip():
        errors["note"] = _("请填写确认说明。")
    if photo is not None:
        problem = photo_problem(photo)
        if problem:
            errors["photo"] = problem
    if errors:
        raise ValidationError(errors)
    if ClaimStatus.CONFIRMED not in CLAIM_TRANSITIONS[claim.status]:
        raise ValidationError(_("认领当前状态为“%(s)s”，不能确认。") % {"s": ClaimStatus(claim.status).label})
    need = Need.objects.select_for_update().get(pk=claim.need_id)
    _set_need_status(need, NeedStatus.FULFILLED)
    need.save(update_fields=["status"])
    claim.status, claim.confirmed_by, claim.confirmed_on = ClaimStatus.CONFIRMED, actor, clock.today()
    claim.confirm_note, claim.ended_at = note.strip(), clock.now()
    fields = ["status", "confirmed_by", "confirmed_on", "confirm_note", "ended_at"]
    if photo is not None:
        claim.confirm_photo = photo
        fields.append("confirm_photo")
    claim.save(update_fields=fields)
    record_audit(
        actor=actor,
        action="network.claim.confirm",
        target=claim,
        after={"status": claim.status, "photo": bool(photo)},
        reason=note.strip(),
        county=need.village,
    )
    return claim
