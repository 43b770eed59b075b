"""Organisations the plan names: helper units, departments, townships, enterprises, partners."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgType(models.TextChoices):
    """帮扶单位类型 (DOMAIN §2.3), widened to the bodies the 2020 plan names."""

    PARTY_GOVERNMENT = "party_government", _("党政机关")
    PUBLIC_INSTITUTION = "public_institution", _("事业单位")
    UNIVERSITY = "university", _("高等院校")
    HOSPITAL = "hospital", _("医院")
    STATE_ENTERPRISE = "state_enterprise", _("国有企业")
    PRIVATE_ENTERPRISE = "private_enterprise", _("民营企业")
    FINANCIAL = "financial", _("金融机构")
    SOCIAL_ORGANISATION = "social_organisation", _("社会组织")
    PEOPLES_ORGANISATION = "peoples_organisation", _("人民团体")
    EAST_PARTNER = "east_partner", _("东部协作地区")
    COUNTERPART = "counterpart", _("省内对口帮扶方")
    TOWNSHIP = "township", _("乡(镇)")
    VILLAGE_COMMITTEE = "village_committee", _("村民自治组织")
    MILITARY = "military", _("军队")
    OTHER = "other", _("其他")


class AdminLevel(models.TextChoices):
    """隶属关系 / administrative level."""

    CENTRAL = "central", _("中央")
    PROVINCIAL = "provincial", _("省")
    PREFECTURE = "prefecture", _("市(州)")
    COUNTY = "county", _("县")
    TOWNSHIP = "township", _("乡(镇)")
    VILLAGE = "village", _("村")
    MILITARY = "military", _("军队")
    OTHER = "other", _("其他")


class Organisation(models.Model):
    # Tenant key: the county whose plan this organisation takes part in.
    county = models.ForeignKey(
        "areas.Area", verbose_name=_("所属县"), on_delete=models.PROTECT, related_name="organisations"
    )
    code = models.CharField(_("单位编码"), max_length=32)
    name = models.CharField(_("单位名称"), max_length=120)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    org_type = models.CharField(_("单位类型"), max_length=24, choices=OrgType.choices)
    admin_level = models.CharField(_("隶属关系"), max_length=12, choices=AdminLevel.choices)
    # Where the unit sits; empty for partners outside the county (then `region` says where).
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("所在区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.CharField(_("所在地区"), max_length=100, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["county", "admin_level", "code"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        constraints = [
            models.UniqueConstraint(fields=["county", "code"], name="org_unique_code_per_county"),
            models.UniqueConstraint(fields=["county", "name"], name="org_unique_name_per_county"),
        ]

    def __str__(self) -> str:
        return self.name
