from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from applications import uploads
from applications.models import Batch, Category, Declaration, Organisation

from .models import ListedUnit, Publicity
from .services import NOTICE_DEFAULTS


class PublicityForm(forms.Form):
    title = forms.CharField(label=_("公示标题"), max_length=200)
    batch = forms.ModelChoiceField(label=_("批次"), queryset=Batch.objects.all())
    length = forms.IntegerField(
        label=_("公示期长度"), min_value=1, max_value=60, required=False, help_text=_("留空则按批次设置")
    )
    day_kind = forms.ChoiceField(
        label=_("计算方式"), choices=[("", _("按批次设置")), *Publicity.DayKind.choices], required=False
    )
    declarations = forms.ModelMultipleChoiceField(
        label=_("评审通过的申报"),
        queryset=Declaration.objects.filter(state=Declaration.State.REVIEW_PASSED).select_related(
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
        for name, value in NOTICE_DEFAULTS.items():
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


class ObjectionHandlingForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("处理结果"), choices=[("uphold", _("异议成立")), ("dismiss", _("异议不成立"))]
    )
    note = forms.CharField(label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 2}))


class PublishListForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    document_number = forms.CharField(label=_("名单文号"), max_length=64)
    published_on = forms.DateField(label=_("发布日期"), widget=forms.DateInput(attrs={"type": "date"}))
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
    listed_on = forms.DateField(label=_("发布日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, city, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.filter(region=city)


class NationalRecommendationForm(forms.Form):
    year = forms.IntegerField(label=_("推荐年度"), min_value=2000, max_value=2100)
    units = forms.ModelMultipleChoiceField(
        label=_("省级名单单位"),
        queryset=ListedUnit.objects.filter(level=ListedUnit.Level.PROVINCIAL)
        .exclude(review_status="removed")
        .select_related("organisation", "region"),
        widget=forms.CheckboxSelectMultiple,
    )
