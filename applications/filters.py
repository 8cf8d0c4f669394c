import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Batch, Category, Declaration


class DeclarationFilter(django_filters.FilterSet):
    batch = django_filters.ModelChoiceFilter(
        label=_("批次"), queryset=Batch.objects.all(), empty_label=_("全部批次")
    )
    category = django_filters.ChoiceFilter(
        label=_("类别"), choices=Category.choices, empty_label=_("全部类别")
    )
    state = django_filters.ChoiceFilter(
        label=_("状态"), choices=Declaration.State.choices, empty_label=_("全部状态")
    )

    class Meta:
        model = Declaration
        fields = ["batch", "category", "state"]
