from django.conf import settings
from django.contrib.auth.models import Group
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications.models import Category, Declaration, Indicator, Policy
from greenmfg.generations import BumpingQuerySet
from greenmfg.identifiers import validate_credit_code
from greenmfg.models import Region
from greenmfg.roles import EVALUATOR_STAFF_GROUP
from greenmfg.storage import private_storage


class EvaluatorQuerySet(BumpingQuerySet):
    def approved(self):
        return self.filter(status=Evaluator.Status.APPROVED)


class Evaluator(models.Model):
    """第三方评价机构. Its staff are the members of its own group, which holds its object permissions."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("填报中")
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("未通过")

    name = models.CharField(_("机构名称"), max_length=128)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    legal_representative = models.CharField(_("法定代表人"), max_length=64, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("所在市州"), on_delete=models.PROTECT, null=True, blank=True
    )
    office_address = models.CharField(_("固定办公场所"), max_length=255, blank=True)
    financial_statement = models.TextField(
        _("财务管理情况"), blank=True, help_text=_("财务制度健全、财务状况良好的说明")
    )
    categories = models.JSONField(_("评价业务类别"), default=list, blank=True)
    cnca_approval_number = models.CharField(
        _("认监委批准号"), max_length=64, blank=True, help_text=_("开展绿色设计产品认证的机构须填写")
    )
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    staff_group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="evaluator", editable=False
    )
    status = models.CharField(_("审核状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    review_opinion = models.TextField(_("审核意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    flagged_reason = models.TextField(
        _("资质预警"), blank=True, help_text=_("人员变动导致不再满足资质条件时由系统填写，提示省经信厅复核")
    )

    objects = EvaluatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("第三方评价机构")
        verbose_name_plural = _("第三方评价机构")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.staff_group_id:
            self.staff_group, _created = Group.objects.get_or_create(
                name=f"{EVALUATOR_STAFF_GROUP}{self.credit_code}"
            )
        super().save(*args, **kwargs)

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    def category_labels(self):
        return [Category(c).label for c in self.categories if c in Category.values]

    def ban_in_force(self, on=None):
        """The ban in force on ``on`` (today by default), if any. Uses prefetched bans when present."""
        on = on or timezone.localdate()
        return next((ban for ban in self.bans.all() if ban.starts_on <= on < ban.ends_on), None)


class StaffMember(models.Model):
    """One person on an evaluator's roster; the qualification facts are computed from these rows."""

    class Title(models.TextChoices):
        NONE = "none", _("无职称")
        JUNIOR = "junior", _("初级")
        INTERMEDIATE = "intermediate", _("中级")
        ASSOCIATE_SENIOR = "associate_senior", _("副高级")
        SENIOR = "senior", _("正高级")

    class Field(models.TextChoices):
        ENERGY = "energy", _("节能/能源")
        ENVIRONMENT = "environment", _("环境")
        ECOLOGY = "ecology", _("生态")
        LOW_CARBON = "low_carbon", _("低碳")
        LIFE_CYCLE = "life_cycle", _("生命周期评价")
        OTHER = "other", _("其他")

    evaluator = models.ForeignKey(Evaluator, on_delete=models.CASCADE, related_name="roster")
    name = models.CharField(_("姓名"), max_length=64)
    title = models.CharField(_("职称"), max_length=20, choices=Title.choices)
    field = models.CharField(_("专业领域"), max_length=20, choices=Field.choices)
    full_time = models.BooleanField(_("专职"), default=True)

    class Meta:
        verbose_name = _("评价人员")
        verbose_name_plural = _("评价人员")
        ordering = ["evaluator", "pk"]

    def __str__(self):
        return gettext("%(name)s（%(title)s，%(field)s）") % {
            "name": self.name,
            "title": self.get_title_display(),
            "field": self.get_field_display(),
        }


