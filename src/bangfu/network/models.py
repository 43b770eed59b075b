"""The social assistance network (中国社会扶贫网) as the county runs it.

- Supporters (爱心人士): public sign-up, persons or organisations, attributed to the unit whose
  invitation code brought them.
- Farm products and orders (消费扶贫): a catalogue of the county's products; orders move
  placed → confirmed → shipped → received, or cancelled; stock can never go negative.
- Household needs and claims (贫困需求 / 对接) live in `needs` models below the registry dependency.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NetworkSettings(models.Model):
    """Per-county settings of the network: the 2019 baseline the plan compares against and how
    long a claim on a need may stay open without delivery."""

    county = models.OneToOneField(
        "areas.Area", verbose_name=_("县"), on_delete=models.PROTECT, related_name="network_settings"
    )
    baseline_year = models.PositiveSmallIntegerField(_("基数年度"), default=2019)
    baseline_registrations = models.PositiveIntegerField(_("基数年度爱心人士注册量"), default=0)
    claim_days = models.PositiveSmallIntegerField(_("认领有效天数"), default=14)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("社会扶贫网设置")
        verbose_name_plural = _("社会扶贫网设置")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(claim_days__gte=1), name="netsettings_claim_days_positive"
            )
        ]

    def __str__(self) -> str:
        return str(self.county)


class Invitation(models.Model):
    """A unit's invitation code: registrations through its link are attributed to the unit."""

    county = models.ForeignKey("areas.Area", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    organisation = models.OneToOneField(
        "partners.Organisation",
        verbose_name=_("推广单位"),
        on_delete=models.PROTECT,
        related_name="network_invitation",
    )
    code = models.CharField(_("邀请码"), max_length=16, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__code"]
        verbose_name = _("邀请码")
        verbose_name_plural = _("邀请码")

    def __str__(self) -> str:
        return self.code


class SupporterKind(models.TextChoices):
    PERSON = "person", _("个人")
    ORGANISATION = "organisation", _("单位/企业")


class Supporter(models.Model):
    """Supporter-specific data of an `accounts.User` with role supporter."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.PROTECT, related_name="supporter"
    )
    # Tenant key: the county whose site the supporter signed up on.
    county = models.ForeignKey("areas.Area", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=12, choices=SupporterKind.choices)
    name = models.CharField(_("名称"), max_length=120)
    mobile = models.CharField(_("手机号"), max_length=11)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    mobile_verified_at = models.DateTimeField(_("手机验证时间"), null=True, blank=True)
    invited_by = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("推广单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invited_supporters",
    )
    registered_on = models.DateField(_("注册日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-registered_on", "id"]
        verbose_name = _("爱心人士")
        verbose_name_plural = _("爱心人士")
        constraints = [
            models.UniqueConstraint(fields=["mobile"], name="supporter_unique_mobile"),
            models.UniqueConstraint(
                fields=["uscc"], condition=~models.Q(uscc=""), name="supporter_unique_uscc"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="person", uscc="")
                | models.Q(kind="organisation", uscc__regex=r"^[0-9A-Z]{18}$"),
                name="supporter_uscc_only_for_organisations",
            ),
        ]
        indexes = [
            # Registrations by month / by unit: filter on county and date range, group by unit.
            models.Index(fields=["county", "registered_on"], name="supporter_county_date_idx"),
            models.Index(fields=["invited_by", "registered_on"], name="supporter_unit_date_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class SignupAttempt(models.Model):
    """One sign-up attempt, for throttling per IP and per mobile. The mobile is kept only as a
    keyed hash: this table must not become a list of phone numbers."""

    ip = models.GenericIPAddressField(null=True, blank=True)
    mobile_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            # Throttle checks: attempts from this IP / for this mobile since a moment.
            models.Index(fields=["ip", "created_at"], name="signup_ip_time_idx"),
            models.Index(fields=["mobile_hash", "created_at"], name="signup_mobile_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ip} {self.created_at:%Y-%m-%d %H:%M}"


class VerificationCode(models.Model):
    """A one-time code sent through the configured verification backend (hash stored only)."""

    supporter = models.ForeignKey(Supporter, on_delete=models.PROTECT, related_name="verification_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.supporter_id} {self.created_at:%Y-%m-%d %H:%M}"


# --- Farm products and orders ---------------------------------------------------------------------
class ProducerKind(models.TextChoices):
    HOUSEHOLD = "household", _("建档立卡户")
    COOPERATIVE = "cooperative", _("合作社")
    ENTERPRISE = "enterprise", _("带贫企业")


class Product(models.Model):
    county = models.ForeignKey("areas.Area", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("产品名称"), max_length=100)
    description = models.TextField(_("产品介绍"), blank=True)
    certified = models.BooleanField(_("扶贫产品认定"), default=False)
    certificate_number = models.CharField(_("认定证书编号"), max_length=40, blank=True)
    producer_kind = models.CharField(_("生产主体类型"), max_length=12, choices=ProducerKind.choices)
    producer_name = models.CharField(_("生产主体"), max_length=120)
    producer_organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("生产单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # For a household producer: the registered household (never shown publicly).
    producer_household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("生产户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="network_products",
    )
    village = models.ForeignKey(
        "areas.Area", verbose_name=_("所在村"), on_delete=models.PROTECT, related_name="network_products"
    )
    price = models.DecimalField(_("单价（元）"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("计量单位"), max_length=10)
    stock = models.IntegerField(_("库存"), default=0)
    is_listed = models.BooleanField(_("上架"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("农产品")
        verbose_name_plural = _("农产品")
        constraints = [
            models.CheckConstraint(condition=models.Q(stock__gte=0), name="product_stock_not_negative"),
            models.CheckConstraint(condition=models.Q(price__gt=0), name="product_price_positive"),
            models.CheckConstraint(
                condition=models.Q(certified=False) | ~models.Q(certificate_number=""),
                name="product_certified_has_number",
            ),
            models.CheckConstraint(
                condition=models.Q(producer_household__isnull=True) | models.Q(producer_kind="household"),
                name="product_household_only_for_household_producers",
            ),
        ]
        indexes = [
            # Public catalogue: listed products of a county.
            models.Index(fields=["county", "is_listed", "name"], name="product_catalogue_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def public_producer(self) -> str:
        """What public pages may say about the producer: a household's name is personal data."""
        if self.producer_kind == ProducerKind.HOUSEHOLD:
            return str(_("建档立卡户"))
        return self.producer_name


class ProductPhoto(models.Model):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="photos")
    image = models.FileField(_("照片"), upload_to="network/products/%Y/%m/")
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.caption or str(self.image.name)


class BuyerKind(models.TextChoices):
    PERSON = "person", _("爱心人士（个人）")
    ORGANISATION = "organisation", _("爱心单位/企业")
    UNIT = "unit", _("帮扶单位")


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("已下单")
    CONFIRMED = "confirmed", _("已确认")
    SHIPPED = "shipped", _("已发货")
    RECEIVED = "received", _("已收货")
    CANCELLED = "cancelled", _("已取消")


ORDER_TRANSITIONS: dict[str, tuple[str, ...]] = {
    OrderStatus.PLACED: (OrderStatus.CONFIRMED, OrderStatus.CANCELLED),
    OrderStatus.CONFIRMED: (OrderStatus.SHIPPED, OrderStatus.CANCELLED),
    OrderStatus.SHIPPED: (OrderStatus.RECEIVED,),
    OrderStatus.RECEIVED: (),
    OrderStatus.CANCELLED: (),
}


class PaymentMethod(models.TextChoices):
    OFFLINE = "offline", _("线下支付")
    BANK_TRANSFER = "bank_transfer", _("银行转账")


class Order(models.Model):
    """One product, one quantity. Payment is recorded (a reference), never processed here."""

    county = models.ForeignKey("areas.Area", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("订单号"), max_length=20, unique=True)
    product = models.ForeignKey(
        Product, verbose_name=_("产品"), on_delete=models.PROTECT, related_name="orders"
    )
    quantity = models.PositiveIntegerField(_("数量"))
    unit_price = models.DecimalField(_("单价（元）"), max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("下单人"), on_delete=models.PROTECT, related_name="+"
    )
    buyer_kind = models.CharField(_("购买方类型"), max_length=12, choices=BuyerKind.choices)
    buyer_organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("购买单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    delivery_address = models.CharField(_("收货地址"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.PLACED
    )
    payment_method = models.CharField(
        _("支付方式"), max_length=16, choices=PaymentMethod.choices, default=PaymentMethod.BANK_TRANSFER
    )
    payment_reference = models.CharField(_("支付凭证号"), max_length=60, blank=True)
    placed_on = models.DateField(_("下单日期"))
    placed_at = models.DateTimeField(_("下单时间"))
    confirmed_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("订单")
        verbose_name_plural = _("订单")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="order_quantity_positive"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="order_amount_not_negative"),
            models.CheckConstraint(
                condition=~models.Q(buyer_kind="unit") | models.Q(buyer_organisation__isnull=False),
                name="order_unit_buyer_has_organisation",
            ),
        ]
        indexes = [
            # Sales totals: a county's orders by date, grouped by product / buyer kind.
            models.Index(fields=["county", "placed_on"], name="order_county_date_idx"),
            # "My orders" of a buyer.
            models.Index(fields=["buyer", "placed_at"], name="order_buyer_idx"),
        ]

    def __str__(self) -> str:
        return self.number


