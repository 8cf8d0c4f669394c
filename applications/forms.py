from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Batch, Category, Declaration, Organisation


class DeclarationForm(forms.ModelForm):
    organisation = forms.ModelChoiceField(label=_("申报单位"), queryset=Organisation.objects.none())
    batch = forms.ModelChoiceField(label=_("申报批次"), queryset=Batch.objects.all())

    class Meta:
        model = Declaration
        fields = ["organisation", "batch", "category", "product_name", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = user.organisations.all()
        self.fields["organisation"].queryset = organisations
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0]
        self.fields["batch"].initial = Batch.objects.first()

    def clean(self):
        data = super().clean()
        organisation, category = data.get("organisation"), data.get("category")
        if category == Category.PRODUCT and not data.get("product_name"):
            self.add_error("product_name", _("绿色设计产品须填写产品名称。"))
        if organisation and category:
            park_only = category == Category.PARK
            if park_only != (organisation.kind == Organisation.Kind.PARK):
                self.add_error("category", _("绿色工业园区只能由园区管理机构申报，其他类别只能由企业申报。"))
        return data


class AttestationForm(forms.Form):
    eligible = forms.BooleanField(label=_("本单位满足该类别的基本条件，且近三年无不得申报情形"))
    truthful = forms.BooleanField(label=_("本单位承诺所提交材料真实、准确、完整，如有虚假愿承担相应责任"))


class OpinionForm(forms.Form):
    opinion = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
