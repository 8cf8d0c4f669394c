from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.models import Declaration
from greenmfg.identifiers import validate_credit_code
from greenmfg.models import Region


class Evaluator(models.Model):
    """第三方评价机构. Its staff are the members of its own group, which holds its object permissions."""

    name = models.CharField(_("机构名称"), max_length=128)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所在市州"), on_delete=models.PROTECT, null=True, blank=True
    )
    staff_group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="evaluator", editable=False
    )
    is_approved = models.BooleanField(_("已审核通过"), default=False)

    class Meta:
        verbose_name = _("第三方评价机构")
        verbose_name_plural = _("第三方评价机构")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.staff_group_id:
            self.staff_group, _created = Group.objects.get_or_create(name=f"评价机构:{self.credit_code}")
        super().save(*args, **kwargs)

    @property
    def staff(self):
        return self.staff_group.user_set.all()


class Commission(models.Model):
    """An applicant asks an evaluator to evaluate a declaration; it takes effect when the evaluator accepts."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待接受")
        ACCEPTED = "accepted", _("已接受")
        DECLINED = "declined", _("已谢绝")

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

    class Meta:
        verbose_name = _("评价委托")
        verbose_name_plural = _("评价委托")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["declaration"],
                condition=~models.Q(status="declined"),
                name="one_open_commission_per_declaration",
            )
        ]

    def __str__(self):
        return f"{self.evaluator} ← {self.declaration}"


class Evaluation(models.Model):
    """The evaluator's result for one commission. Submitting it moves the declaration to 评价完成."""

    commission = models.OneToOneField(
        Commission, verbose_name=_("委托"), on_delete=models.CASCADE, related_name="evaluation"
    )
    score = models.DecimalField(_("第三方评分"), max_digits=5, decimal_places=2)
    conclusion = models.TextField(_("评价结论"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("第三方评价")
        verbose_name_plural = _("第三方评价")

    def __str__(self):
        return f"{self.commission.declaration}: {self.score}"
