from django import forms
from django.utils.translation import gettext_lazy as _

from applications.models import Declaration


class PublicityForm(forms.Form):
    title = forms.CharField(label=_("公示标题"), max_length=200)
    days = forms.IntegerField(label=_("公示天数（自然日）"), min_value=1, max_value=60, initial=8)
    declarations = forms.ModelMultipleChoiceField(
        label=_("评审通过的申报"),
        queryset=Declaration.objects.filter(state=Declaration.State.REVIEW_PASSED).select_related(
            "organisation"
        ),
        widget=forms.CheckboxSelectMultiple,
    )