class Project(models.Model):
    """Relevant work in the last five years (近五年相关业绩)."""

    evaluator = models.ForeignKey(Evaluator, on_delete=models.CASCADE, related_name="projects")
    year = models.PositiveSmallIntegerField(_("年度"))
    client = models.CharField(_("委托单位"), max_length=128)
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    description = models.CharField(_("内容"), max_length=255)

    class Meta:
        verbose_name = _("相关业绩")
        verbose_name_plural = _("相关业绩")
        ordering = ["-year", "pk"]

    def __str__(self):
        return f"{self.year} {self.client}"


class Evidence(models.Model):
    """A qualification evidence file; public once the evaluator is approved (its self-declaration)."""

    class Topic(models.TextChoices):
        LEGAL_PERSON = "legal_person", _("法人资格")
        OFFICE = "office", _("办公场所")
        FINANCE = "finance", _("财务状况")
        STAFF = "staff", _("人员资质")
        CAPABILITY = "capability", _("业务能力与业绩")
        CNCA = "cnca", _("认监委批准")

    evaluator = models.ForeignKey(Evaluator, on_delete=models.CASCADE, related_name="evidence")
    topic = models.CharField(_("证明事项"), max_length=20, choices=Topic.choices)
    file = models.FileField(upload_to="evaluators/%Y/", storage=private_storage)
    original_name = models.CharField(_("文件名"), max_length=160)
    content_type = models.CharField(max_length=128)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("资质证明材料")
        verbose_name_plural = _("资质证明材料")
        ordering = ["topic", "pk"]

    def __str__(self):
        return self.original_name


class Interest(models.Model):
    """An interest the evaluator declares (股权、业务往来…): it may not evaluate that organisation."""

    evaluator = models.ForeignKey(Evaluator, on_delete=models.CASCADE, related_name="interests")
    credit_code = models.CharField(_("相关单位信用代码"), max_length=18, validators=[validate_credit_code])
    name = models.CharField(_("相关单位名称"), max_length=128)
    description = models.CharField(_("利害关系"), max_length=255)

    class Meta:
        verbose_name = _("利害关系声明")
        verbose_name_plural = _("利害关系声明")

    def __str__(self):
        return f"{self.evaluator} ↔ {self.name}"


