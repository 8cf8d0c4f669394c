import re
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from greenmfg.generations import BumpingQuerySet
from greenmfg.identifiers import normalise_credit_code, validate_credit_code, validate_credit_code_format
from greenmfg.models import Region
from greenmfg.permissions import for_transition, is_provincial
from greenmfg.storage import private_storage

from . import conditions as cond
from . import workflow
from .indicators import FORMULA_CHOICES, UNITS
from .names import fold_name
from .permissions import is_applicant, is_city_official_of, is_commissioned_evaluator


class Category(models.TextChoices):
    FACTORY = "factory", _("绿色工厂")
    PRODUCT = "product", _("绿色设计产品")
    SUPPLY_CHAIN = "supply_chain", _("绿色供应链管理企业")
    PARK = "park", _("绿色工业园区")


class Organisation(models.Model):
    """An applicant: an enterprise (企业) or the management body of an industrial park (园区)."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        PARK = "park", _("园区")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.ENTERPRISE)
    name = models.CharField(_("单位名称"), max_length=128)
    name_key = models.CharField(max_length=128, db_index=True, editable=False, default="")
    # Empty (NULL, so unique still holds for the others) for an unclaimed unit: one known only from a
    # published list, which never prints codes, until its enterprise registers and its city confirms.
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_credit_code_format],
    )
    credit_code_waiver = models.TextField(
        _("校验位例外说明"),
        blank=True,
        help_text=_("个别真实代码无法通过校验位检查；仅系统管理员可在记录原因后接受。"),
    )
    # Empty (市州待定) for an unclaimed unit whose list gave only the province; the province assigns it later.
    region = models.ForeignKey(
        Region, verbose_name=_("所在市州"), on_delete=models.PROTECT, null=True, blank=True
    )
    group_name = models.CharField(
        _("所属集团"), max_length=128, blank=True, help_text=_("集团的每个子公司以自己的名义单独申报。")
    )
    # Set when a city confirmed that this unclaimed unit is a registered organisation: its history moved there,
    # and imports match the registered one. Cleared when the city undoes a wrong match.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("已认领为"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
        editable=False,
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("成员"),
        related_name="organisations",
        blank=True,
        through="Membership",
    )

    objects = BumpingQuerySet.as_manager()

    class Meta:
        verbose_name = _("申报单位")
        verbose_name_plural = _("申报单位")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = fold_name(self.name)
        self.credit_code = self.credit_code or None
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        super().save(*args, **kwargs)

    @property
    def is_unclaimed(self) -> bool:
        """Known only from a published list: no credit code yet, so no one can have registered it."""
        return not self.credit_code

    def clean(self):
        super().clean()
        self.credit_code = normalise_credit_code(self.credit_code or "") or None
        if self.credit_code and not self.credit_code_waiver:
            try:
                validate_credit_code(self.credit_code)
            except ValidationError as error:
                raise ValidationError({"credit_code": error}) from error


class FormerName(models.Model):
    """曾用名: a name the organisation was published under before a 更名 list, still matched on import."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="former_names")
    name = models.CharField(_("曾用名"), max_length=128)
    name_key = models.CharField(max_length=128, db_index=True, editable=False)
    source = models.CharField(_("来源"), max_length=255, blank=True, help_text=_("如：更名名单的文号"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("曾用名")
        verbose_name_plural = _("曾用名")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name_key"], name="one_former_name_per_spelling")
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = fold_name(self.name)
        super().save(*args, **kwargs)


class Membership(models.Model):
    """A user of an organisation; its admins invite colleagues."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    is_admin = models.BooleanField(_("单位管理员"), default=False)
    joined_at = models.DateTimeField(_("加入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("单位成员")
        verbose_name_plural = _("单位成员")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_membership_per_user")
        ]

    def __str__(self):
        return f"{self.user} @ {self.organisation}"


class Invitation(models.Model):
    """An organisation admin invites a colleague; the link lets them create their account and join."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    full_name = models.CharField(_("姓名"), max_length=64)
    email = models.EmailField(_("邮箱"))
    token = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("邀请时间"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("接受时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("成员邀请")
        verbose_name_plural = _("成员邀请")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.full_name} <{self.email}> → {self.organisation}"

    @classmethod
    def oldest_valid(cls):
        """Invitations created before this moment have expired."""
        return timezone.now() - timedelta(days=settings.INVITATION_VALID_DAYS)

    @property
    def expires_at(self):
        return self.created_at + timedelta(days=settings.INVITATION_VALID_DAYS)

    def refusal(self, now=None) -> str | None:
        """Why this link no longer lets anyone join (used, revoked, expired), or None."""
        if self.accepted_at:
            return _("该邀请链接已被使用，请直接登录。")
        if self.revoked_at:
            return _("该邀请已被单位管理员撤销，请联系单位管理员重新邀请。")
        if (now or timezone.now()) >= self.expires_at:
            return _("该邀请链接已过期（有效期%(days)d天），请联系单位管理员重新邀请。") % {
                "days": settings.INVITATION_VALID_DAYS
            }
        return None


class IndicatorTemplate(models.Model):
    """A versioned indicator system for one category (e.g. ``factory/GB-T-36132-2018``); data, not code."""

    class Scoring(models.TextChoices):
        WEIGHTED = "weighted", _("一级指标加权")
        POINTS = "points", _("累计分值")
        PASS_FAIL = "pass_fail", _("逐项符合性判定")

    code = models.CharField(_("编号"), max_length=64, unique=True)
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    name = models.CharField(_("名称"), max_length=128)
    standard = models.CharField(_("依据标准"), max_length=128, blank=True)
    scoring = models.CharField(_("计分方式"), max_length=16, choices=Scoring.choices)
    pass_mark = models.DecimalField(_("默认合格线"), max_digits=5, decimal_places=2, null=True, blank=True)
    years_of_data = models.PositiveSmallIntegerField(
        _("填报年数"), default=1, help_text=_("园区填报近3年数据。")
    )

    class Meta:
        verbose_name = _("评价指标体系")
        verbose_name_plural = _("评价指标体系")
        ordering = ["category", "code"]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class Indicator(models.Model):
    class Kind(models.TextChoices):
        GROUP = "group", _("指标分组")
        VETO = "veto", _("基本要求（否决项）")
        REQUIRED = "required", _("必选")
        OPTIONAL = "optional", _("可选")
        QUANTITATIVE = "quantitative", _("定量指标")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("越高越好")
        LOWER = "lower", _("越低越好")

    template = models.ForeignKey(IndicatorTemplate, on_delete=models.CASCADE, related_name="indicators")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    code = models.CharField(_("编号"), max_length=32)
    name = models.CharField(_("名称"), max_length=255)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2, default=0)
    weight = models.DecimalField(_("权重（%）"), max_digits=5, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=32, blank=True)
    benchmark = models.DecimalField(_("基准值"), max_digits=14, decimal_places=4, null=True, blank=True)
    leading_value = models.DecimalField(_("引领值"), max_digits=14, decimal_places=4, null=True, blank=True)
    direction = models.CharField(_("方向"), max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    guidance = models.TextField(_("评价要求"), blank=True)
    formula = models.CharField(
        _("计算公式"),
        max_length=32,
        choices=FORMULA_CHOICES,
        blank=True,
        help_text=_("定量指标由年度运行数据计算时选择；留空则由申报单位直接填写数值。"),
    )
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("评价指标")
        verbose_name_plural = _("评价指标")
        ordering = ["template", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="indicator_code_unique_in_template")
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class DayKind(models.TextChoices):
    CALENDAR = "calendar", _("自然日")
    WORKING = "working", _("工作日")


class Policy(models.Model):
    """The policy numbers in force from a date (政策规则版本): caps, bans, cycles, evaluators' minimums.

    Rules are data, never constants: each batch points to the version it runs under, and rules not tied to a
    batch (an evaluator's ban, its qualifications, a unit listed before the portal) use the version in force on
    the day. The system administrator keeps them in the admin; each number carries its source.
    """

    title = models.CharField(_("名称"), max_length=128)
    source = models.TextField(
        _("依据"), help_text=_("每个数字出自的文件及条款；无文件依据的注明为实践做法。")
    )
    in_force_from = models.DateField(_("施行日期"), unique=True)
    evaluator_yearly_cap = models.PositiveSmallIntegerField(
        _("第三方机构年度评价上限"),
        help_text=_("同一法人的评价机构每年评价项目总数上限（附件2第二条第（三）项）。"),
    )
    evaluator_ban_years = models.PositiveSmallIntegerField(
        _("评价机构禁入年限"),
        help_text=_("造假等严重不良行为后不再采信其评价报告的年限（附件2第二条第（五）项）。"),
    )
    evaluator_min_qualified_staff = models.PositiveSmallIntegerField(
        _("中级及以上职称专职人员下限"), help_text=_("附件2第一条第（三）项。")
    )
    evaluator_min_senior_staff = models.PositiveSmallIntegerField(
        _("相关专业高级职称人员下限"), help_text=_("附件2第一条第（三）项。")
    )
    evaluator_project_window_years = models.PositiveSmallIntegerField(
        _("评价机构业绩年限"), help_text=_("近若干年内有绿色制造相关业绩（附件2第一条第（五）项）。")
    )
    rereview_cycle_years = models.PositiveSmallIntegerField(
        _("复核周期（年）"), help_text=_("“三年一复核”（实施方案三、（六））。")
    )
    removal_bar_years = models.PositiveSmallIntegerField(
        _("移出名单后不得申报年限"),
        help_text=_("近三年被动态调整出名单的不得申报（附件1第二条第（三）项）。"),
    )
    import_revert_days = models.PositiveSmallIntegerField(
        _("名单导入可撤销天数"),
        default=7,
        help_text=_("导入后此期限内、且尚无后续业务依赖时，省经信厅可整批撤销（实践做法）。"),
    )
    publicity_length = models.PositiveSmallIntegerField(_("默认公示期长度"))
    publicity_day_kind = models.CharField(_("默认公示期计算方式"), max_length=8, choices=DayKind.choices)

    class Meta:
        verbose_name = _("政策规则")
        verbose_name_plural = _("政策规则")
        ordering = ["-in_force_from"]

    def __str__(self):
        return _("%(title)s（%(date)s起施行）") % {"title": self.title, "date": self.in_force_from}

    @classmethod
    def in_force(cls, on=None):
        """The version in force on ``on`` (today by default); the earliest one before any took force."""
        return cls._in_force(cls.objects.all(), on)

    @classmethod
    def _in_force(cls, queryset, on=None):
        on = on or timezone.localdate()
        return queryset.filter(in_force_from__lte=on).first() or queryset.order_by("in_force_from").first()

    @classmethod
    def value_in_force(cls, name):
        """One number of the version in force. Field defaults ask this rather than the whole row: a migration
        rebuilding a table calls them while the policy table may not yet have the model's later columns."""
        return cls._in_force(cls.objects.values_list(name, flat=True))

    def ban_ends_on(self, starts_on):
        return starts_on + relativedelta(years=self.evaluator_ban_years)

    def next_review_on(self, listed_on):
        return listed_on + relativedelta(years=self.rereview_cycle_years)

    def removal_bar_ends_on(self, removed_on):
        """The last day of 不得申报 after a removal on ``removed_on``."""
        return removed_on + relativedelta(years=self.removal_bar_years) - timedelta(days=1)

    def earliest_project_year(self, this_year):
        return this_year - self.evaluator_project_window_years


def policy_in_force():
    return Policy.value_in_force("pk")


def default_yearly_cap():
    return Policy.value_in_force("evaluator_yearly_cap")


def default_publicity_length():
    return Policy.value_in_force("publicity_length")


def default_publicity_day_kind():
    return Policy.value_in_force("publicity_day_kind")


class Batch(models.Model):
    """An annual call for declarations (年度申报批次): deadlines and the settings of the year."""

    DayKind = DayKind

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    title = models.CharField(_("名称"), max_length=128)
    submission_deadline = models.DateTimeField(_("申报截止"))
    recommendation_deadline = models.DateTimeField(_("市州推荐截止"))
    review_deadline = models.DateField(_("省级评审截止"), null=True, blank=True)
    publicity_deadline = models.DateField(_("公示截止"), null=True, blank=True)
    policy = models.ForeignKey(
        Policy,
        verbose_name=_("政策规则"),
        on_delete=models.PROTECT,
        related_name="batches",
        default=policy_in_force,
        help_text=_("本批次适用的政策规则版本；评价上限与公示期默认取自其中。"),
    )
    publicity_length = models.PositiveSmallIntegerField(_("公示期长度"), default=default_publicity_length)
    publicity_day_kind = models.CharField(
        _("公示期计算方式"), max_length=8, choices=DayKind.choices, default=default_publicity_day_kind
    )
    evaluator_yearly_cap = models.PositiveSmallIntegerField(
        _("第三方机构年度评价上限"),
        default=default_yearly_cap,
        help_text=_("每个法人单位每年最多评价的数量，各类别合计。"),
    )
    experts_per_declaration = models.PositiveSmallIntegerField(_("每个申报的评审专家人数"), default=5)
    experts_from_other_cities = models.BooleanField(
        _("专家须来自其他市州"), default=True, help_text=_("不得分配与申报单位同一市州的专家")
    )
    value_discrepancy_percent = models.DecimalField(
        _("定量指标差异阈值（%）"),
        max_digits=5,
        decimal_places=2,
        default=10,
        help_text=_("第三方核定的指标值与自评值相差超过该比例（相对自评值）时提示差异。"),
    )

    class Meta:
        verbose_name = _("申报批次")
        verbose_name_plural = _("申报批次")
        ordering = ["-year"]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if (
            self.submission_deadline
            and self.recommendation_deadline
            and self.recommendation_deadline < self.submission_deadline
        ):
            raise ValidationError({"recommendation_deadline": _("市州推荐截止不能早于申报截止。")})

    def setting_for(self, category):
        """The batch's settings for one category, or None when the batch does not accept it."""
        return next((s for s in self.categories.all() if s.category == category), None)


class BatchCategory(models.Model):
    """A category the batch accepts, with its own settings."""

    batch = models.ForeignKey(
        Batch, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="categories"
    )
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    requires_third_party = models.BooleanField(_("要求第三方评价"), default=True)
    pass_mark = models.DecimalField(_("合格线"), max_digits=5, decimal_places=2, null=True, blank=True)
    template = models.ForeignKey(
        IndicatorTemplate, verbose_name=_("指标体系版本"), on_delete=models.PROTECT, related_name="batches"
    )

    class Meta:
        verbose_name = _("批次类别设置")
        verbose_name_plural = _("批次类别设置")
        constraints = [models.UniqueConstraint(fields=["batch", "category"], name="one_setting_per_category")]

    def __str__(self):
        return f"{self.batch} · {self.get_category_display()}"

    def clean(self):
        super().clean()
        if self.template_id and self.template.category != self.category:
            raise ValidationError({"template": _("指标体系的类别与所选类别不一致。")})

    @property
    def effective_pass_mark(self):
        return self.pass_mark if self.pass_mark is not None else self.template.pass_mark


class Exclusion(models.Model):
    """近三年不得申报: while one is in force, the organisation may not submit."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="exclusions"
    )
    reason = models.CharField(_("原因"), max_length=255)
    source = models.CharField(
        _("来源"), max_length=255, blank=True, help_text=_("如：文件文号、督查通报、名单移出决定")
    )
    evidence = models.FileField(
        _("证明材料"), upload_to="exclusions/%Y/", blank=True, storage=private_storage
    )
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("截止日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        verbose_name = _("不得申报记录")
        verbose_name_plural = _("不得申报记录")
        ordering = ["-ends_on"]

    def __str__(self):
        return _("%(reason)s（%(start)s 至 %(end)s）") % {
            "reason": self.reason,
            "start": self.starts_on,
            "end": self.ends_on,
        }


class Nature(models.TextChoices):
    STATE_OWNED = "state_owned", _("国有企业")
    PRIVATE = "private", _("民营企业")
    FOREIGN = "foreign", _("外资企业")
    JOINT = "joint", _("合资企业")
    PUBLIC = "public", _("事业单位/管理机构")
    OTHER = "other", _("其他")


class ParkLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")


def validate_industry_code(value):
    """GB/T 4754-2017: a 门类 letter, or a 2-, 3- or 4-digit 大类/中类/小类 code, optionally after its letter."""
    if not re.fullmatch(r"[A-T]|[A-T]?\d{2,4}", value or ""):
        raise ValidationError(_("所属行业代码应为 GB/T 4754 代码，如“C38”或“C3811”。"))


def validate_mobile(value):
    if value and not re.fullmatch(r"1[3-9]\d{9}", value):
        raise ValidationError(_("手机号码应为11位数字，以1开头。"))


class DeclarationQuerySet(BumpingQuerySet):
    def for_lists(self):
        return self.select_related("organisation", "region", "batch")

    def for_rows(self):
        """Only what a row of applications/_declaration_rows.html shows."""
        return self.select_related("organisation", "region").only(
            "state", "category", "product_name", "updated_at", "organisation__name", "region__name"
        )


class Declaration(FSMModelMixin, models.Model):
    """申报: one application of one organisation, in one category, in one batch.

    The state changes only through the transitions below, each run by ``applications.services.transition``.
    """

    State = workflow.State

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("申报单位"), on_delete=models.PROTECT, related_name="declarations"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所在市州"), on_delete=models.PROTECT, related_name="declarations"
    )
    batch = models.ForeignKey(
        Batch, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="declarations"
    )
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)

    # 基本信息 as declared (the organisation's name and credit code come from the organisation).
    industry_code = models.CharField(
        _("所属行业（GB/T 4754）"), max_length=5, blank=True, validators=[validate_industry_code]
    )
    address = models.CharField(_("通讯地址"), max_length=255, blank=True)
    nature = models.CharField(_("单位性质"), max_length=16, choices=Nature.choices, blank=True)
    registration_authority = models.CharField(_("注册机关"), max_length=128, blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    registered_capital = models.DecimalField(
        _("注册资本（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    legal_representative = models.CharField(_("法定代表人"), max_length=64, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=64, blank=True)
    contact_phone = models.CharField(_("电话"), max_length=32, blank=True)
    contact_mobile = models.CharField(_("手机"), max_length=11, blank=True, validators=[validate_mobile])
    contact_email = models.EmailField(_("邮箱"), blank=True)
    summary = models.TextField(_("单位简介"), blank=True)

    # 绿色设计产品
    product_name = models.CharField(_("产品名称"), max_length=128, blank=True)
    product_model = models.CharField(_("产品型号"), max_length=128, blank=True)
    evaluation_standard = models.CharField(_("评价标准"), max_length=128, blank=True)
    # 绿色供应链管理企业
    supplier_count = models.PositiveIntegerField(_("供应商数量"), null=True, blank=True)
    green_supplier_count = models.PositiveIntegerField(_("绿色供应商数量"), null=True, blank=True)
    supplier_management_system = models.TextField(_("供应商管理体系"), blank=True)
    # 绿色工业园区
    park_level = models.CharField(_("园区级别"), max_length=16, choices=ParkLevel.choices, blank=True)
    park_area = models.DecimalField(
        _("规划面积（平方公里）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    park_boundary = models.TextField(_("四至范围"), blank=True)
    park_management_body = models.CharField(_("管理机构"), max_length=128, blank=True)

    # Who wrote the self-evaluation: an evaluator whose staff helped write it may not evaluate it.
    prepared_by_organisation = models.CharField(_("自评价报告编制单位"), max_length=128, blank=True)
    prepared_by_credit_code = models.CharField(
        _("编制单位统一社会信用代码"), max_length=18, blank=True, validators=[validate_credit_code_format]
    )
    prepared_by_people = models.CharField(
        _("编制人员"), max_length=255, blank=True, help_text=_("参与编写自评价报告的人员姓名，用顿号分隔")
    )

    # 基本条件 and the self-declared 近三年不得申报 items, as attested (codes from applications.eligibility).
    attested_items = models.JSONField(_("已确认的基本条件"), default=list, blank=True)
    # Self-evaluation, computed from the answers by applications.scoring whenever they are saved.
    benchmark_table = models.ForeignKey(
        "BenchmarkTable",
        verbose_name=_("基准值表版本"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declarations",
        help_text=_("首次自评价时按所属行业选定，此后不随新版本变化。"),
    )
    self_score = models.DecimalField(_("自评分"), max_digits=6, decimal_places=2, null=True, blank=True)
    self_passed = models.BooleanField(_("自评价达标"), default=False)
    state = FSMField(_("状态"), default=State.DRAFT, choices=State.choices, protected=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = DeclarationQuerySet.as_manager()

    class Meta:
        verbose_name = _("申报")
        verbose_name_plural = _("申报")
        ordering = ["-updated_at", "-pk"]
        permissions = [("evaluate_declaration", _("作为受托第三方机构评价申报"))]
        # One live declaration per organisation, category and batch; for products, one per product. A withdrawn
        # one does not count (the applicant may start again before the deadline); nor does a product draft
        # whose product is not named yet. applications.services.refuse_duplicate explains it beforehand.
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "batch", "category"],
                condition=~models.Q(state=workflow.State.WITHDRAWN) & ~models.Q(category=Category.PRODUCT),
                name="one_declaration_per_category_and_batch",
            ),
            models.UniqueConstraint(
                fields=["organisation", "batch", "product_name", "product_model"],
                condition=~models.Q(state=workflow.State.WITHDRAWN)
                & models.Q(category=Category.PRODUCT)
                & ~models.Q(product_name=""),
                name="one_declaration_per_product_and_batch",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "state"]),
            models.Index(fields=["batch", "category"]),
            # The lists sort newest first: without these, a page of 50 sorts every declaration (bench/).
            models.Index(fields=["-updated_at", "-id"], name="declaration_recent"),
            models.Index(fields=["region", "-updated_at", "-id"], name="declaration_region_recent"),
        ]

    def __str__(self):
        label = self.get_category_display()
        if self.product_name:
            return f"{self.organisation} · {self.product_name}（{label}）"
        return f"{self.organisation}（{label}）"

    # Django's get_FOO_display() rebuilds a lookup of every choice on each call: a third of a 50-row queue's time.
    def get_state_display(self):
        try:
            return str(self.State(self.state).label)
        except ValueError:
            return self.state

    def get_category_display(self):
        try:
            return str(Category(self.category).label)
        except ValueError:
            return self.category

    @property
    def setting(self):
        """This declaration's category settings in its batch."""
        return self.batch.setting_for(self.category)

    def exclusion_in_force(self, on=None):
        on = on or timezone.localdate()
        return self.organisation.exclusions.filter(starts_on__lte=on, ends_on__gte=on).first()

    def self_evaluation(self):
        """The computed result of the self-evaluation (applications.scoring), cached on the instance."""
        if getattr(self, "_self_evaluation", None) is None:
            from .scoring import Answer, score

            setting = self.setting
            indicators = list(setting.template.indicators.all())
            answers = {a.indicator_id: Answer(a.met, a.values) for a in self.answers.all()}
            self._self_evaluation = score(
                setting.template,
                indicators,
                answers,
                setting.effective_pass_mark,
                self.indicator_references(),
            )
        return self._self_evaluation

    def indicator_references(self):
        """Indicator id → 基准值/引领值 (``scoring.Reference``) of the benchmark table this declaration is scored with."""
        if getattr(self, "_references", None) is None:
            from .benchmarks import references

            self._references = references(self.scoring_table())
        return self._references

    def scoring_table(self):
        """The benchmark table kept by the declaration, else the one its industry would get now (looked up once)."""
        if not hasattr(self, "_scoring_table"):
            from .benchmarks import table_for

            self._scoring_table = table_for(self)
        return self._scoring_table

    def missing_required_slots(self):
        present = set(self.attachments.values_list("slot", flat=True))
        return [str(Attachment.Slot(slot).label) for slot in Attachment.REQUIRED_SLOTS if slot not in present]

    @property
    def is_editable(self) -> bool:
        return self.state in workflow.EDITABLE_BY_APPLICANT

    # The declaration's life, top to bottom (domain.md). `custom` says how a page offers the transition:
    # label, whether an opinion is required, and whether it is a plain button on the declaration page.

    @transition(
        field=state,
        source=State.DRAFT,
        target=State.SELF_EVALUATED,
        permission=for_transition(is_applicant),
        conditions=[
            cond.eligibility_attested,
            cond.no_exclusion_in_force,
            cond.self_evaluation_passed,
            cond.required_attachments_uploaded,
        ],
        custom={
            "label": _("提交自评价"),
            "button": True,
            "next": _("下一步：需要第三方评价的，请委托第三方评价机构；否则提交市州初审。"),
        },
    )
    def submit_self_evaluation(self):
        pass

    @transition(
        field=state,
        source=State.SELF_EVALUATED,
        target=State.UNDER_EVALUATION,
        permission=for_transition(is_commissioned_evaluator),
        conditions=[cond.third_party_required],
        custom={"label": _("接受委托")},
    )
    def commission(self):
        pass

    @transition(
        field=state,
        source=State.UNDER_EVALUATION,
        target=State.EVALUATED,
        permission=for_transition(is_commissioned_evaluator),
        custom={"label": _("提交第三方评价")},
    )
    def submit_evaluation(self):
        pass

    @transition(
        field=state,
        source=State.UNDER_EVALUATION,
        target=State.SELF_EVALUATED,
        permission=for_transition(is_provincial),
        custom={"label": _("评价机构被禁入，另行委托")},
    )
    def end_commission(self):
        """The commissioned evaluator was banned before it submitted: the applicant commissions another."""

    @transition(
        field=state,
        source=[State.SELF_EVALUATED, State.EVALUATED],
        target=State.CITY_REVIEW,
        permission=for_transition(is_applicant),
        conditions=[
            cond.third_party_done_or_not_required,
            cond.no_exclusion_in_force,
            cond.before_submission_deadline,
        ],
        custom={
            "label": _("提交市州初审"),
            "button": True,
            "next": _("下一步：等待市州经信局初审，结果会通知您。"),
            "confirm": {
                "happens": [
                    _("申报连同基本信息、自评价和全部材料报送所在市州经信局初审。"),
                    _("提交后申报单位不能再修改，除非市州退回修改。"),
                ],
                "cannot_undo": _(
                    "提交后不能自行收回修改；如需修改，只能等待市州退回，或撤回申报（撤回后本批次不能再提交）。"
                ),
            },
        },
    )
    def submit_to_city(self):
        pass

    @transition(
        field=state,
        source=State.CITY_REVIEW,
        target=State.RETURNED,
        permission=for_transition(is_city_official_of),
        custom={
            "label": _("退回修改"),
            "opinion": True,
            "next": _("申报单位会收到通知，修改后重新提交。"),
        },
    )
    def return_for_revision(self):
        pass

    @transition(
        field=state,
        source=State.RETURNED,
        target=State.CITY_REVIEW,
        permission=for_transition(is_applicant),
        conditions=[cond.no_exclusion_in_force, cond.before_recommendation_deadline],
        custom={
            "label": _("重新提交"),
            "button": True,
            "next": _("下一步：等待市州经信局重新初审。"),
            "confirm": {
                "happens": [
                    _("修改后的申报重新报送市州经信局初审，市州可看到与上次提交相比的修改。"),
                    _("提交后申报单位不能再修改，除非市州再次退回。"),
                ],
                "cannot_undo": _("重新提交后不能自行收回修改。"),
                "note": _("修改说明（写给市州经信局，记入办理记录）"),
            },
        },
    )
    def resubmit(self):
        pass

    @transition(
        field=state,
        source=State.CITY_REVIEW,
        target=State.PROVINCE_REVIEW,
        permission=for_transition(is_city_official_of),
        conditions=[cond.before_recommendation_deadline],
        custom={"label": _("推荐"), "opinion": True},
    )
    def recommend(self):
        pass

    @transition(
        field=state,
        source=State.CITY_REVIEW,
        target=State.NOT_RECOMMENDED,
        permission=for_transition(is_city_official_of),
        custom={"label": _("不予推荐"), "opinion": True},
    )
    def not_recommend(self):
        pass

    @transition(
        field=state,
        source=State.PROVINCE_REVIEW,
        target=State.REVIEW_PASSED,
        permission=for_transition(is_provincial),
        custom={"label": _("评审通过"), "opinion": True},
    )
    def pass_review(self):
        pass

    @transition(
        field=state,
        source=State.PROVINCE_REVIEW,
        target=State.REJECTED,
        permission=for_transition(is_provincial),
        custom={"label": _("评审不通过"), "opinion": True},
    )
    def fail_review(self):
        pass

    @transition(
        field=state,
        source=State.REVIEW_PASSED,
        target=State.IN_PUBLICITY,
        permission=for_transition(is_provincial),
        custom={"label": _("进入公示")},
    )
    def open_publicity(self):
        pass

    @transition(
        field=state,
        source=State.IN_PUBLICITY,
        target=State.REJECTED,
        permission=for_transition(is_provincial),
        custom={"label": _("异议成立"), "opinion": True},
    )
    def uphold_objection(self):
        pass

    @transition(
        field=state,
        source=State.IN_PUBLICITY,
        target=State.LISTED,
        permission=for_transition(is_provincial),
        custom={"label": _("列入名单")},
    )
    def list(self):
        pass

    @transition(
        field=state,
        source=sorted(workflow.WITHDRAWABLE),
        target=State.WITHDRAWN,
        permission=for_transition(is_applicant),
        custom={
            "label": _("撤回申报"),
            "button": True,
            "confirm": {
                "happens": [
                    _("申报变为“已撤回”，不再进入初审、评审和公示。"),
                    _("已填写的信息和材料保留在平台上，仅供查阅。"),
                ],
                "cannot_undo": _(
                    "撤回后这份申报不能恢复，也不能再提交；如仍要申报，须在批次截止前新建申报。"
                ),
            },
        },
    )
    def withdraw(self):
        pass


class Commitment(models.Model):
    """材料真实性承诺: who accepted it, when, and from which address."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="commitments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("承诺人"), on_delete=models.PROTECT)
    accepted_at = models.DateTimeField(_("承诺时间"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    text = models.TextField(_("承诺内容"))

    class Meta:
        verbose_name = _("材料真实性承诺")
        verbose_name_plural = _("材料真实性承诺")
        ordering = ["-accepted_at"]

    def __str__(self):
        return f"{self.user} {self.accepted_at:%Y-%m-%d %H:%M}"


class IndicatorAnswer(models.Model):
    """The applicant's self-evaluation of one indicator: met or not, or the values of a quantitative one."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="answers")
    met = models.BooleanField(_("符合"), null=True, blank=True)
    values = models.JSONField(_("数值"), default=list, blank=True, help_text=_("定量指标的数值，园区为近3年"))
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("自评价指标")
        verbose_name_plural = _("自评价指标")
        constraints = [
            models.UniqueConstraint(fields=["declaration", "indicator"], name="one_answer_per_indicator")
        ]

    def __str__(self):
        return f"{self.declaration_id} {self.indicator.code}"


class Attachment(models.Model):
    """A file of a declaration, in a slot. Stored outside any public URL; its type is read from its content."""

    class Slot(models.TextChoices):
        SELF_EVALUATION_REPORT = "self_evaluation_report", _("自评价报告")
        COMMITMENT_SCAN = "commitment_scan", _("签章承诺书扫描件")
        INDICATOR_EVIDENCE = "indicator_evidence", _("指标佐证材料")
        OTHER = "other", _("其他材料")

    REQUIRED_SLOTS = (Slot.SELF_EVALUATION_REPORT, Slot.COMMITMENT_SCAN)

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="attachments")
    slot = models.CharField(_("材料类型"), max_length=32, choices=Slot.choices)
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("对应指标"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    file = models.FileField(upload_to="declarations/%Y/%m/", storage=private_storage)
    original_name = models.CharField(_("文件名"), max_length=160)
    content_type = models.CharField(_("文件类型"), max_length=128)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申报附件")
        verbose_name_plural = _("申报附件")
        ordering = ["slot", "uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class DeclarationVersion(models.Model):
    """What was submitted, kept at each submission so the city sees what changed on resubmission."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("版本"))
    snapshot = models.JSONField(_("内容"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申报版本")
        verbose_name_plural = _("申报版本")
        ordering = ["declaration", "number"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "number"], name="version_number_unique")
        ]

    def __str__(self):
        return f"{self.declaration_id} v{self.number}"


UNIT_CHOICES = [(unit, unit) for unit in UNITS]


class EnergyCarrier(models.Model):
    """能源品种 with its GB/T 2589-2020 折标准煤系数; reference data with its source, edited in the admin."""

    code = models.SlugField(_("编号"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=32)
    unit = models.CharField(_("计量单位"), max_length=8, choices=UNIT_CHOICES)
    kgce_per_unit = models.DecimalField(_("折标准煤系数（kgce/计量单位）"), max_digits=12, decimal_places=6)
    kgce_min = models.DecimalField(_("系数下限"), max_digits=12, decimal_places=6, null=True, blank=True)
    kgce_max = models.DecimalField(_("系数上限"), max_digits=12, decimal_places=6, null=True, blank=True)
    takes_calorific_value = models.BooleanField(
        _("可填实测低位发热量"), default=False, help_text=_("填写实测值时按实测值折算，优先于默认系数。")
    )
    source = models.TextField(_("来源"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("能源品种与折标系数")
        verbose_name_plural = _("能源品种与折标系数")
        ordering = ["order", "code"]

    def __str__(self):
        return f"{self.name}（{self.unit}）"


class EmissionFactor(models.Model):
    """CO₂ emission factor of a carrier for a data year (the grid factor is published per year)."""

    carrier = models.ForeignKey(
        EnergyCarrier, verbose_name=_("能源品种"), on_delete=models.CASCADE, related_name="emission_factors"
    )
    year = models.PositiveSmallIntegerField(
        _("适用数据年度"), help_text=_("按数据年度取不晚于该年的最近一个因子。")
    )
    kg_co2_per_unit = models.DecimalField(_("排放因子（kgCO₂/计量单位）"), max_digits=12, decimal_places=6)
    source = models.TextField(_("来源"))

    class Meta:
        verbose_name = _("二氧化碳排放因子")
        verbose_name_plural = _("二氧化碳排放因子")
        ordering = ["carrier", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["carrier", "year"], name="one_factor_per_carrier_year")
        ]

    def __str__(self):
        return f"{self.carrier.name} {self.year}"


class BenchmarkTable(models.Model):
    """基准值/引领值 of one template for an industry (GB/T 4754 prefix), versioned, with its source and scoring rule.

    A new version is a new table; a declaration keeps the table it was first scored with. ``is_example`` marks
    values that are not official (示例) — shown so on every page that uses them.
    """

    class Rule(models.TextChoices):
        LINEAR = "linear", _("基准值得下限分，引领值得满分，其间按比例")
        THRESHOLD = "threshold", _("达到基准值得满分")

    template = models.ForeignKey(
        IndicatorTemplate,
        verbose_name=_("指标体系"),
        on_delete=models.PROTECT,
        related_name="benchmark_tables",
    )
    name = models.CharField(_("名称"), max_length=128)
    industry_prefix = models.CharField(
        _("适用行业代码前缀"),
        max_length=5,
        blank=True,
        help_text=_("GB/T 4754 代码前缀，如“C38”；留空适用于所有行业。"),
    )
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    source = models.TextField(_("来源"))
    is_example = models.BooleanField(
        _("示例数据"), default=False, help_text=_("非官方数值，仅供演示和测试。")
    )
    rule = models.CharField(_("计分规则"), max_length=16, choices=Rule.choices, default=Rule.LINEAR)
    floor_percent = models.DecimalField(
        _("下限得分比例（%）"),
        max_digits=5,
        decimal_places=2,
        default=0,
        help_text=_("达不到基准值时所得分值的比例。"),
    )

    class Meta:
        verbose_name = _("基准值表")
        verbose_name_plural = _("基准值表")
        ordering = ["template", "industry_prefix", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "industry_prefix", "version"], name="one_benchmark_table_version"
            )
        ]

    def __str__(self):
        label = f"{self.name} v{self.version}"
        return f"{label}（{_('示例')}）" if self.is_example else label


class Benchmark(models.Model):
    table = models.ForeignKey(BenchmarkTable, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="benchmarks"
    )
    benchmark = models.DecimalField(_("基准值"), max_digits=14, decimal_places=4)
    leading_value = models.DecimalField(_("引领值"), max_digits=14, decimal_places=4)

    class Meta:
        verbose_name = _("基准值与引领值")
        verbose_name_plural = _("基准值与引领值")
        constraints = [
            models.UniqueConstraint(fields=["table", "indicator"], name="one_benchmark_per_indicator")
        ]

    def __str__(self):
        return f"{self.indicator} {self.benchmark}/{self.leading_value}"

    def clean(self):
        super().clean()
        if self.indicator_id is None or self.benchmark is None or self.leading_value is None:
            return
        if self.indicator.template_id != self.table.template_id:
            raise ValidationError({"indicator": _("指标不属于该基准值表的指标体系。")})
        better = (
            self.leading_value > self.benchmark
            if self.indicator.direction == Indicator.Direction.HIGHER
            else self.leading_value < self.benchmark
        )
        if not better:
            raise ValidationError(
                {
                    "leading_value": _("引领值应优于基准值（%(direction)s）。")
                    % {"direction": self.indicator.get_direction_display()}
                }
            )


class AnnualData(models.Model):
    """One year of the applicant's raw data (energy per carrier, output, water, waste, land), as typed.

    Keys are those of ``applications.indicators`` (``output``, ``energy.electricity``, ``ncv.natural_gas`` …);
    the indicators are computed from them, never typed.
    """

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="annual_data")
    year = models.PositiveSmallIntegerField(_("年度"))
    inputs = models.JSONField(_("填报数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("年度运行数据")
        verbose_name_plural = _("年度运行数据")
        ordering = ["declaration", "year"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "year"], name="one_annual_data_per_year")
        ]

    def __str__(self):
        return f"{self.declaration_id} {self.year}"
