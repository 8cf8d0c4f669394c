from django import forms
from django.conf import settings
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from applications.models import Category, Declaration
from greenmfg import uploads
from greenmfg.identifiers import normalise_credit_code, validate_credit_code
from greenmfg.models import Region, User
from greenmfg.passwords import require_strong
from greenmfg.widgets import DateInput, MetSelect

from .models import CityPreReview, Evaluator, Evidence, Expert, Interest, Project, StaffMember


class EvaluatorRegistrationForm(UserCreationForm):
    evaluator_name = forms.CharField(label=_("机构名称"), max_length=128)
    credit_code = forms.CharField(label=_("统一社会信用代码"))
    legal_representative = forms.CharField(label=_("法定代表人"), max_length=64)
    region = forms.ModelChoiceField(label=_("所在市州"), queryset=Region.objects.all(), required=False)

    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(
            ["evaluator_name", "credit_code", "legal_representative", "region", "username", "full_name"]
        )

    def clean(self):
        """Evaluator staff are held to the officials' password rule (greenmfg.passwords) from registration on."""
        cleaned = super().clean()
        if cleaned.get("password1"):
            try:
                require_strong(cleaned["password1"])
            except forms.ValidationError as weak:
                self.add_error("password1", weak)
        return cleaned

    def clean_credit_code(self):
        code = normalise_credit_code(self.cleaned_data["credit_code"])
        validate_credit_code(code)
        if Evaluator.objects.filter(credit_code=code).exists():
            raise forms.ValidationError(_("该机构已注册，请联系本机构已有账号的同事。"))
        return code


class EvaluatorProfileForm(forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label=_("评价业务类别"), choices=Category.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Evaluator
        fields = [
            "legal_representative",
            "region",
            "office_address",
            "contact_phone",
            "financial_statement",
            "categories",
            "cnca_approval_number",
        ]
        widgets = {"financial_statement": forms.Textarea(attrs={"rows": 3})}


class StaffMemberForm(forms.ModelForm):
    class Meta:
        model = StaffMember
        fields = ["name", "title", "field", "full_time"]


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["year", "client", "category", "description"]


class InterestForm(forms.ModelForm):
    class Meta:
        model = Interest
        fields = ["name", "credit_code", "description"]


class EvidenceForm(forms.Form):
    topic = forms.ChoiceField(label=_("证明事项"), choices=Evidence.Topic.choices)
    file = forms.FileField(label=_("文件"))

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        self.kind = uploads.validate_upload(uploaded, max_bytes=settings.ATTACHMENT_MAX_BYTES)
        return uploaded


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结论"), choices=[("approve", _("通过")), ("reject", _("不通过"))]
    )
    opinion = forms.CharField(label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 2}))


class BanForm(forms.Form):
    reason = forms.CharField(label=_("弄虚作假事实"), widget=forms.Textarea(attrs={"rows": 2}))
    starts_on = forms.DateField(label=_("禁入起始日期"), widget=DateInput())
    evidence = forms.FileField(label=_("证据材料"), required=False)

    def clean_evidence(self):
        evidence = self.cleaned_data.get("evidence")
        if evidence:
            uploads.validate_upload(evidence, max_bytes=settings.ATTACHMENT_MAX_BYTES)
        return evidence


class CommissionRequestForm(forms.Form):
    evaluator = forms.ModelChoiceField(
        label=_("第三方评价机构"),
        queryset=Evaluator.objects.approved(),
        error_messages={"invalid_choice": _("该机构尚未通过省经信厅审核或不在名录中，不能接受委托。")},
    )


