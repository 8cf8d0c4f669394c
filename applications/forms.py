from django import forms
from django.conf import settings
from django.contrib.auth.forms import UserCreationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from greenmfg import uploads
from greenmfg.identifiers import normalise_credit_code, validate_credit_code
from greenmfg.models import Region, User
from greenmfg.widgets import DateInput, DateTimeInput

from . import eligibility
from .models import (
    Attachment,
    Batch,
    BatchCategory,
    Category,
    Declaration,
    Exclusion,
    Organisation,
    Policy,
)

COMMON_FIELDS = [
    "industry_code",
    "address",
    "nature",
    "registration_authority",
    "founded_on",
    "registered_capital",
    "legal_representative",
    "contact_name",
    "contact_phone",
    "contact_mobile",
    "contact_email",
    "summary",
    "prepared_by_organisation",
    "prepared_by_credit_code",
    "prepared_by_people",
]
CATEGORY_FIELDS = {
    Category.FACTORY: [],
    Category.PRODUCT: ["product_name", "product_model", "evaluation_standard"],
    Category.SUPPLY_CHAIN: ["supplier_count", "green_supplier_count", "supplier_management_system"],
    Category.PARK: ["park_level", "park_area", "park_boundary", "park_management_body"],
}
REQUIRED_FIELDS = {
    Category.FACTORY: [],
    Category.PRODUCT: ["product_name", "product_model", "evaluation_standard"],
    Category.SUPPLY_CHAIN: ["supplier_count", "supplier_management_system"],
    Category.PARK: ["park_level", "park_area", "park_boundary", "park_management_body"],
}
COMMITMENT_TEXT = _(
    "本单位承诺：所提交的申报材料及相关数据真实、准确、完整，如有虚假，愿承担相应责任，并接受近三年不得申报的处理。"
)


def category_fields(category) -> list[str]:
    return [*COMMON_FIELDS, *CATEGORY_FIELDS[category]]


class DeadlineField(forms.DateTimeField):
    """A deadline entered as a minute includes that minute: 23:59 accepts until 23:59:59.999999."""

    widget = DateTimeInput

    def to_python(self, value):
        moment = super().to_python(value)
        return moment.replace(second=59, microsecond=999999) if moment else moment


class DeclarationCreateForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("申报单位"), queryset=Organisation.objects.none())
    batch = forms.ModelChoiceField(label=_("申报批次"), queryset=Batch.objects.none())
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = user.organisations.all()
        self.fields["organisation"].queryset = organisations
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0]
        open_batches = Batch.objects.filter(submission_deadline__gte=timezone.now()).prefetch_related(
            "categories"
        )
        self.fields["batch"].queryset = open_batches
        self.fields["batch"].initial = open_batches.first()

    def clean(self):
        data = super().clean()
        organisation, category, batch = data.get("organisation"), data.get("category"), data.get("batch")
        if organisation and category:
            if (category == Category.PARK) != (organisation.kind == Organisation.Kind.PARK):
                self.add_error("category", _("绿色工业园区只能由园区管理机构申报，其他类别只能由企业申报。"))
        if batch and category and batch.setting_for(category) is None:
            self.add_error("category", _("所选批次不受理该类别。"))
        return data


