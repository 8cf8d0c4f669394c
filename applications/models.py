from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from greenmfg.identifiers import normalise_credit_code, validate_credit_code, validate_credit_code_format
from greenmfg.models import Region

from . import conditions as cond
from .permissions import is_applicant, is_city_official_of, is_commissioned_evaluator, is_provincial


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
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code_format]
    )
    credit_code_waiver = models.TextField(
        _("校验位例外说明"),
        blank=True,
        help_text=_("个别真实代码无法通过校验位检查；仅系统管理员可在记录原因后接受。"),
    )
    region = models.ForeignKey(Region, verbose_name=_("所在市州"), on_delete=models.PROTECT)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("成员"), related_name="organisations", blank=True
    )

    class Meta:
        verbose_name = _("申报单位")
        verbose_name_plural = _("申报单位")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        self.credit_code = normalise_credit_code(self.credit_code)
        if not self.credit_code_waiver:
            try:
                validate_credit_code(self.credit_code)
            except ValidationError as error:
                raise ValidationError({"credit_code": error}) from error


class Batch(models.Model):
    """An annual call for declarations (年度申报批次) with its deadlines."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    title = models.CharField(_("名称"), max_length=128)
    submission_deadline = models.DateTimeField(_("申报截止"))
    recommendation_deadline = models.DateTimeField(_("市州推荐截止"))
    requires_third_party = models.BooleanField(
        _("要求第三方评价"), default=True, help_text=_("2022年方案要求；国家2025年批次已取消。")
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


class Exclusion(models.Model):
    """近三年不得申报: while one is in force, the organisation may not submit."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="exclusions"
    )
    reason = models.CharField(_("原因"), max_length=255)
    source = models.CharField(_("来源"), max_length=255, blank=True)
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


class DeclarationQuerySet(models.QuerySet):
    def for_lists(self):
        return self.select_related("organisation", "region", "batch")


