"""Every write to users and tokens. Keyword-only, atomic, audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.models import (
    AREA_LEVEL_FOR_ROLE,
    ROLES_NEEDING_ORGANISATION,
    AccountChange,
    AccountChangeKind,
    ApiToken,
    Role,
    User,
    hash_token,
)
from bangfu.accounts.scopes import require_actor_in
from bangfu.areas.models import Area, Level, county_code_of
from bangfu.audit.services import diff, record_audit
from bangfu.lib import clock
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


def _record_change(*, actor: User | None, user: User, kind: str) -> AccountChange | None:
    """Remember who made a change that lets them act through `user` (accounts.duties). A user's
    change to their own account gives nobody else anything and is not recorded."""
    if actor is not None and actor.pk == user.pk:
        return None
    return AccountChange.objects.create(
        user=user,
        kind=kind,
        made_by=actor if actor is not None and actor.pk else None,
        made_at=clock.now(),
        role=user.role,
        area_code=user.area.code if user.area_id and user.area else "",
    )


def _revoke_tokens(user: User) -> int:
    """Revoke every live token of `user` (deactivation, password or role change)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


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
            prefix is None or not organisation.county.code.startswith(county_code_of(prefix))
        ):
            errors["organisation"] = _("所属单位超出您的权限范围。")
    if (
        organisation is not None
        and area is not None
        and not organisation.county.code.startswith(county_code_of(area.prefix))
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
    require_actor_in(actor, area, Role.COUNTY_ADMIN)
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
    _record_change(actor=actor, user=user, kind=AccountChangeKind.CREATE)
    record_audit(
        actor=actor,
        action="user.create",
        target=user,
        after=_snapshot(user),
        county=user.area,
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
    require_actor_in(actor, user.area, Role.COUNTY_ADMIN)
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
    if {"role", "area", "organisation"} & set(new):
        # A new role or scope: the old tokens carried the old reach; someone may now sign.
        _revoke_tokens(user)
        _record_change(actor=actor, user=user, kind=AccountChangeKind.ROLE)
    if new:
        record_audit(
            actor=actor,
            action="user.update",
            target=user,
            before=old,
            after=new,
            county=user.area,
        )
    return user


@transaction.atomic
def set_user_active(*, actor: User, user: User, active: bool, reason: str = "") -> User:
    """Deactivate (or reactivate) a user. Users are never deleted: their records keep pointing at them."""
    require_actor_in(actor, user.area, Role.COUNTY_ADMIN)
    if user.pk == actor.pk and not active:
        raise ValidationError(_("不能停用自己的账号。"))
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    if active:
        _record_change(actor=actor, user=user, kind=AccountChangeKind.REACTIVATE)
    else:
        _revoke_tokens(user)
    record_audit(
        actor=actor,
        action="user.reactivate" if active else "user.deactivate",
        target=user,
        before={"is_active": not active},
        after={"is_active": active},
        reason=reason,
        county=user.area,
    )
    return user


def _replace_password(user: User, password: str) -> None:
    """Validate and set a new password; the user's tokens die with the old one."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    _revoke_tokens(user)


@transaction.atomic
def set_user_password(*, actor: User, user: User, password: str) -> User:
    """An admin resets a user's password: the user's tokens are revoked."""
    require_actor_in(actor, user.area, Role.COUNTY_ADMIN)
    _replace_password(user, password)
    _record_change(actor=actor, user=user, kind=AccountChangeKind.PASSWORD)
    record_audit(actor=actor, action="user.set_password", target=user, county=user.area)
    return user


@transaction.atomic
def change_own_password(*, user: User, old_password: str, password: str) -> User:
    """A user changes their own password: their tokens are revoked (a leaked password may have
    made them)."""
    if not user.is_authenticated or not user.is_active:
        raise ValidationError(_("账号已停用。"))
    if not user.check_password(old_password):
        raise ValidationError({"old_password": _("原密码不正确。")})
    _replace_password(user, password)
    record_audit(actor=user, action="user.change_password", target=user, county=user.area)
    return user


@transaction.atomic
def confirm_account_change(*, actor: User, change: AccountChange) -> AccountChange:
    """A second county admin confirms an account change: from then on the admin who made it no
    longer counts as one person with the account (accounts.duties)."""
    require_actor_in(actor, change.user.area or "-", Role.COUNTY_ADMIN)
    change = AccountChange.objects.select_for_update().select_related("user").get(pk=change.pk)
    if change.confirmed_by_id is not None:
        raise ValidationError(_("该账号变更已由 %(name)s 确认。") % {"name": change.confirmed_by})
    if actor.pk in (change.made_by_id, change.user_id):
        raise ValidationError(_("账号变更须由另一位县级管理员确认，不能确认自己做出或涉及自己的变更。"))
    change.confirmed_by = actor
    change.confirmed_at = clock.now()
    change.save(update_fields=["confirmed_by", "confirmed_at"])
    record_audit(
        actor=actor,
        action="user.confirm_change",
        target=change.user,
        after={"kind": change.kind, "made_by": change.made_by.username if change.made_by else None},
        county=change.user.area,
    )
    return change


@transaction.atomic
def _require_token_owner_or_admin(actor: User | None, user: User) -> None:
    """A user manages their own tokens; a county admin those of the users in their scope."""
    if actor is not None and actor.pk == user.pk:
        if not actor.is_active:
            raise PermissionDenied
        return
    require_actor_in(actor, user.area, Role.COUNTY_ADMIN)
    if actor is not None and user.area is None:
        raise PermissionDenied


@transaction.atomic
def create_api_token(*, actor: User | None, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Returns the token row and the raw token, which is shown once and never stored. The token
    expires after `settings.API_TOKEN_DAYS` days."""
    _require_token_owner_or_admin(actor, user)
    if not user.is_active:
        raise ValidationError(_("停用的用户不能创建令牌。"))
    raw = ApiToken.generate_raw()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=hash_token(raw),
        hint=raw[-4:],
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_DAYS),
    )
    record_audit(
        actor=actor,
        action="token.create",
        target=token,
        after={"user": user.username, "name": name},
        county=user.area,
    )
    return token, raw


@transaction.atomic
def revoke_api_token(*, actor: User | None, token: ApiToken) -> ApiToken:
    """Revoke one token: its owner, or a county admin whose scope holds the owner."""
    _require_token_owner_or_admin(actor, token.user)
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_audit(actor=actor, action="token.revoke", target=token, county=token.user.area)
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
    now = timezone.now()
    if token is None or (token.expires_at is not None and token.expires_at <= now):
        return None
    # Write at most once a minute per token: busy API clients must not turn reads into writes.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
