import django_filters
from django.utils.translation import gettext_lazy as _

from applications.models import Category
from greenmfg.models import Region

from .models import Evaluator


class EvaluatorFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("机构名称"), field_name="name", lookup_expr="icontains")
    category = django_filters.ChoiceFilter(
        label=_("评价类别"), choices=Category.choices, method="with_category", empty_label=_("全部类别")
    )
    region = django_filters.ModelChoiceFilter(
        label=_("所在市州"), queryset=Region.objects.all(), empty_label=_("全部地区")
    )

    class Meta:
        model = Evaluator
        fields = ["q", "category", "region"]

    def with_category(self, queryset, name, value):
        # Categories are a JSON list; matching the quoted code works on SQLite and PostgreSQL alike.
        return queryset.filter(categories__icontains=f'"{value}"')
