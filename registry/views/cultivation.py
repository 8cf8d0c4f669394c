"""培育库 pages: a city keeps its pool of candidates; the province watches every city's pool turn into lists."""

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.models import Category, Declaration, Organisation
from greenmfg.identifiers import normalise_credit_code
from greenmfg.models import Region, User
from greenmfg.roles import Role

from . import cultivation
from .models import CultivationCandidate

PAGE_SIZE = 50


class CandidateForm(forms.ModelForm):
    """A candidate of one city: its organisations and its officials only."""

    planned_year = forms.IntegerField(label=gettext_lazy("计划申报年度"), min_value=2000, max_value=2100)

    class Meta:
        model = CultivationCandidate
        fields = ["organisation", "name", "credit_code", "category", "planned_year", "responsible", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        region = self.instance.region
        self.fields["organisation"].queryset = Organisation.objects.filter(region=region).order_by("name")
        self.fields["organisation"].empty_label = gettext_lazy("（尚未在平台注册）")
        self.fields["responsible"].queryset = User.objects.filter(
            city=region, groups__name=Role.CITY.value
        ).order_by("full_name", "username")

    def clean_credit_code(self):
        return normalise_credit_code(self.cleaned_data.get("credit_code"))

    def clean(self):
        data = super().clean()
        if data.get("organisation"):
            # The registered organisation is the source of the name and code; a stale copy would mislead matching.
            data["name"] = data["credit_code"] = ""
        self._refuse_duplicate(data)
        return data

    def _refuse_duplicate(self, data):
        organisation, code, name = data.get("organisation"), data.get("credit_code"), data.get("name")
        if data.get("status") == CultivationCandidate.Status.DROPPED:
            return
        if not data.get("category") or not (organisation or code or name):
            return
        same = Q(organisation=organisation) if organisation else Q(credit_code=code) if code else Q(name=name)
        if organisation:
            same |= Q(credit_code=organisation.credit_code) | Q(name=organisation.name)
        duplicate = (
            CultivationCandidate.objects.filter(
                same,
                region=self.instance.region,
                category=data["category"],
                status=CultivationCandidate.Status.CULTIVATING,
            )
            .exclude(pk=self.instance.pk)
            .exists()
        )
        if duplicate:
            self.add_error(None, _("该单位已在本市州培育库中培育该类别。"))


class CandidateEditForm(CandidateForm):
    """A candidate already in the pool: the city may also drop it (or take it up again)."""

    class Meta(CandidateForm.Meta):
        fields = [*CandidateForm.Meta.fields, "status"]


class CandidateFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=gettext_lazy("单位名称或信用代码"), method="by_name")
    region = django_filters.ModelChoiceFilter(
        label=gettext_lazy("市州"), queryset=Region.objects.all(), empty_label=gettext_lazy("全部市州")
    )
    category = django_filters.ChoiceFilter(
        label=gettext_lazy("培育类别"), choices=Category.choices, empty_label=gettext_lazy("全部类别")
    )
    planned_year = django_filters.NumberFilter(label=gettext_lazy("计划申报年度"))
    progress = django_filters.ChoiceFilter(
        label=gettext_lazy("进展"), choices=cultivation.PROGRESS_CHOICES, empty_label=gettext_lazy("全部进展")
    )
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("培育状态"),
        choices=CultivationCandidate.Status.choices,
        empty_label=gettext_lazy("全部状态"),
    )

    class Meta:
        model = CultivationCandidate
        fields = ["q", "region", "category", "planned_year", "progress", "status"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not (user.is_provincial or user.has_role(Role.ADMIN)):
            del self.filters["region"]

    def by_name(self, queryset, name, value):
        return queryset.filter(
            Q(organisation__name__icontains=value)
            | Q(name__icontains=value)
            | Q(credit_code=normalise_credit_code(value))
            | Q(organisation__credit_code=normalise_credit_code(value))
        )


@login_required
def candidates(request):
    """The pool: a city's own (with the form to add to it), or every city's for the province, with the funnel."""
    user = request.user
    cultivation.require(cultivation.may_view_pool(user))
    form = None
    if request.method == "POST" or user.is_city_official:
        cultivation.require(cultivation.may_manage(user, user.city))
        form = CandidateForm(
            request.POST or None,
            instance=CultivationCandidate(region=user.city),
            initial={"responsible": user.pk, "planned_year": timezone.localdate().year + 1},
        )
        if request.method == "POST" and form.is_valid():
            candidate = cultivation.save_candidate(form, user)
            messages.success(request, _("已将“%(name)s”加入培育库。") % {"name": candidate.display_name})
            return redirect("registry:cultivation")
    filterset = CandidateFilter(
        request.GET, queryset=cultivation.with_progress(cultivation.visible_candidates(user)), user=user
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filterset": filterset,
        "form": form,
        "summary": cultivation.summary(filterset.qs),
        "state_labels": dict(Declaration.State.choices),
        "all_cities": "region" in filterset.filters,
    }
    return render(request, "registry/cultivation.html", context)


@login_required
def candidate(request, pk):
    """Edit one candidate of the city's own pool; dropping it is setting its status to 已放弃."""
    instance = get_object_or_404(CultivationCandidate.objects.select_related("region"), pk=pk)
    cultivation.require(cultivation.may_manage(request.user, instance.region))
    form = CandidateEditForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        cultivation.save_candidate(form, request.user)
        messages.success(request, _("培育对象已更新。"))
        return redirect("registry:cultivation")
    progress = cultivation.with_progress(CultivationCandidate.objects.filter(pk=pk)).get()
    context = {"form": form, "candidate": progress, "state_labels": dict(Declaration.State.choices)}
    return render(request, "registry/cultivation_form.html", context)
