from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.models import Category, Declaration, Organisation
from greenmfg.models import Region

RE_REVIEW_CYCLE = relativedelta(years=3)


class Target(models.Model):
    """附件3: how many units of a category a city should have on the lists by the target year."""

    region = models.ForeignKey(
        Region, verbose_name=_("市州"), on_delete=models.PROTECT, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(_("目标年度"))
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    count = models.PositiveIntegerField(_("目标数量"))

    class Meta:
        verbose_name = _("创建目标")
        verbose_name_plural = _("创建目标")
        ordering = ["region__order", "category"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "category"], name="one_target_per_cell")
        ]

    def __str__(self):
        return f"{self.region} {self.get_category_display()} {self.year}: {self.count}"


class Publicity(models.Model):
    """公示: a public notice of the declarations that passed review, open for objections for a period."""

    title = models.CharField(_("标题"), max_length=200)
    starts_on = models.DateField(_("公示开始"))
    ends_on = models.DateField(_("公示截止"))
    declarations = models.ManyToManyField(Declaration, verbose_name=_("公示对象"), related_name="publicities")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["-starts_on", "-pk"]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class ListedUnitQuerySet(models.QuerySet):
    def for_lists(self):
        return self.select_related("organisation", "region", "declaration__batch").order_by(
            "region__order", "category", "organisation__name", "pk"
        )


class ListedUnit(models.Model):
    """名单单位: a unit on a green list, with its level and its three-yearly re-review date."""

    class Level(models.TextChoices):
        MUNICIPAL = "municipal", _("市级")
        PROVINCIAL = "provincial", _("省级")
        NATIONAL = "national", _("国家级")

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
    region = models.ForeignKey(
        Region, verbose_name=_("地区"), on_delete=models.PROTECT, related_name="listings"
    )
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    product_name = models.CharField(_("产品名称"), max_length=128, blank=True)
    level = models.CharField(_("级别"), max_length=16, choices=Level.choices, default=Level.PROVINCIAL)
    year = models.PositiveSmallIntegerField(_("批次年度"))
    document_number = models.CharField(_("文号"), max_length=64, blank=True)
    listed_on = models.DateField(_("入选日期"))
    next_review_on = models.DateField(_("下次复核日期"), db_index=True)
    review_status = models.CharField(
        _("复核状态"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.CURRENT
    )

    objects = ListedUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("名单单位")
        verbose_name_plural = _("名单单位")
        ordering = ["region__order", "category", "pk"]

    def __str__(self):
        return f"{self.organisation}（{self.get_category_display()}，{self.get_level_display()}）"

    def save(self, *args, **kwargs):
        if not self.next_review_on:
            self.next_review_on = self.listed_on + RE_REVIEW_CYCLE
        super().save(*args, **kwargs)


class ReReviewReminder(models.Model):
    """One reminder that a listed unit's 三年一复核 is due; one per unit and due date, never twice."""

    listed_unit = models.ForeignKey(
        ListedUnit, verbose_name=_("名单单位"), on_delete=models.CASCADE, related_name="reminders"
    )
    due_on = models.DateField(_("复核到期日"))
    created_at = models.DateTimeField(_("提醒时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("复核提醒")
        verbose_name_plural = _("复核提醒")
        ordering = ["due_on"]
        constraints = [
            models.UniqueConstraint(fields=["listed_unit", "due_on"], name="one_reminder_per_due_date")
        ]

    def __str__(self):
        return f"{self.listed_unit} {self.due_on}"
