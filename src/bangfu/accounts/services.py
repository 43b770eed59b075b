"""Every write to users and tokens. Keyword-only, atomic, audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.models import (
    AREA_LEVEL_FOR_ROLE,
    ROLES_NEEDING_ORGANISATION,
    ApiToken,
    Role,
    User,
    hash_token,
)
from bangfu.areas.models import Area, Level
from bangfu.audit.services import diff, record_audit
from bangfu.partners.models import Organisation


def _snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "area": user.area.code if user.area else None,
        "organisation": user.organisation.code if user.organisation else None,
        "is_active": user.is_active,
    }


def _check_assignment(
    *, actor: User | None, role: str, area: Area | None, organisation: Organisation | None
) -> None:
    """Role, area and organisation must fit together and lie inside the actor's own scope."""
    errors: dict[str, str] = {}
    allowed_levels = AREA_LEVEL_FOR_ROLE.get(Role(role))
    if allowed_levels is not None:
        if area is None:
            errors["area"] = _("该角色必须指定管辖区域。")
        elif area.level not in allowed_levels:
            errors["area"] = _("角色“%(role)s”的管辖区域必须是%(levels)s级。") % {
                "role": Role(role).label,
                "levels": "/".join(str(Level(lv).label) for lv in allowed_levels),
            }
    if role in ROLES_NEEDING_ORGANISATION and organisation is None:
        errors["organisation"] = _("单位填报员必须指定所属单位。")
    if actor is not None:
        prefix = actor.area.prefix if actor.area else None
        if area is not None and (prefix is None or not area.code.startswith(prefix)):
            errors["area"] = _("管辖区域超出您的权限范围。")
        if organisation is not None and (
            prefix is None or not organisation.county.code.startswith(prefix[:6])
        ):
            errors["organisation"] = _("所属单位超出您的权限范围。")
    if (
        organisation is not None
        and area is not None
        and not organisation.county.code.startswith(area.prefix[:6])
    ):
        errors.setdefault("organisation", _("所属单位不在该管辖区域所在的县。"))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_user(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    area: Area | None,
    organisation: Organisation | None = None,
    full_name: str = "",
    phone: str = "",
    email: str = "",
) -> User:
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("用户名“%(name)s”已存在。") % {"name": username}})
    _check_assignment(actor=actor, role=role, area=area, organisation=organisation)
    user = User(
        username=username,
        role=role,
        area=area,
        organisation=organisation,
        full_name=full_name,
        phone=phone,
        email=email,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.full_clean()
    user.save()
    record_audit(
        actor=actor,
        action="user.create",
        target=user,
        after=_snapshot(user),
        county_code=user.county_code,
    )
    return user


@transaction.atomic
def update_user(
    *,
    actor: User,
    user: User,
    role: str,
    area: Area | None,
    organisation: Organisation | None,
    full_name: str,
    phone: str = "",
    email: str = "",
) -> User:
    _check_assignment(actor=actor, role=role, area=area, organisation=organisation)
    if user.pk == actor.pk and role != Role.COUNTY_ADMIN:
        raise ValidationError({"role": _("不能取消自己的县级管理员角色。")})
    before = _snapshot(user)
    user.role = role
    user.area = area
    user.organisation = organisation
    user.full_name = full_name
    user.phone = phone
    user.email = email
    user.full_clean()
    user.save(update_fields=["role", "area", "organisation", "full_name", "phone", "email"])
    old, new = diff(before, _snapshot(user))
    if new:
        record_audit(
            actor=actor,
            action="user.update",
            target=user,
            before=old,
            after=new,
            county_code=user.county_code,
        )
    return user


@transaction.atomic
def set_user_active(*, actor: User, user: User, active: bool, reason: str = "") -> User:
    """Deactivate (or reactivate) a user. Users are never deleted: their records keep pointing at them."""
    if user.pk == actor.pk and not active:
        raise ValidationError(_("不能停用自己的账号。"))
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    record_audit(
        actor=actor,
        action="user.reactivate" if active else "user.deactivate",
        target=user,
        before={"is_active": not active},
        after={"is_active": active},
        reason=reason,
        county_code=user.county_code,
    )
    return user


@transaction.atomic
def set_user_password(*, actor: User, user: User, password: str) -> User:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    record_audit(actor=actor, action="user.set_password", target=user, county_code=user.county_code)
    return user


@transaction.atomic
def create_api_token(*, actor: User | None, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Returns the token row and the raw token, which is shown once and never stored."""
    if not user.is_active:
        raise ValidationError(_("停用的用户不能创建令牌。"))
    raw = ApiToken.generate_raw()
    token = ApiToken.objects.create(user=user, name=name, key_hash=hash_token(raw), hint=raw[-4:])
    record_audit(
        actor=actor,
        action="token.create",
        target=token,
        after={"user": user.username, "name": name},
        county_code=user.county_code,
    )
    return token, raw


@transaction.atomic
def revoke_api_token(*, actor: User, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_audit(actor=actor, action="token.revoke", target=token, county_code=token.user.county_code)
    return token


def user_for_token(raw: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    if not raw.startswith(ApiToken.PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__area")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Write at most once a minute per token: busy API clients must not turn reads into writes.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
