"""The audit viewer's filters: who, what, when, which object."""

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry


class AuditEntryFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(label=_("操作人（用户名或姓名）"), method="by_actor")
    action = django_filters.CharFilter(label=_("操作"), field_name="action", lookup_expr="iexact")
    since = django_filters.DateFilter(
        label=_("起始日期"),
        field_name="at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        label=_("截止日期"),
        field_name="at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    subject = django_filters.ModelChoiceFilter(
        label=_("对象类型"),
        field_name="content_type",
        queryset=ContentType.objects.order_by("app_label", "model"),
        empty_label=_("全部类型"),
    )
    object_id = django_filters.NumberFilter(label=_("对象编号"), min_value=0, max_value=2**63 - 1)

    class Meta:
        model = AuditEntry
        fields = ["actor", "action", "since", "until", "subject", "object_id"]

    def by_actor(self, queryset, name, value):
        return queryset.filter(Q(actor__username__iexact=value) | Q(actor__full_name__icontains=value))