class Declaration(FSMModelMixin, models.Model):
    """申报: one application of one organisation, in one category, in one batch.

    The state changes only through the transitions below, each run by ``applications.services.transition``.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SELF_EVALUATED = "self_evaluated", _("自评完成")
        UNDER_EVALUATION = "under_evaluation", _("第三方评价中")
        EVALUATED = "evaluated", _("评价完成")
        CITY_REVIEW = "city_review", _("市州初审")
        RETURNED = "returned", _("退回修改")
        NOT_RECOMMENDED = "not_recommended", _("未推荐")
        PROVINCE_REVIEW = "province_review", _("省级评审")
        REVIEW_PASSED = "review_passed", _("评审通过")
        IN_PUBLICITY = "in_publicity", _("公示中")
        LISTED = "listed", _("已入选")
        REJECTED = "rejected", _("未通过")
        WITHDRAWN = "withdrawn", _("已撤回")

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
    product_name = models.CharField(_("产品名称"), max_length=128, blank=True)
    summary = models.TextField(_("单位简介"), blank=True)
    eligibility_attested = models.BooleanField(_("已确认满足基本条件且近三年无不得申报情形"), default=False)
    commitment_accepted_at = models.DateTimeField(_("材料真实性承诺时间"), null=True, blank=True)
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
        indexes = [models.Index(fields=["region", "state"]), models.Index(fields=["batch", "category"])]

    def __str__(self):
        label = self.get_category_display()
        if self.product_name:
            return f"{self.organisation} · {self.product_name}（{label}）"
        return f"{self.organisation}（{label}）"

    def exclusion_in_force(self, on=None):
        on = on or timezone.localdate()
        return self.organisation.exclusions.filter(starts_on__lte=on, ends_on__gte=on).first()

    @property
    def is_editable(self) -> bool:
        return self.state in (self.State.DRAFT, self.State.RETURNED)

    # The declaration's life, top to bottom (domain.md). `custom` says how a page offers the transition:
    # label, whether an opinion is required, and whether it is a plain button on the declaration page.

    @transition(
        field=state,
        source=State.DRAFT,
        target=State.SELF_EVALUATED,
        permission=is_applicant,
        conditions=[cond.eligibility_attested, cond.no_exclusion_in_force],
        custom={"label": _("提交自评价"), "button": True},
    )
    def submit_self_evaluation(self):
        pass

    @transition(
        field=state,
        source=State.SELF_EVALUATED,
        target=State.UNDER_EVALUATION,
        permission=is_commissioned_evaluator,
        conditions=[cond.third_party_required],
        custom={"label": _("接受委托")},
    )
    def commission(self):
        pass

    @transition(
        field=state,
        source=State.UNDER_EVALUATION,
        target=State.EVALUATED,
        permission=is_commissioned_evaluator,
        custom={"label": _("提交第三方评价")},
    )
    def submit_evaluation(self):
        pass

    @transition(
        field=state,
        source=[State.SELF_EVALUATED, State.EVALUATED],
        target=State.CITY_REVIEW,
        permission=is_applicant,
        conditions=[
            cond.third_party_done_or_not_required,
            cond.no_exclusion_in_force,
            cond.before_submission_deadline,
        ],
        custom={"label": _("提交市州初审"), "button": True},
    )
    def submit_to_city(self):
        pass

    @transition(
        field=state,
        source=State.CITY_REVIEW,
        target=State.RETURNED,
        permission=is_city_official_of,
        custom={"label": _("退回修改"), "button": True, "opinion": True},
    )
    def return_for_revision(self):
        pass

    @transition(
        field=state,
        source=State.RETURNED,
        target=State.CITY_REVIEW,
        permission=is_applicant,
        conditions=[cond.no_exclusion_in_force, cond.before_recommendation_deadline],
        custom={"label": _("重新提交"), "button": True},
    )
    def resubmit(self):
        pass

    @transition(
        field=state,
        source=State.CITY_REVIEW,
        target=State.PROVINCE_REVIEW,
        permission=is_city_official_of,
        conditions=[cond.before_recommendation_deadline],
        custom={"label": _("推荐"), "button": True, "opinion": True},
    )
    def recommend(self):
        pass

    @transition(
        field=state,
        source=State.CITY_REVIEW,
        target=State.NOT_RECOMMENDED,
        permission=is_city_official_of,
        custom={"label": _("不予推荐"), "button": True, "opinion": True},
    )
    def not_recommend(self):
        pass

    @transition(
        field=state,
        source=State.PROVINCE_REVIEW,
        target=State.REVIEW_PASSED,
        permission=is_provincial,
        custom={"label": _("评审通过"), "button": True, "opinion": True},
    )
    def pass_review(self):
        pass

    @transition(
        field=state,
        source=State.PROVINCE_REVIEW,
        target=State.REJECTED,
        permission=is_provincial,
        custom={"label": _("评审不通过"), "button": True, "opinion": True},
    )
    def fail_review(self):
        pass

    @transition(
        field=state,
        source=State.REVIEW_PASSED,
        target=State.IN_PUBLICITY,
        permission=is_provincial,
        custom={"label": _("进入公示")},
    )
    def open_publicity(self):
        pass

    @transition(
        field=state,
        source=State.IN_PUBLICITY,
        target=State.REJECTED,
        permission=is_provincial,
        custom={"label": _("异议成立"), "opinion": True},
    )
    def uphold_objection(self):
        pass

    @transition(
        field=state,
        source=State.IN_PUBLICITY,
        target=State.LISTED,
        permission=is_provincial,
        custom={"label": _("列入名单")},
    )
    def list(self):
        pass

    @transition(
        field=state,
        source=[
            State.DRAFT,
            State.SELF_EVALUATED,
            State.UNDER_EVALUATION,
            State.EVALUATED,
            State.CITY_REVIEW,
            State.RETURNED,
        ],
        target=State.WITHDRAWN,
        permission=is_applicant,
        custom={"label": _("撤回申报"), "button": True},
    )
    def withdraw(self):
        pass