# --- Household needs and claims -------------------------------------------------------------------
class NeedCategory(models.TextChoices):
    EDUCATION = "education", _("教育助学")
    MEDICAL = "medical", _("医疗救助")
    HOUSING = "housing", _("危房改造")
    INDUSTRY = "industry", _("产业发展")
    EMPLOYMENT = "employment", _("转移就业")
    TRAINING = "training", _("技能培训")
    NECESSITIES = "necessities", _("生活必需品")


class NeedStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    PUBLISHED = "published", _("待认领")
    REJECTED = "rejected", _("已退回")
    CLAIMED = "claimed", _("已认领")
    DELIVERED = "delivered", _("已交付")
    FULFILLED = "fulfilled", _("已完成")
    CLOSED = "closed", _("已关闭")


NEED_TRANSITIONS: dict[str, tuple[str, ...]] = {
    NeedStatus.PENDING: (NeedStatus.PUBLISHED, NeedStatus.REJECTED, NeedStatus.CLOSED),
    NeedStatus.PUBLISHED: (NeedStatus.CLAIMED, NeedStatus.CLOSED),
    NeedStatus.REJECTED: (),
    # Back to published when the claim expires or is withdrawn.
    NeedStatus.CLAIMED: (NeedStatus.DELIVERED, NeedStatus.PUBLISHED),
    NeedStatus.DELIVERED: (NeedStatus.FULFILLED,),
    NeedStatus.FULFILLED: (),
    NeedStatus.CLOSED: (),
}
PUBLIC_NEED_STATUSES = (NeedStatus.PUBLISHED, NeedStatus.CLAIMED, NeedStatus.DELIVERED, NeedStatus.FULFILLED)


