"""The filters of 名单's list pages: the public lists (also behind their export and the open-data API) and the pool."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applications.models import Category
from greenmfg.identifiers import normalise_credit_code
from greenmfg.models import Region

from . import cultivation
from .models import CultivationCandidate, ListedUnit
from .permissions import may_view_every_pool


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


def public_units(params) -> ListedUnitFilter:
    """The public list filtered by ``params``: /lists/, its export and the API take their rows from here."""
    return ListedUnitFilter(params, queryset=ListedUnit.objects.public())


class CandidateFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("单位名称或信用代码"), method="by_name")
    region = django_filters.ModelChoiceFilter(
        label=_("市州"), queryset=Region.objects.all(), empty_label=_("全部市州")
    )
    category = django_filters.ChoiceFilter(
        label=_("培育类别"), choices=Category.choices, empty_label=_("全部类别")
    )
    planned_year = django_filters.NumberFilter(label=_("计划申报年度"))
    progress = django_filters.ChoiceFilter(
        label=_("进展"), choices=cultivation.PROGRESS_CHOICES, empty_label=_("全部进展")
    )
    status = django_filters.ChoiceFilter(
        label=_("培育状态"), choices=CultivationCandidate.Status.choices, empty_label=_("全部状态")
    )

    class Meta:
        model = CultivationCandidate
        fields = ["q", "region", "category", "planned_year", "progress", "status"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_view_every_pool(user):
            del self.filters["region"]

    def by_name(self, queryset, name, value):
        return queryset.filter(
            Q(organisation__name__icontains=value)
            | Q(name__icontains=value)
            | Q(credit_code=normalise_credit_code(value))
            | Q(organisation__credit_code=normalise_credit_code(value))
        )
