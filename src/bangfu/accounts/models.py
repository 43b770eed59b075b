"""Users, their role and scope, and API tokens.

Scope is data: every user has a role plus an area (a subtree of the area tree) and, for unit
roles, an organisation. `bangfu.accounts.scopes` turns that into querysets.
"""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", _("县级管理员")
    UNIT_REPORTER = "unit_reporter", _("单位填报员")
    TOWNSHIP_CLERK = "township_clerk", _("乡镇专干")
    VILLAGE_OFFICER = "village_officer", _("村信息员")
    INSPECTOR = "inspector", _("督导")
    SUPPORTER = "supporter", _("爱心人士")


# Roles whose scope is an area subtree, and the level their area must have.
AREA_LEVEL_FOR_ROLE = {
    Role.COUNTY_ADMIN: ("province", "prefecture", "county"),
    Role.TOWNSHIP_CLERK: ("township",),
    Role.VILLAGE_OFFICER: ("village",),
    Role.INSPECTOR: ("province", "prefecture", "county"),
    Role.UNIT_REPORTER: ("county",),
}
ROLES_NEEDING_ORGANISATION = (Role.UNIT_REPORTER,)


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.SUPPORTER)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("管辖区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    full_name = models.CharField(_("姓名"), max_length=60, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)

    class Meta:
        ordering = ["username"]
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="supporter") | models.Q(area__isnull=False),
                name="user_staff_roles_have_area",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="unit_reporter") | models.Q(organisation__isnull=False),
                name="user_unit_reporter_has_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_county_admin(self) -> bool:
        return self.is_active and self.role == Role.COUNTY_ADMIN

    @property
    def county_code(self) -> str:
        return self.area.county_code if self.area_id and self.area else ""


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored; the raw value is shown once at creation."""

    PREFIX = "bf_"

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.PROTECT, related_name="tokens")
    name = models.CharField(_("用途"), max_length=60, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(_("末四位"), max_length=8)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最后使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    # Null only for tokens made before expiry existed (the migration sets theirs).
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.user.username} …{self.hint}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())

    @classmethod
    def generate_raw(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class AccountChangeKind(models.TextChoices):
    CREATE = "create", _("创建账号")
    REACTIVATE = "reactivate", _("重新启用")
    ROLE = "role", _("变更角色或范围")
    PASSWORD = "password", _("重置密码")


class AccountChange(models.Model):
    """An account change made by one person to another's account that lets the changer act
    through it: creating it, re-activating it, changing its role/area/organisation, resetting its
    password (docs/security.md, "Separation of duties").

    Until a second county admin confirms it, the person who made the change counts as a
    controller of the account for the separation-of-duties window: their signature and the
    account's never both count on one payment. `made_by` None is the system (CLI, seeding)."""

    user = models.ForeignKey(
        User, verbose_name=_("账号"), on_delete=models.PROTECT, related_name="account_changes"
    )
    kind = models.CharField(_("变更"), max_length=12, choices=AccountChangeKind.choices)
    made_by = models.ForeignKey(
        User,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account_changes_made",
    )
    made_at = models.DateTimeField(_("时间"), db_index=True)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    area_code = models.CharField(_("区域代码"), max_length=12, blank=True, db_index=True)
    confirmed_by = models.ForeignKey(
        User,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account_changes_confirmed",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        ordering = ["-made_at"]
        verbose_name = _("账号变更")
        verbose_name_plural = _("账号变更")

    def __str__(self) -> str:
        return f"{self.user.username} {self.kind}"