class Need(models.Model):
    """A need of a registered household, posted by its village officer, public after the
    township's review. Public pages show village, category and the need; never the household."""

    county = models.ForeignKey("areas.Area", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        "registry.Household", verbose_name=_("贫困户"), on_delete=models.PROTECT, related_name="network_needs"
    )
    # Copied from the household: public lists and scoping filter on it without touching the registry.
    village = models.ForeignKey(
        "areas.Area", verbose_name=_("行政村"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("需求类别"), max_length=12, choices=NeedCategory.choices)
    title = models.CharField(_("需求"), max_length=60)
    description = models.TextField(_("需求说明"), blank=True)
    quantity = models.CharField(_("数量"), max_length=40, blank=True)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    deadline = models.DateField(_("截止日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=NeedStatus.choices, default=NeedStatus.PENDING
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT, related_name="+"
    )
    posted_on = models.DateField(_("发布日期"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=200, blank=True)
    published_on = models.DateField(_("公开日期"), null=True, blank=True)
    closed_reason = models.CharField(_("关闭原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["-posted_on", "-id"]
        verbose_name = _("贫困户需求")
        verbose_name_plural = _("贫困户需求")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=False) | ~models.Q(quantity=""),
                name="need_has_quantity_or_amount",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0), name="need_amount_positive"
            ),
        ]
        indexes = [
            # Public list and figures: a county's needs by status and publication date.
            models.Index(fields=["county", "status", "published_on"], name="need_county_status_idx"),
            # Village officers' and township clerks' lists: by village code prefix.
            models.Index(fields=["village", "status"], name="need_village_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class ClaimStatus(models.TextChoices):
    ACTIVE = "active", _("认领中")
    DELIVERED = "delivered", _("已交付")
    CONFIRMED = "confirmed", _("已确认")
    EXPIRED = "expired", _("已过期")
    WITHDRAWN = "withdrawn", _("已撤回")


CLAIM_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ClaimStatus.ACTIVE: (ClaimStatus.DELIVERED, ClaimStatus.EXPIRED, ClaimStatus.WITHDRAWN),
    ClaimStatus.DELIVERED: (ClaimStatus.CONFIRMED,),
    ClaimStatus.CONFIRMED: (),
    ClaimStatus.EXPIRED: (),
    ClaimStatus.WITHDRAWN: (),
}
OPEN_CLAIM_STATUSES = (ClaimStatus.ACTIVE, ClaimStatus.DELIVERED)


class Claim(models.Model):
    """A supporter's claim on a need (对接). At most one open claim per need, enforced by a
    partial unique index; an active claim lapses `claim_days` after it was made."""

    county = models.ForeignKey("areas.Area", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    need = models.ForeignKey(Need, verbose_name=_("需求"), on_delete=models.PROTECT, related_name="claims")
    supporter = models.ForeignKey(
        Supporter, verbose_name=_("爱心人士"), on_delete=models.PROTECT, related_name="claims"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.ACTIVE
    )
    claimed_on = models.DateField(_("认领日期"))
    claimed_at = models.DateTimeField(_("认领时间"))
    expires_on = models.DateField(_("有效期至"))
    delivered_at = models.DateTimeField(_("交付时间"), null=True, blank=True)
    delivery_note = models.CharField(_("交付说明"), max_length=200, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_on = models.DateField(_("确认日期"), null=True, blank=True)
    confirm_note = models.CharField(_("确认说明"), max_length=200, blank=True)
    confirm_photo = models.FileField(_("确认照片"), upload_to="network/claims/%Y/%m/", blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        ordering = ["-claimed_at", "-id"]
        verbose_name = _("需求认领")
        verbose_name_plural = _("需求认领")
        constraints = [
            models.UniqueConstraint(
                fields=["need"],
                condition=models.Q(status__in=["active", "delivered"]),
                name="claim_one_open_per_need",
            ),
        ]
        indexes = [
            # The expiry sweep: active claims past their date.
            models.Index(fields=["status", "expires_on"], name="claim_status_expiry_idx"),
            # Figures: a county's claims by date.
            models.Index(fields=["county", "claimed_on"], name="claim_county_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.need_id}/{self.pk}"