class AcceptCommissionForm(forms.Form):
    independence_declaration = forms.CharField(
        label=_("独立性声明"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=_("本机构与申报单位不存在利害关系，未参与编写其自评价报告，将独立、客观、公正地开展评价。"),
    )


class EvaluationForm(forms.Form):
    onsite_date = forms.DateField(label=_("现场评价日期"), required=False, widget=DateInput())
    basic_requirements_met = forms.NullBooleanField(
        label=_("基本要求"),
        required=False,
        widget=MetSelect(),
    )
    highlights = forms.CharField(label=_("亮点（不超过100字）"), max_length=100, required=False)
    report = forms.FileField(label=_("评价报告"), required=False)
    commitment_accepted = forms.BooleanField(
        label=_("本机构承诺：评价工作独立、客观、公正，评价报告真实、准确，如有弄虚作假愿承担禁入等责任"),
        required=False,
    )

    def clean_report(self):
        report = self.cleaned_data.get("report")
        self.report_kind = None
        if report:
            self.report_kind = uploads.validate_upload(report, max_bytes=settings.ATTACHMENT_MAX_BYTES)
        return report


class CityReviewForm(forms.Form):
    checklist = forms.MultipleChoiceField(
        label=_("审核要点"), required=False, widget=forms.CheckboxSelectMultiple
    )
    checklist_note = forms.CharField(
        label=_("未勾选要点的说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("推荐前须勾选全部审核要点；某项确不适用时（如本批次不要求第三方评价），请在此写明理由。"),
    )
    onsite_notes = forms.CharField(
        label=_("现场核查情况"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    opinion = forms.CharField(label=_("初审意见"), widget=forms.Textarea(attrs={"rows": 3}))
    items_to_fix = forms.CharField(
        label=_("需修改的内容（退回时必填）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    decision = forms.ChoiceField(
        label=_("初审结论"), choices=CityPreReview.Decision.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, **kwargs):
        from .city import CHECKLIST

        super().__init__(*args, **kwargs)
        self.fields["checklist"].choices = CHECKLIST


class RecommendationForm(forms.Form):
    opinion = forms.CharField(
        label=_("推荐意见"),
        widget=forms.Textarea(attrs={"rows": 4}),
        initial=_("经初审和现场核查，以下单位符合湖北省绿色制造体系建设要求，同意推荐。"),
    )
    document_number = forms.CharField(
        label=_("文号"), max_length=64, required=False, help_text=_("推荐文件的文号，印在推荐意见 PDF 上")
    )


class ExpertForm(forms.Form):
    username = forms.CharField(label=_("登录用户名"), max_length=150)
    full_name = forms.CharField(label=_("姓名"), max_length=64)
    categories = forms.MultipleChoiceField(
        label=_("评审专业类别"), choices=Category.choices, widget=forms.CheckboxSelectMultiple
    )
    employer = forms.CharField(label=_("工作单位"), max_length=128)
    employer_credit_code = forms.CharField(label=_("工作单位信用代码"), max_length=18, required=False)
    region = forms.ModelChoiceField(label=_("所在市州"), queryset=Region.objects.all(), required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)
    email = forms.EmailField(label=_("邮箱"), required=False)

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username=username).exists():
            raise forms.ValidationError(_("该用户名已被使用。"))
        return username

    def clean_employer_credit_code(self):
        code = normalise_credit_code(self.cleaned_data.get("employer_credit_code"))
        if code:
            validate_credit_code(code)
        return code


class HandAssignmentForm(forms.Form):
    """One expert for one declaration of the batch, chosen on the assignment page."""

    declaration = forms.ModelChoiceField(queryset=Declaration.objects.none())
    expert = forms.ModelChoiceField(queryset=Expert.objects.all())

    def __init__(self, *args, batch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["declaration"].queryset = Declaration.objects.filter(batch=batch)


class DecisionBatchForm(forms.Form):
    outcome = forms.ChoiceField(label=_("评审结论"), choices=[("pass", _("通过")), ("fail", _("不通过"))])
    note = forms.CharField(label=_("会议纪要/评审意见"), widget=forms.Textarea(attrs={"rows": 3}))
    without_scores_reason = forms.CharField(
        label=_("未待专家评分全部提交即决定的理由（如适用）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
