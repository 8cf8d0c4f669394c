"""Forms for the account pages: the second factor and the 安全管理员's role assignment."""

from django import forms
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from .roles import Role


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("验证码"),
        max_length=16,
        help_text=_("身份验证器显示的 6 位数字，或一个 8 位备用码。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class RolesForm(forms.Form):
    roles = forms.ModelMultipleChoiceField(
        label=_("角色"),
        queryset=Group.objects.filter(name__in=Role.values).order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("三员分立：系统管理员、安全管理员、审计管理员三者只能任其一。"),
    )