class Ban(models.Model):
    """Fraud ⇒ no report of this evaluator is accepted for three years from the date recorded."""

    evaluator = models.ForeignKey(Evaluator, on_delete=models.CASCADE, related_name="bans")
    reason = models.TextField(_("违规事实"))
    evidence = models.FileField(_("证据"), upload_to="bans/%Y/", storage=private_storage, blank=True)
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("解除日期"), help_text=_("按起始日施行的政策规则计算禁入年限；当日起解除"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("禁入记录")
        verbose_name_plural = _("禁入记录")
        ordering = ["-starts_on"]

    def __str__(self):
        return f"{self.evaluator} {self.starts_on}—{self.ends_on}"

    def save(self, *args, **kwargs):
        if not self.ends_on:
            self.ends_on = Policy.in_force(self.starts_on).ban_ends_on(self.starts_on)
        super().save(*args, **kwargs)


class Commission(models.Model):
    """An applicant asks an evaluator to evaluate a declaration; it takes effect when the evaluator accepts."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待接受")
        ACCEPTED = "accepted", _("已接受")
        DECLINED = "declined", _("已谢绝")
        ENDED = "ended", _("因禁入终止")

    CLOSED_STATUSES = (Status.DECLINED, Status.ENDED)
    """Declined by the evaluator, or ended by its ban: the applicant may commission another."""

    declaration = models.ForeignKey(
        Declaration, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="commissions"
    )
    evaluator = models.ForeignKey(
        Evaluator, verbose_name=_("评价机构"), on_delete=models.PROTECT, related_name="commissions"
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("委托时间"), auto_now_add=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    independence_declaration = models.TextField(_("独立性声明"), blank=True)
    decline_reason = models.CharField(_("谢绝原因"), max_length=255, blank=True)
    flagged_reason = models.CharField(
        _("提示"), max_length=255, blank=True, help_text=_("如评价机构被禁入，系统在此提示申报单位和市州")
    )

    objects = BumpingQuerySet.as_manager()

    class Meta:
        verbose_name = _("评价委托")
        verbose_name_plural = _("评价委托")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["declaration"],
                condition=~models.Q(status__in=["declined", "ended"]),  # CLOSED_STATUSES
                name="one_open_commission_per_declaration",
            )
        ]
        indexes = [models.Index(fields=["evaluator", "status", "answered_at"])]

    def __str__(self):
        return f"{self.evaluator} ← {self.declaration}"


def evaluations_used(evaluator_ids, year: int) -> dict:
    """Accepted commissions per evaluator in a calendar year: what counts towards the yearly cap."""
    start = timezone.make_aware(timezone.datetime(year, 1, 1))
    end = timezone.make_aware(timezone.datetime(year + 1, 1, 1))
    rows = (
        Commission.objects.filter(
            evaluator_id__in=evaluator_ids,
            status=Commission.Status.ACCEPTED,
            answered_at__gte=start,
            answered_at__lt=end,
        )
        .values("evaluator_id")
        .annotate(n=models.Count("pk"))
    )
    return {row["evaluator_id"]: row["n"] for row in rows}


class Evaluation(models.Model):
    """The evaluator's result for one commission: scores on the declaration's template, report, commitment."""

    commission = models.OneToOneField(
        Commission, verbose_name=_("委托"), on_delete=models.CASCADE, related_name="evaluation"
    )
    onsite_date = models.DateField(_("现场评价日期"), null=True, blank=True)
    basic_requirements_met = models.BooleanField(_("基本要求"), null=True, blank=True)
    highlights = models.CharField(
        _("亮点"),
        max_length=100,
        blank=True,
        validators=[MaxLengthValidator(100)],
        help_text=_("不超过100字"),
    )
    report = models.FileField(_("评价报告"), upload_to="evaluations/%Y/", storage=private_storage, blank=True)
    report_name = models.CharField(max_length=160, blank=True)
    commitment_accepted = models.BooleanField(_("机构承诺"), default=False)
    score = models.DecimalField(_("第三方评分"), max_digits=6, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("评价达标"), default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("第三方评价")
        verbose_name_plural = _("第三方评价")

    def __str__(self):
        return f"{self.commission.declaration}: {self.score}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class EvaluationAnswer(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    met = models.BooleanField(null=True, blank=True)
    values = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "indicator"], name="one_evaluation_answer_per_indicator"
            )
        ]

    def __str__(self):
        return f"{self.evaluation_id} {self.indicator_id}"


class EvaluatedData(models.Model):
    """The evaluator's confirmed or corrected raw data of one year, with a note per corrected input.

    Keys are those of the applicant's ``applications.AnnualData``; the evaluator's indicators are computed from
    these values the same way as the applicant's.
    """

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="data")
    year = models.PositiveSmallIntegerField(_("年度"))
    inputs = models.JSONField(_("核定数据"), default=dict, blank=True)
    notes = models.JSONField(_("核查说明"), default=dict, blank=True)

    class Meta:
        verbose_name = _("第三方核定运行数据")
        verbose_name_plural = _("第三方核定运行数据")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "year"], name="one_evaluated_data_per_year")
        ]

    def __str__(self):
        return f"{self.evaluation_id} {self.year}"


class CityPreReview(models.Model):
    """初审: the city official's checklist, on-site notes, opinion and decision on one declaration."""

    class Decision(models.TextChoices):
        RECOMMEND = "recommend", _("推荐")
        RETURN = "return", _("退回修改")
        NOT_RECOMMEND = "not_recommend", _("不予推荐")

    declaration = models.OneToOneField(Declaration, on_delete=models.CASCADE, related_name="city_review")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checklist = models.JSONField(_("审核要点"), default=list, blank=True)
    checklist_note = models.TextField(_("未勾选审核要点的说明"), blank=True)
    onsite_notes = models.TextField(_("现场核查情况"), blank=True)
    opinion = models.TextField(_("初审意见"))
    items_to_fix = models.TextField(_("需修改的内容"), blank=True)
    decision = models.CharField(_("初审结论"), max_length=16, choices=Decision.choices)
    rank = models.PositiveSmallIntegerField(_("推荐排序"), null=True, blank=True)
    decided_at = models.DateTimeField(_("初审时间"), auto_now=True)

    class Meta:
        verbose_name = _("市州初审")
        verbose_name_plural = _("市州初审")

    def __str__(self):
        return f"{self.declaration} {self.get_decision_display()}"


class CityRecommendation(models.Model):
    """The city's recommendation for one batch, submitted as a whole; locked once submitted."""

    batch = models.ForeignKey(
        "applications.Batch", on_delete=models.PROTECT, related_name="city_recommendations"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="recommendations")
    opinion = models.TextField(_("推荐意见"))
    document_number = models.CharField(_("文号"), max_length=64, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("报送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("市州推荐")
        verbose_name_plural = _("市州推荐")
        constraints = [
            models.UniqueConstraint(fields=["batch", "region"], name="one_recommendation_per_city")
        ]

    def __str__(self):
        return f"{self.region} {self.batch}"


class Expert(models.Model):
    """A member of the provincial expert pool."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert")
    categories = models.JSONField(_("评审专业类别"), default=list)
    employer = models.CharField(_("工作单位"), max_length=128)
    employer_credit_code = models.CharField(_("工作单位信用代码"), max_length=18, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("所在市州"), on_delete=models.PROTECT, null=True, blank=True
    )
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    email = models.EmailField(_("邮箱"), blank=True)
    active = models.BooleanField(_("在库"), default=True)

    class Meta:
        verbose_name = _("评审专家")
        verbose_name_plural = _("评审专家")
        ordering = ["pk"]

    def __str__(self):
        return str(self.user)


class ExpertConflict(models.Model):
    """A conflict an expert declared with an organisation (任职、亲属、业务往来…)."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="conflicts")
    credit_code = models.CharField(_("相关单位信用代码"), max_length=18)
    description = models.CharField(_("利害关系"), max_length=255)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("专家回避事项")
        verbose_name_plural = _("专家回避事项")

    def __str__(self):
        return f"{self.expert} ↔ {self.credit_code}"


class Assignment(models.Model):
    """An expert assigned to score a declaration."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("评审中")
        SUBMITTED = "submitted", _("已提交")
        WITHDRAWN = "withdrawn", _("回避/撤换")

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="assignments")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="assignments")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    withdrawn_reason = models.CharField(_("回避原因"), max_length=255, blank=True)
    score = models.DecimalField(_("专家评分"), max_digits=6, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("评审意见"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    objects = BumpingQuerySet.as_manager()

    class Meta:
        verbose_name = _("专家分配")
        verbose_name_plural = _("专家分配")
        ordering = ["declaration", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "expert"],
                condition=~models.Q(status="withdrawn"),
                name="one_live_assignment_per_expert",
            )
        ]

    def __str__(self):
        return f"{self.expert} → {self.declaration}"


class IndicatorScore(models.Model):
    """An expert's score of one indicator with a comment, on a declaration or any other case experts score
    with the same sheet (``reviews.scoresheet``)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    met = models.BooleanField(null=True, blank=True)
    values = models.JSONField(default=list, blank=True)
    comment = models.CharField(max_length=255, blank=True)

    class Meta:
        abstract = True


class ExpertAnswer(IndicatorScore):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="answers")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "indicator"], name="one_expert_answer_per_indicator"
            )
        ]

    def __str__(self):
        return f"{self.assignment_id} {self.indicator_id}"
