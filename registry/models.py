from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications.models import (
    Category,
    DayKind,
    Declaration,
    IndicatorTemplate,
    Organisation,
    Policy,
    default_publicity_day_kind,
    default_publicity_length,
)
from greenmfg.generations import BumpingQuerySet
from greenmfg.identifiers import normalise_credit_code, validate_credit_code
from greenmfg.models import Region
from greenmfg.storage import private_storage
from reviews.models import Assignment, IndicatorScore


class Plan(models.Model):
    """实施方案: a programme plan with its years and per-city targets. Plans are data: the system administrator
    enters the next one (2026–2030) in the admin, and the targets pages let the user choose which to show."""

    name = models.CharField(_("名称"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=64, blank=True)
    first_year = models.PositiveSmallIntegerField(_("起始年度"))
    last_year = models.PositiveSmallIntegerField(_("目标年度"))
    lists_from_year = models.PositiveSmallIntegerField(
        _("计入名单起始年度"),
        help_text=_("目标按此年度起公布的名单统计（2022—2025年方案附件3计入2021年起的名单）。"),
    )

    objects = BumpingQuerySet.as_manager()

    class Meta:
        verbose_name = _("实施方案")
        verbose_name_plural = _("实施方案")
        ordering = ["-last_year", "-pk"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.first_year and self.last_year and self.first_year > self.last_year:
            raise ValidationError(_("起始年度不能晚于目标年度。"))

    @classmethod
    def current(cls, on=None):
        """The plan whose years include ``on``'s year; else the latest that has ended, else the first."""
        year = (on or timezone.localdate()).year
        plans = list(cls.objects.all())  # a handful of rows, read once: every page's footer asks
        return (
            next((p for p in plans if p.first_year <= year <= p.last_year), None)
            or next((p for p in plans if p.last_year < year), None)
            or (plans[-1] if plans else None)
        )


class Target(models.Model):
    """A plan's target: how many units of a category a city should have on the lists by the plan's end."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("实施方案"), on_delete=models.CASCADE, related_name="targets"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("市州"), on_delete=models.PROTECT, related_name="targets"
    )
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    count = models.PositiveIntegerField(_("目标数量"))

    class Meta:
        verbose_name = _("创建目标")
        verbose_name_plural = _("创建目标")
        ordering = ["region__order", "category"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "region", "category"], name="one_target_per_plan_cell")
        ]

    def __str__(self):
        return f"{self.region} {self.get_category_display()} {self.plan.last_year}: {self.count}"


class ListLevel(models.TextChoices):
    MUNICIPAL = "municipal", _("市级")
    PROVINCIAL = "provincial", _("省级")
    NATIONAL = "national", _("国家级")


class PublicityQuerySet(BumpingQuerySet):
    def with_pending_objections(self):
        """Each notice with ``pending_objections``, the objections still waiting on the province, in one query."""
        return self.annotate(
            pending_objections=models.Count(
                "objections", filter=models.Q(objections__status=Objection.Status.PENDING)
            )
        )


class Publicity(models.Model):
    """公示: a public notice of the declarations that passed review, open for objections for a period."""

    DayKind = DayKind

    title = models.CharField(_("标题"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=64, blank=True)
    batch = models.ForeignKey(
        "applications.Batch", verbose_name=_("批次"), on_delete=models.PROTECT, null=True, blank=True
    )
    starts_on = models.DateField(_("公示开始"))
    length = models.PositiveSmallIntegerField(_("公示期长度"), default=default_publicity_length)
    day_kind = models.CharField(
        _("计算方式"), max_length=8, choices=DayKind.choices, default=default_publicity_day_kind
    )
    ends_on = models.DateField(_("公示截止"))
    legal_basis = models.TextField(_("公示依据"), blank=True)
    steps_done = models.TextField(_("已完成的程序"), blank=True)
    how_to_object = models.TextField(_("异议方式"), blank=True)
    contact_unit = models.CharField(_("联系单位"), max_length=128, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=64, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    issuer = models.CharField(_("发布单位"), max_length=128, default="湖北省经济和信息化厅")
    declarations = models.ManyToManyField(Declaration, verbose_name=_("公示对象"), related_name="publicities")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    early_close_reason = models.TextField(_("提前结束理由"), blank=True)

    objects = PublicityQuerySet.as_manager()

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["-starts_on", "-pk"]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def term_over(self, on=None) -> bool:
        """The notice runs through its last day: it may end as of the day after ``ends_on``."""
        return (on or timezone.localdate()) > self.ends_on

    def accepts_objections(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.closed_at is None and self.starts_on <= on <= self.ends_on


class Objection(models.Model):
    """异议: anyone may object during the period, in their real name, with facts and evidence."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待处理")
        UPHELD = "upheld", _("异议成立")
        DISMISSED = "dismissed", _("异议不成立")

    publicity = models.ForeignKey(Publicity, on_delete=models.PROTECT, related_name="objections")
    declaration = models.ForeignKey(
        Declaration, verbose_name=_("被异议单位"), on_delete=models.PROTECT, related_name="objections"
    )
    reference = models.CharField(_("受理编号"), max_length=32, unique=True)
    real_name = models.CharField(_("实名"), max_length=64)
    contact = models.CharField(_("联系方式"), max_length=64)
    facts = models.TextField(_("异议事实"))
    evidence = models.FileField(
        _("证据材料"), upload_to="objections/%Y/", storage=private_storage, blank=True
    )
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    status = models.CharField(_("处理结果"), max_length=16, choices=Status.choices, default=Status.PENDING)
    handling_note = models.TextField(_("处理意见"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    objects = BumpingQuerySet.as_manager()

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["-submitted_at"]

    def __str__(self):
        return self.reference


class ListPublication(models.Model):
    """A published list (名单) with its document number: provincial by the province, municipal by a city."""

    level = models.CharField(_("级别"), max_length=16, choices=ListLevel.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    document_number = models.CharField(_("文号"), max_length=64)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    published_on = models.DateField(_("发布日期"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = BumpingQuerySet.as_manager()

    class Meta:
        verbose_name = _("名单发布")
        verbose_name_plural = _("名单发布")
        ordering = ["-published_on"]

    def __str__(self):
        return gettext("%(number)s（%(level)s %(year)s）") % {
            "number": self.document_number,
            "level": self.get_level_display(),
            "year": self.year,
        }


class NationalRecommendation(models.Model):
    """A provincial unit the province recommends to MIIT's national list, and the result when it comes."""

    class Result(models.TextChoices):
        PENDING = "pending", _("待公布")
        ACCEPTED = "accepted", _("入选国家级")
        NOT_ACCEPTED = "not_accepted", _("未入选")

    unit = models.ForeignKey("ListedUnit", on_delete=models.PROTECT, related_name="national_recommendations")
    year = models.PositiveSmallIntegerField(_("推荐年度"))
    result = models.CharField(_("结果"), max_length=16, choices=Result.choices, default=Result.PENDING)
    recommended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recommended_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("国家级推荐")
        verbose_name_plural = _("国家级推荐")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="one_national_recommendation_a_year")
        ]

    def __str__(self):
        return f"{self.unit} {self.year}"


class ListExport(models.Model):
    """名单 as .xlsx, too long to build during a request: built by a Celery worker, one per filter and version of
    the lists' data (greenmfg/generations.py), and downloaded again by anyone asking the same until the data
    changes."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("生成失败")

    query = models.CharField(max_length=500)  # the filters, as a sorted query string
    version = models.BigIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    rows = models.PositiveIntegerField(default=0)
    written = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/", storage=private_storage, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("名单导出")
        verbose_name_plural = _("名单导出")
        constraints = [
            models.UniqueConstraint(fields=["query", "version"], name="one_export_per_filter_and_version")
        ]

    def __str__(self):
        return f"{self.query or '*'} @{self.version}"

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.written / self.rows)) if self.rows else 0


class ListImport(models.Model):
    """An uploaded published list: parsed into a dry run first, written only when confirmed, revertible.

    Level and category here are the official's defaults; each table of the file may say its own (its title, a
    类别 or 级别 column) or have them chosen in the dry run, and the report keeps what each table was read as.
    """

    level = models.CharField(_("级别"), max_length=16, choices=ListLevel.choices, blank=True)
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    document_number = models.CharField(_("文号"), max_length=64, blank=True)
    listed_on = models.DateField(_("发布日期"))
    file = models.FileField(upload_to="imports/%Y/", storage=private_storage)
    original_name = models.CharField(max_length=160)
    sha256 = models.CharField(max_length=64, db_index=True, blank=True)
    report = models.JSONField(_("试导入结果"), default=dict)
    reading_pages = models.PositiveIntegerField(
        _("待读取页数"), default=0, help_text=_("长文件在后台读取：大于 0 表示尚未读完。")
    )
    pages_read = models.PositiveIntegerField(_("已读取页数"), default=0)
    reading_started_at = models.DateTimeField(null=True, blank=True)
    reading_defaults = models.JSONField(default=dict, blank=True)  # what the dry run is read with
    reading_error = models.TextField(_("读取失败原因"), blank=True)
    # A long import confirmed by a worker (registry.tasks.apply_list_import): asked by whom and when, taken up
    # when, and why it failed (the official may confirm again).
    applying_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    applying_since = models.DateTimeField(null=True, blank=True)
    applying_started_at = models.DateTimeField(null=True, blank=True)
    applying_error = models.TextField(_("导入失败原因"), blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    reverted_at = models.DateTimeField(_("撤销导入时间"), null=True, blank=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("名单导入")
        verbose_name_plural = _("名单导入")
        ordering = ["-uploaded_at"]

    def __str__(self):
        return f"{self.original_name} {self.uploaded_at:%Y-%m-%d}"

    @property
    def is_reading(self) -> bool:
        """A long file still being read in the background (registry.tasks.read_list_import)."""
        return not self.report and not self.reading_error

    @property
    def is_applying(self) -> bool:
        """Confirmed, and being written in the background (registry.tasks.apply_list_import)."""
        return self.applying_since is not None and self.applied_at is None

    @property
    def reading_percent(self) -> int:
        return min(100, self.pages_read * 100 // self.reading_pages) if self.reading_pages else 0


class ListedUnitQuerySet(BumpingQuerySet):
    def public(self):
        """What the public lists show: every published unit not removed, ready for a list page."""
        return self.for_lists().published().exclude(review_status=ListedUnit.ReviewStatus.REMOVED)

    def published(self):
        """Units whose list is out with its 文号. A unit listed when its 公示 closed waits for the province's
        发布名单; units imported from a list already published carry that list's facts."""
        return self.filter(models.Q(publication__isnull=False) | models.Q(declaration__isnull=True))

    def for_lists(self):
        return self.select_related("organisation", "region").order_by(
            "region__order", "category", "organisation__name", "pk"
        )


class ListedUnit(models.Model):
    """名单单位: a unit on a green list, with its level and its three-yearly re-review date."""

    Level = ListLevel

    class ReviewStatus(models.TextChoices):
        CURRENT = "current", _("有效")
        DUE = "due", _("复核到期")
        RETAINED = "retained", _("复核保留")
        REMOVED = "removed", _("已移出")

    declaration = models.OneToOneField(
        Declaration,
        verbose_name=_("申报"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="listing",
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="listings"
    )
    # Empty (市州待定) when the published list gave only the province; the province assigns the city later.
    region = models.ForeignKey(
        Region,
        verbose_name=_("地区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="listings",
    )
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    product_name = models.CharField(_("产品名称"), max_length=128, blank=True)
    level = models.CharField(_("级别"), max_length=16, choices=Level.choices, default=Level.PROVINCIAL)
    year = models.PositiveSmallIntegerField(_("批次年度"))
    document_number = models.CharField(_("文号"), max_length=64, blank=True)
    publication = models.ForeignKey(
        ListPublication, on_delete=models.PROTECT, null=True, blank=True, related_name="units"
    )
    listed_on = models.DateField(_("入选日期"))
    next_review_on = models.DateField(_("下次复核日期"), db_index=True)
    review_status = models.CharField(
        _("复核状态"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.CURRENT
    )
    removed_on = models.DateField(_("移出日期"), null=True, blank=True)
    removal_document = models.CharField(_("移出文号"), max_length=64, blank=True)
    list_import = models.ForeignKey(
        ListImport, on_delete=models.PROTECT, null=True, blank=True, related_name="units", editable=False
    )

    objects = ListedUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("名单单位")
        verbose_name_plural = _("名单单位")
        ordering = ["region__order", "category", "pk"]

    def __str__(self):
        return gettext("%(organisation)s（%(category)s，%(level)s）") % {
            "organisation": self.organisation,
            "category": self.get_category_display(),
            "level": self.get_level_display(),
        }

    def save(self, *args, **kwargs):
        if not self.next_review_on:
            self.next_review_on = self.policy().next_review_on(self.listed_on)
        super().save(*args, **kwargs)

    @property
    def listing(self) -> str:
        """Level and category as one phrase (省级绿色工厂; in English with a space between)."""
        return gettext("%(level)s%(category)s") % {
            "level": self.get_level_display(),
            "category": self.get_category_display(),
        }

    def policy(self):
        """The rules this unit is kept under: its batch's, or those in force when it was listed."""
        if self.declaration_id:
            return self.declaration.batch.policy
        return Policy.in_force(self.listed_on)


class ReReviewCase(models.Model):
    """三年一复核 of one listed unit: the city's on-site re-review, then the province's decision."""

    class Status(models.TextChoices):
        OPEN = "open", _("待市州复核")
        CITY_REPORTED = "city_reported", _("待省级评审")
        RETAINED = "retained", _("保留")
        REMOVED = "removed", _("移出")

    class CityConclusion(models.TextChoices):
        QUALIFIED = "qualified", _("仍符合要求")
        UNQUALIFIED = "unqualified", _("不再符合要求")

    listed_unit = models.ForeignKey(
        ListedUnit, verbose_name=_("名单单位"), on_delete=models.CASCADE, related_name="rereviews"
    )
    due_on = models.DateField(_("复核到期日"))
    opened_at = models.DateTimeField(_("立案时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    onsite_date = models.DateField(_("现场复核日期"), null=True, blank=True)
    findings = models.TextField(_("复核情况"), blank=True)
    report = models.FileField(_("复核报告"), upload_to="rereviews/%Y/", storage=private_storage, blank=True)
    city_conclusion = models.CharField(
        _("市州复核结论"), max_length=16, choices=CityConclusion.choices, blank=True
    )
    city_reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    city_reported_at = models.DateTimeField(null=True, blank=True)
    expert_opinion = models.TextField(_("专家评审意见"), blank=True)
    experts_from_other_cities = models.BooleanField(
        _("专家须来自其他市州"), default=True, help_text=_("分配和回避后替换专家时不选与该单位同一市州的专家")
    )
    scoring_template = models.ForeignKey(
        IndicatorTemplate,
        verbose_name=_("评审指标体系"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("专家逐项评分所用的指标体系：单位入选时申报所用的版本，否则分配专家时该类别现行的版本"),
    )
    removal_reason = models.TextField(_("移出原因"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField(_("复核决定日期"), null=True, blank=True)

    objects = BumpingQuerySet.as_manager()

    class Meta:
        verbose_name = _("三年复核")
        verbose_name_plural = _("三年复核")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["listed_unit", "due_on"], name="one_rereview_per_due_date")
        ]

    def __str__(self):
        return f"{self.listed_unit} {self.due_on}"


class RereviewAssignment(models.Model):
    """An expert asked to review a 三年一复核 case, chosen, scored and put together like a declaration's experts
    (reviews.assignment, reviews.scoresheet, reviews.aggregation): a score per indicator of the case's
    ``scoring_template`` with comments, the total computed from them, and an overall opinion. Rows submitted
    before the sheet (one overall score typed by the expert) keep that score and have no answers."""

    Status = Assignment.Status

    case = models.ForeignKey(ReReviewCase, on_delete=models.CASCADE, related_name="assignments")
    expert = models.ForeignKey(
        "reviews.Expert", on_delete=models.PROTECT, related_name="rereview_assignments"
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    withdrawn_reason = models.CharField(_("回避原因"), max_length=255, blank=True)
    score = models.DecimalField(_("专家评分"), max_digits=6, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("评审意见"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("复核专家分配")
        verbose_name_plural = _("复核专家分配")
        ordering = ["case", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "expert"],
                condition=~models.Q(status="withdrawn"),
                name="one_live_rereview_assignment_per_expert",
            )
        ]

    def __str__(self):
        return f"{self.expert} → {self.case}"


class RereviewAnswer(IndicatorScore):
    """One indicator scored by an expert on a 三年一复核 case."""

    assignment = models.ForeignKey(RereviewAssignment, on_delete=models.CASCADE, related_name="answers")

    class Meta:
        verbose_name = _("复核专家逐项评分")
        verbose_name_plural = _("复核专家逐项评分")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "indicator"], name="one_rereview_answer_per_indicator"
            )
        ]

    def __str__(self):
        return f"{self.assignment_id} {self.indicator_id}"


class Claim(models.Model):
    """认领: a registered organisation proposed as an unclaimed unit known from a published list.

    Proposed when an enterprise registers (or a city records a code) under a name the unit has or had; the city
    confirms, and the unit's listings (with their 三年一复核 dates and cases) and exclusions become the
    organisation's; a wrong match is undone by the city, and what moved goes back. Every step is audited.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待市州确认")
        CONFIRMED = "confirmed", _("已确认")
        REJECTED = "rejected", _("不是同一单位")
        UNDONE = "undone", _("已撤销")

    unclaimed = models.ForeignKey(
        Organisation, verbose_name=_("未认领单位"), on_delete=models.PROTECT, related_name="claims_on"
    )
    claimant = models.ForeignKey(
        Organisation, verbose_name=_("注册单位"), on_delete=models.PROTECT, related_name="claims"
    )
    matched_by = models.CharField(_("匹配依据"), max_length=16)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PROPOSED)
    proposed_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    moved = models.JSONField(default=dict, editable=False)

    class Meta:
        verbose_name = _("单位认领")
        verbose_name_plural = _("单位认领")
        ordering = ["-proposed_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["unclaimed", "claimant"], name="one_claim_per_pair")]

    def __str__(self):
        return f"{self.claimant} ← {self.unclaimed}"

    @property
    def region_id(self):
        """The city that decides: the registered organisation's (属地管理)."""
        return self.claimant.region_id


class AnnualReport(models.Model):
    """动态管理表: what a listed unit reports each year by the deadline (default 15 April), seen by its city."""

    listed_unit = models.ForeignKey(ListedUnit, on_delete=models.CASCADE, related_name="annual_reports")
    year = models.PositiveSmallIntegerField(_("报告年度"))
    energy_consumption = models.DecimalField(_("综合能耗（吨标煤）"), max_digits=14, decimal_places=2)
    output_value = models.DecimalField(_("工业总产值（万元）"), max_digits=14, decimal_places=2)
    emissions = models.TextField(_("主要污染物排放与达标情况"))
    changes = models.TextField(_("重大变化情况（产能、工艺、事故、处罚等）"), blank=True)
    inputs = models.JSONField(
        _("年度运行数据"),
        default=dict,
        blank=True,
        help_text=_("与申报时相同的分品种能源、产量、取水、固废和用地数据"),
    )
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("动态管理表")
        verbose_name_plural = _("动态管理表")
        constraints = [
            models.UniqueConstraint(fields=["listed_unit", "year"], name="one_annual_report_a_year")
        ]

    def __str__(self):
        return f"{self.listed_unit} {self.year}"


class CultivationCandidate(models.Model):
    """培育库: a company a city is preparing for a category, followed until it declares and is listed.

    Only the city's own decision (keep cultivating, or give up) is typed here. Whether the company has declared or
    been listed is computed from the declarations and the lists by ``registry.cultivation``, so the pool cannot
    drift from what actually happened. A company not yet on the portal is kept by name and credit code and is
    matched once it registers.
    """

    class Status(models.TextChoices):
        CULTIVATING = "cultivating", _("培育中")
        DROPPED = "dropped", _("已放弃")

    region = models.ForeignKey(
        Region, verbose_name=_("市州"), on_delete=models.PROTECT, related_name="cultivation_candidates"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("平台注册单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cultivation_candidates",
        help_text=_("尚未在平台注册的单位，请填写单位名称和统一社会信用代码。"),
    )
    name = models.CharField(_("单位名称"), max_length=128, blank=True)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, blank=True, db_index=True, validators=[validate_credit_code]
    )
    category = models.CharField(_("培育类别"), max_length=16, choices=Category.choices)
    planned_year = models.PositiveSmallIntegerField(_("计划申报年度"))
    status = models.CharField(
        _("培育状态"), max_length=16, choices=Status.choices, default=Status.CULTIVATING
    )
    notes = models.TextField(_("培育情况"), blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("责任人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("培育对象")
        verbose_name_plural = _("培育库")
        ordering = ["region__order", "planned_year", "category", "pk"]
        indexes = [models.Index(fields=["region", "status"])]

    def __str__(self):
        return gettext("%(name)s（%(category)s，%(year)s）") % {
            "name": self.display_name,
            "category": self.get_category_display(),
            "year": self.planned_year,
        }

    def clean(self):
        super().clean()
        self.credit_code = normalise_credit_code(self.credit_code)
        errors = {}
        if self.organisation_id is None and not self.name:
            errors["name"] = _("请选择平台注册单位，或填写单位名称。")
        if self.organisation_id and self.region_id and self.organisation.region_id != self.region_id:
            errors["organisation"] = _("只能选择本市州的单位。")
        if self.responsible_id and self.region_id:
            official = self.responsible
            if not (official.is_city_official and official.city_id == self.region_id):
                errors["responsible"] = _("责任人须为本市州经信局的工作人员。")
        if errors:
            raise ValidationError(errors)

    @property
    def display_name(self) -> str:
        return self.organisation.name if self.organisation_id else self.name