class DeclarationDetailsForm(forms.ModelForm):
    """基本信息 plus the fields of the declaration's category."""

    class Meta:
        model = Declaration
        fields = [*COMMON_FIELDS, *(f for fields in CATEGORY_FIELDS.values() for f in fields)]
        widgets = {
            "founded_on": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "supplier_management_system": forms.Textarea(attrs={"rows": 3}),
            "park_boundary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        category = self.instance.category
        for name in list(self.fields):
            if name not in category_fields(category):
                del self.fields[name]
        for name in ["industry_code", "address", "legal_representative", "contact_name", "contact_mobile"]:
            self.fields[name].required = True
        for name in REQUIRED_FIELDS[category]:
            self.fields[name].required = True
        self.fields["industry_code"].widget.attrs["placeholder"] = "C3811"

    def clean_founded_on(self):
        founded_on = self.cleaned_data.get("founded_on")
        if founded_on and founded_on > timezone.localdate():
            raise forms.ValidationError(_("成立日期不能晚于今天。"))
        return founded_on

    def clean(self):
        data = super().clean()
        suppliers, green = data.get("supplier_count"), data.get("green_supplier_count")
        if suppliers is not None and green is not None and green > suppliers:
            self.add_error("green_supplier_count", _("绿色供应商数量不能多于供应商数量。"))
        return data


class EligibilityForm(forms.Form):
    """One checkbox per 基本条件 and self-declared exclusion item, and the 材料真实性承诺."""

    def __init__(self, *args, category, attested=(), committed=False, **kwargs):
        """``committed``: the commitment was already given, so it shows ticked and an untouched save keeps it."""
        super().__init__(*args, **kwargs)
        for code, label in eligibility.items_for(category):
            self.fields[f"item_{code}"] = forms.BooleanField(
                label=label, required=False, initial=code in attested
            )
        self.fields["commitment"] = forms.BooleanField(
            label=COMMITMENT_TEXT,
            initial=committed,
            error_messages={"required": _("请阅读并勾选材料真实性承诺。")},
        )
        self.category = category

    def clean(self):
        data = super().clean()
        missing = [
            label for code, label in eligibility.items_for(self.category) if not data.get(f"item_{code}")
        ]
        if missing:
            raise forms.ValidationError(
                _("以下条件未确认，不能申报：%(items)s") % {"items": _("；").join(str(m) for m in missing)}
            )
        return data

    def attested_codes(self):
        return [
            code
            for code, _label in eligibility.items_for(self.category)
            if self.cleaned_data.get(f"item_{code}")
        ]


class AttachmentForm(forms.Form):
    slot = forms.ChoiceField(label=_("材料类型"), choices=Attachment.Slot.choices)
    indicator = forms.ModelChoiceField(label=_("对应指标（佐证材料）"), queryset=None, required=False)
    file = forms.FileField(label=_("文件"), help_text=_("PDF、JPG、PNG、DOCX、XLSX"))

    def __init__(self, *args, declaration, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = declaration.setting.template.indicators.exclude(kind="group")
        limit = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        self.fields["file"].help_text = _("PDF、JPG、PNG、DOCX、XLSX，单个文件不超过 %(mb)d MB") % {
            "mb": limit
        }

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        self.kind = uploads.validate_upload(uploaded, max_bytes=settings.ATTACHMENT_MAX_BYTES)
        return uploaded

    def clean(self):
        data = super().clean()
        if data.get("slot") == Attachment.Slot.INDICATOR_EVIDENCE and not data.get("indicator"):
            self.add_error("indicator", _("指标佐证材料请选择对应的指标。"))
        return data


class InvitationForm(forms.Form):
    full_name = forms.CharField(label=_("姓名"), max_length=64)
    email = forms.EmailField(label=_("邮箱"))


class AcceptInvitationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ["username", "phone"]


class BatchForm(forms.ModelForm):
    class Meta:
        model = Batch
        fields = [
            "year",
            "title",
            "policy",
            "submission_deadline",
            "recommendation_deadline",
            "review_deadline",
            "publicity_deadline",
            "publicity_length",
            "publicity_day_kind",
            "evaluator_yearly_cap",
            "experts_per_declaration",
            "experts_from_other_cities",
        ]
        field_classes = {"submission_deadline": DeadlineField, "recommendation_deadline": DeadlineField}
        widgets = {
            "submission_deadline": DateTimeInput(),
            "recommendation_deadline": DateTimeInput(),
            "review_deadline": DateInput(),
            "publicity_deadline": DateInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].required = False

    def clean_policy(self):
        """Left empty, a batch runs under the policy in force today."""
        return self.cleaned_data["policy"] or Policy.in_force()


class BatchCategoryForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for (
            name,
            field,
        ) in self.fields.items():  # one row of a table: each control is named by its column header
            field.widget.attrs["aria-labelledby"] = f"column-{name}"

    def has_changed(self):
        """A row counts only once a category is chosen (the third-party box is ticked by default)."""
        return bool(self.data.get(self.add_prefix("category"))) or self.instance.pk is not None


BatchCategoryFormSet = forms.inlineformset_factory(
    Batch,
    BatchCategory,
    form=BatchCategoryForm,
    fields=["category", "requires_third_party", "pass_mark", "template"],
    extra=4,
    max_num=4,
    can_delete=True,
)


class DeadlineExtensionForm(forms.Form):
    DEADLINES = [("submission_deadline", _("申报截止")), ("recommendation_deadline", _("市州推荐截止"))]
    deadline = forms.ChoiceField(label=_("延长哪个截止时间"), choices=DEADLINES)
    new_value = DeadlineField(label=_("新的截止时间"))
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 2}))


class ExclusionForm(forms.ModelForm):
    class Meta:
        model = Exclusion
        fields = ["organisation", "reason", "source", "evidence", "starts_on", "ends_on"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def clean_evidence(self):
        evidence = self.cleaned_data.get("evidence")
        if evidence:
            uploads.validate_upload(evidence, max_bytes=settings.ATTACHMENT_MAX_BYTES)
        return evidence

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("截止日期不能早于起始日期。"))
        return data


class OpinionForm(forms.Form):
    opinion = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["opinion"].label = label


def declared_fields(declaration) -> list[tuple[str, str]]:
    """(label, shown value) of each field the declaration's category asks for, in form order."""
    rows = []
    for name in category_fields(declaration.category):
        value = getattr(declaration, name)
        display = getattr(declaration, f"get_{name}_display", None)
        shown = display() if display and value else value
        rows.append(
            (str(declaration._meta.get_field(name).verbose_name), "" if shown is None else str(shown))
        )
    return rows


class RegistrationForm(UserCreationForm):
    """A new enterprise or park registers itself and its first user, who becomes the organisation's admin."""

    organisation_name = forms.CharField(label=_("单位名称"), max_length=128)
    kind = forms.ChoiceField(label=_("单位类型"), choices=Organisation.Kind.choices)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, min_length=1)
    region = forms.ModelChoiceField(label=_("所在市州"), queryset=Region.objects.all())
    group_name = forms.CharField(label=_("所属集团（如有）"), max_length=128, required=False)

    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["credit_code"].max_length = None  # the validator names the wrong length itself
        self.fields["credit_code"].widget.attrs.pop("maxlength", None)
        self.fields["full_name"].required = True
        self.order_fields(
            [
                "organisation_name",
                "kind",
                "credit_code",
                "region",
                "group_name",
                "username",
                "full_name",
                "phone",
            ]
        )

    def clean_credit_code(self):
        code = normalise_credit_code(self.cleaned_data["credit_code"])
        validate_credit_code(code)
        if Organisation.objects.filter(credit_code=code).exists():
            raise forms.ValidationError(
                _("该统一社会信用代码已注册。如您是该单位员工，请联系本单位管理员邀请您加入。")
            )
        return code
