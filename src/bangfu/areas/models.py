"""The area tree: province → prefecture → county → township → village.

Codes are the NBS 12-digit statistical codes (统计用区划代码). They are hierarchical, so an area's
subtree is every code that starts with its significant prefix; scoping is a single indexed
`code LIKE 'prefix%'` and needs no recursive query.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("省")
    PREFECTURE = "prefecture", _("市（州）")
    COUNTY = "county", _("县")
    TOWNSHIP = "township", _("乡（镇）")
    VILLAGE = "village", _("行政村")


# Number of significant leading digits of a code at each level.
PREFIX_LENGTH = {
    Level.PROVINCE: 2,
    Level.PREFECTURE: 4,
    Level.COUNTY: 6,
    Level.TOWNSHIP: 9,
    Level.VILLAGE: 12,
}
# Which level may sit directly under which.
PARENT_LEVEL = {
    Level.PREFECTURE: Level.PROVINCE,
    Level.COUNTY: Level.PREFECTURE,
    Level.TOWNSHIP: Level.COUNTY,
    Level.VILLAGE: Level.TOWNSHIP,
}
LEVEL_ORDER = [Level.PROVINCE, Level.PREFECTURE, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE]


def level_of_code(code: str) -> Level:
    """The level a 12-digit code denotes, read from its trailing zeros."""
    if code[9:] != "000":
        return Level.VILLAGE
    if code[6:] != "000000":
        return Level.TOWNSHIP
    if code[4:] != "00000000":
        return Level.COUNTY
    if code[2:] != "0000000000":
        return Level.PREFECTURE
    return Level.PROVINCE


def county_code_of(code: str) -> str:
    """The 6-digit county part of an area code (the one place codes are cut)."""
    return code[:6]


def township_code_of(code: str) -> str:
    """The 9-digit township part of an area code."""
    return code[:9]


def county_area_code(code: str) -> str:
    """The full 12-digit code of the county that contains `code`."""
    return county_code_of(code) + "000000"


class Area(models.Model):
    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=12, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    registered_poor = models.BooleanField(_("建档立卡贫困村"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("区划")
        verbose_name_plural = _("区划")
        indexes = [
            # Scoped lists: "villages under this township" filter on level and code prefix.
            models.Index(fields=["level", "code"], name="area_level_code_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{12}$"), name="area_code_12_digits"
            ),
            models.CheckConstraint(
                condition=models.Q(registered_poor=False) | models.Q(level="village"),
                name="area_only_villages_registered_poor",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return self.code[: PREFIX_LENGTH[Level(self.level)]]

    @property
    def county_code(self) -> str:
        return county_code_of(self.code)

    @property
    def township_code(self) -> str:
        return township_code_of(self.code)

    def contains(self, other: Area) -> bool:
        return other.code.startswith(self.prefix)
