import django_filters
from django.utils.translation import gettext_lazy as _

from applications.models import Category
from greenmfg.models import Region

from .models import ListedUnit


class ListedUnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("单位名称"), field_name="organisation__name", lookup_expr="icontains"
    )
    region = django_filters.ModelChoiceFilter(
        label=_("地区"), queryset=Region.objects.all(), empty_label=_("全部地区")
    )
    category = django_filters.ChoiceFilter(
        label=_("类别"), choices=Category.choices, empty_label=_("全部类别")
    )
    level = django_filters.ChoiceFilter(
        label=_("级别"), choices=ListedUnit.Level.choices, empty_label=_("全部级别")
    )
    year = django_filters.NumberFilter(label=_("年度"))

    class Meta:
        model = ListedUnit
        fields = ["q", "region", "category", "level", "year"]
