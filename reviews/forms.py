from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Evaluator


class CommissionRequestForm(forms.Form):
    evaluator = forms.ModelChoiceField(
        label=_("第三方评价机构"), queryset=Evaluator.objects.filter(is_approved=True)
    )


class AcceptCommissionForm(forms.Form):
    independence_declaration = forms.CharField(
        label=_("独立性声明"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=_("本机构与申报单位不存在利益关系，未参与编写其自评价报告，将独立、客观、公正地开展评价。"),
    )


class EvaluationForm(forms.Form):
    score = forms.DecimalField(label=_("第三方评分"), min_value=0, max_value=100, decimal_places=2)
    conclusion = forms.CharField(label=_("评价结论"), widget=forms.Textarea(attrs={"rows": 4}))
