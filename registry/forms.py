"""The forms of 名单's pages: 公示 and objections, publishing lists, imports, re-reviews, the cultivation pool."""

from django import forms
from django.conf import settings
from django.core.exceptions import BadRequest, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications import workflow
from applications.models import Batch, Category, Declaration, Organisation
from greenmfg import uploads
from greenmfg.identifiers import normalise_credit_code, validate_credit_code
from greenmfg.models import Region, User
from greenmfg.roles import Role
from greenmfg.widgets import DateInput

from . import published
from .models import AnnualReport, CultivationCandidate, ListedUnit, ListLevel, Plan, Publicity, ReReviewCase
from .services import notice_defaults


class PublicityForm(forms.Form):
    title = forms.CharField(label=_("公示标题"), max_length=200)
    document_number = forms.CharField(
        label=_("文号"), max_length=64, required=False, help_text=_("公示通知有文号时填写，印在公示 PDF 上")
    )
    batch = forms.ModelChoiceField(label=_("批次"), queryset=Batch.objects.all())
    length = forms.IntegerField(
        label=_("公示期长度"), min_value=1, max_value=60, required=False, help_text=_("留空则按批次设置")
    )
    day_kind = forms.ChoiceField(
        label=_("计算方式"), choices=[("", _("按批次设置")), *Publicity.DayKind.choices], required=False
    )
    declarations = forms.ModelMultipleChoiceField(
        label=_("评审通过的申报"),
        queryset=Declaration.objects.filter(state__in=workflow.PASSED_REVIEW).select_related(
            "organisation", "region"
        ),
        widget=forms.CheckboxSelectMultiple,
    )
    legal_basis = forms.CharField(label=_("公示依据"), widget=forms.Textarea(attrs={"rows": 2}))
    steps_done = forms.CharField(label=_("已完成的程序"), widget=forms.Textarea(attrs={"rows": 2}))
    how_to_object = forms.CharField(label=_("异议方式"), widget=forms.Textarea(attrs={"rows": 2}))
    contact_unit = forms.CharField(label=_("联系单位"), max_length=128)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=64)
    contact_email = forms.EmailField(label=_("联系邮箱"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, value in notice_defaults().items():
            self.fields[name].initial = value
        self.fields["batch"].initial = Batch.objects.order_by("-year").first()

    def clean(self):
        data = super().clean()
        batch, chosen = data.get("batch"), data.get("declarations") or []
        if batch and any(d.batch_id != batch.pk for d in chosen):
            self.add_error("declarations", _("所选申报须属于同一批次。"))
        return data


class ObjectionForm(forms.Form):
    declaration = forms.ModelChoiceField(label=_("异议对象"), queryset=Declaration.objects.none())
    real_name = forms.CharField(label=_("实名（姓名或单位名称）"), max_length=64)
    contact = forms.CharField(label=_("联系电话或邮箱"), max_length=64)
    facts = forms.CharField(
        label=_("异议事实与理由"), widget=forms.Textarea(attrs={"rows": 4}), min_length=10
    )
    evidence = forms.FileField(label=_("证据材料（可选）"), required=False)

    def __init__(self, *args, publicity, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["declaration"].queryset = publicity.declarations.select_related("organisation")
        self.fields["declaration"].label_from_instance = lambda d: str(d)

    def clean_evidence(self):
        evidence = self.cleaned_data.get("evidence")
        if evidence:
            uploads.validate_upload(evidence, max_bytes=settings.ATTACHMENT_MAX_BYTES)
        return evidence


class ObjectionLookupForm(forms.Form):
    """The objector finds its objection by the 受理编号 it was given and the contact it gave."""

    reference = forms.CharField(label=_("受理编号"), max_length=32)
    contact = forms.CharField(label=_("提交异议时填写的联系方式"), max_length=64)


class ClosePublicityForm(forms.Form):
    """Before the notice's term is over, ending it needs a reason; at term, nothing to fill in."""

    early_reason = forms.CharField(
        label=_("期满前结束的理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如：公示内容有误，需撤回后重新公示。理由记入公示和办理记录。"),
    )

    def __init__(self, *args, publicity, **kwargs):
        super().__init__(*args, **kwargs)
        if publicity.term_over():
            del self.fields["early_reason"]


class ObjectionHandlingForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("处理结果"), choices=[("uphold", _("异议成立")), ("dismiss", _("异议不成立"))]
    )
    note = forms.CharField(label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 2}))


class PublishListForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    document_number = forms.CharField(label=_("名单文号"), max_length=64)
    published_on = forms.DateField(label=_("发布日期"), widget=DateInput())
    units = forms.ModelMultipleChoiceField(
        label=_("列入本名单的单位"),
        queryset=ListedUnit.objects.filter(
            level=ListedUnit.Level.PROVINCIAL, publication__isnull=True
        ).select_related("organisation", "region"),
        widget=forms.CheckboxSelectMultiple,
    )


class MunicipalListForm(forms.Form):
    organisations = forms.ModelMultipleChoiceField(
        label=_("本市州的单位"), queryset=Organisation.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    product_name = forms.CharField(label=_("产品名称（绿色设计产品）"), max_length=128, required=False)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    document_number = forms.CharField(label=_("名单文号"), max_length=64)
    listed_on = forms.DateField(label=_("发布日期"), widget=DateInput())

    def __init__(self, *args, city, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.filter(region=city)


class NationalRecommendationForm(forms.Form):
    year = forms.IntegerField(label=_("推荐年度"), min_value=2000, max_value=2100)
    units = forms.ModelMultipleChoiceField(
        label=_("省级名单单位"),
        queryset=ListedUnit.objects.filter(level=ListedUnit.Level.PROVINCIAL)
        .exclude(review_status=ListedUnit.ReviewStatus.REMOVED)
        .select_related("organisation", "region"),
        widget=forms.CheckboxSelectMultiple,
    )


# 名单导入

FIRST_LIST_YEAR = 2016  # 绿色制造体系建设 began with 工信厅节函〔2016〕586号; no list is older
FROM_THE_FILE = [("", _("按表格标题或列识别"))]


class ListImportForm(forms.Form):
    """What the file may not say: which list it is. A table's own title or 类别/级别 column wins over the
    level and category chosen here; year, 文号 and date apply to every row."""

    file = forms.FileField(label=_("名单文件"))
    level = forms.ChoiceField(label=_("级别"), choices=FROM_THE_FILE + ListLevel.choices, required=False)
    category = forms.ChoiceField(label=_("类别"), choices=FROM_THE_FILE + Category.choices, required=False)
    default_region = forms.ModelChoiceField(
        label=_("默认市州"),
        queryset=Region.objects.all(),
        required=False,
        empty_label=_("无（只写湖北省或未写地区的行为“市州待定”）"),
        help_text=_("市州发布的名单可选本市州：表格中未写市州的行归入该市州。"),
    )
    year = forms.IntegerField(label=_("名单年度"), min_value=FIRST_LIST_YEAR)
    document_number = forms.CharField(
        label=_("文号"), max_length=64, required=False, help_text=_("例如：工信厅节函〔2023〕315号")
    )
    listed_on = forms.DateField(label=_("发布日期"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.attrs["max"] = timezone.localdate().year
        self.fields["file"].help_text = _(
            "接受 .xlsx、.xls（WPS 另存）、.csv、Word（.docx）和文字版 PDF，不超过 %(mb)d MB；一个文件可含多个名单表格。"
        ) % {"mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise ValidationError(_("名单年度不能晚于今年。"))
        return year

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        limit = settings.ATTACHMENT_MAX_BYTES
        if uploaded.size > limit or not uploaded.size:
            uploads.validate_upload(uploaded, max_bytes=limit)  # its message names the size or emptiness
        kind = published.kind_of(uploaded)
        if kind is None:
            raise ValidationError(
                _(
                    "文件“%(name)s”不是可读取的名单文件：请上传 .xlsx、.xls、.csv、.docx 或 PDF 格式。（按文件内容识别，与扩展名无关）"
                )
                % {"name": uploaded.name}
            )
        self.cleaned_data["kind"] = kind
        return uploaded


class AssignCitiesForm(forms.Form):
    """One city choice per unit whose list gave only the province; a unit left blank stays 市州待定."""

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {str(o.pk): o for o in organisations}
        for pk, organisation in self.organisations.items():
            self.fields[f"city-{pk}"] = forms.ModelChoiceField(
                label=organisation.name,
                queryset=Region.objects.all(),
                required=False,
                empty_label=_("市州待定"),
            )

    def assignments(self) -> dict:
        return {
            self.organisations[name.removeprefix("city-")]: region
            for name, region in self.cleaned_data.items()
            if region is not None
        }


class ImportTableForm(forms.Form):
    """The dry run's choice for one table of the file: what it is, when its title does not say."""

    kind = forms.ChoiceField(
        label=_("表格类型"),
        choices=[("list", _("名单")), ("rename", _("更名名单")), ("removal", _("撤销名单"))],
    )
    category = forms.ChoiceField(label=_("类别"), choices=[("", "—"), *Category.choices], required=False)
    level = forms.ChoiceField(label=_("级别"), choices=[("", "—"), *ListLevel.choices], required=False)
    default_region = forms.ModelChoiceField(
        label=_("默认市州"), queryset=Region.objects.all(), required=False, empty_label=_("市州待定")
    )

    def choices(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "category": data["category"],
            "level": data["level"],
            "default_region": data["default_region"].pk if data["default_region"] else "",
        }


# 认领


class RecordCreditCodeForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("本市州的未认领单位"), queryset=Organisation.objects.none())
    credit_code = forms.CharField(label=_("统一社会信用代码"))

    def __init__(self, *args, city, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Organisation.objects.filter(
            region=city, credit_code__isnull=True, merged_into__isnull=True
        )

    def clean_credit_code(self):
        code = normalise_credit_code(self.cleaned_data["credit_code"])
        validate_credit_code(code)
        return code


# Targets


_NOT_A_YEAR = _("年度须为 2000 至 2100 之间的整数。")


class YearForm(forms.Form):
    """The year a page or export is for (``?year=2025``); none given means the page's default."""

    year = forms.IntegerField(
        required=False,
        min_value=2000,
        max_value=2100,
        error_messages={"invalid": _NOT_A_YEAR, "min_value": _NOT_A_YEAR, "max_value": _NOT_A_YEAR},
    )

    @classmethod
    def chosen(cls, request, default) -> int:
        """The year asked for, else ``default``; a year that is not one is a 400 with the reason."""
        form = cls(request.GET)
        if not form.is_valid():
            raise BadRequest(_NOT_A_YEAR)
        return form.cleaned_data["year"] or default


class BatchChoiceForm(forms.Form):
    """Which batch a page shows (``?batch=<id>``; the latest when none is chosen)."""

    batch = forms.ModelChoiceField(queryset=Batch.objects.all(), required=False)

    @classmethod
    def chosen(cls, request, batches):
        form = cls(request.GET)
        if not form.is_valid():
            raise BadRequest(_("所选批次不存在。"))
        return form.cleaned_data["batch"] or batches.first()


class PlanChoiceForm(forms.Form):
    """Which plan's targets to show (the current one when none is chosen)."""

    plan = forms.ModelChoiceField(
        label=_("实施方案"), queryset=Plan.objects.all(), required=False, empty_label=None
    )

    def chosen(self):
        return (self.cleaned_data.get("plan") if self.is_valid() else None) or Plan.current()


# 三年一复核 and 动态管理表


class OnsiteReportForm(forms.Form):
    onsite_date = forms.DateField(label=_("现场复核日期"), widget=DateInput())
    findings = forms.CharField(label=_("复核情况"), widget=forms.Textarea(attrs={"rows": 4}))
    conclusion = forms.ChoiceField(label=_("复核结论"), choices=ReReviewCase.CityConclusion.choices)
    report = forms.FileField(label=_("复核报告"))

    def clean_report(self):
        report = self.cleaned_data["report"]
        uploads.validate_upload(report, max_bytes=settings.ATTACHMENT_MAX_BYTES)
        return report


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("复核决定"), choices=[("retain", _("保留")), ("remove", _("移出名单"))]
    )
    expert_opinion = forms.CharField(label=_("专家评审意见"), widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label=_("移出原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    without_scores_reason = forms.CharField(
        label=_("未待专家评分即决定的理由"),
        required=False,
        help_text=_("已分配的复核评审专家尚未全部提交评分时必填。"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RereviewExpertsForm(forms.Form):
    count = forms.IntegerField(label=_("评审专家人数"), min_value=1, max_value=15)
    other_cities_only = forms.BooleanField(
        label=_("专家须来自其他市州"), required=False, help_text=_("不得分配与该单位同一市州的专家")
    )


class RereviewConflictForm(forms.Form):
    reason = forms.CharField(label=_("回避原因"), max_length=255)


class AnnualReportForm(forms.ModelForm):
    energy_consumption = forms.DecimalField(
        label=_("综合能耗（吨标煤）"),
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text=_("填写下方分品种能源消费量时按 GB/T 2589-2020 自动计算。"),
    )

    class Meta:
        model = AnnualReport
        fields = ["year", "energy_consumption", "output_value", "emissions", "changes"]
        widgets = {
            "emissions": forms.Textarea(attrs={"rows": 3}),
            "changes": forms.Textarea(attrs={"rows": 3}),
        }


# 培育库


class CandidateForm(forms.ModelForm):
    """A candidate of one city: its organisations and its officials only."""

    planned_year = forms.IntegerField(label=_("计划申报年度"), min_value=2000, max_value=2100)

    class Meta:
        model = CultivationCandidate
        fields = ["organisation", "name", "credit_code", "category", "planned_year", "responsible", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        region = self.instance.region
        self.fields["organisation"].queryset = Organisation.objects.filter(region=region).order_by("name")
        self.fields["organisation"].empty_label = _("（尚未在平台注册）")
        self.fields["responsible"].queryset = User.objects.filter(
            city=region, groups__name=Role.CITY.value
        ).order_by("full_name", "username")

    def clean_credit_code(self):
        return normalise_credit_code(self.cleaned_data.get("credit_code"))

    def clean(self):
        data = super().clean()
        if data.get("organisation"):
            # The registered organisation is the source of the name and code; a stale copy would mislead matching.
            data["name"] = data["credit_code"] = ""
        self._refuse_duplicate(data)
        return data

    def _refuse_duplicate(self, data):
        organisation, code, name = data.get("organisation"), data.get("credit_code"), data.get("name")
        if data.get("status") == CultivationCandidate.Status.DROPPED:
            return
        if not data.get("category") or not (organisation or code or name):
            return
        same = Q(organisation=organisation) if organisation else Q(credit_code=code) if code else Q(name=name)
        if organisation:
            same |= Q(credit_code=organisation.credit_code) | Q(name=organisation.name)
        duplicate = (
            CultivationCandidate.objects.filter(
                same,
                region=self.instance.region,
                category=data["category"],
                status=CultivationCandidate.Status.CULTIVATING,
            )
            .exclude(pk=self.instance.pk)
            .exists()
        )
        if duplicate:
            self.add_error(None, _("该单位已在本市州培育库中培育该类别。"))


class CandidateEditForm(CandidateForm):
    """A candidate already in the pool: the city may also drop it (or take it up again)."""

    class Meta(CandidateForm.Meta):
        fields = [*CandidateForm.Meta.fields, "status"]
