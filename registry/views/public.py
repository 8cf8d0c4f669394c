"""What anyone may read: the front page, the green lists with their export, and each listed unit's page."""

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import workflow
from applications.models import Category, Declaration
from greenmfg.downloads import private_file, xlsx_response
from greenmfg.generations import DECLARATIONS, EVALUATORS, LISTS, PUBLICITY
from greenmfg.public_cache import public_page
from reviews.models import Evaluator

from .. import background_exports, exports
from ..filters import public_units
from ..models import ListedUnit, ListExport, Publicity


@public_page(LISTS, PUBLICITY, EVALUATORS, DECLARATIONS)
def home(request):
    """The public portal's front page: the programme in numbers, the open notices, the way in."""
    listed = ListedUnit.objects.published().exclude(review_status=ListedUnit.ReviewStatus.REMOVED).order_by()
    by_category = dict(listed.values_list("category").annotate(n=Count("organisation", distinct=True)))
    by_level = dict(listed.values_list("level").annotate(n=Count("pk")))
    context = {
        "total_listed": listed.count(),
        "by_category": [(label, by_category.get(code, 0)) for code, label in Category.choices],
        "by_level": [(label, by_level.get(code, 0)) for code, label in ListedUnit.Level.choices],
        "open_notices": Publicity.objects.filter(closed_at__isnull=True).order_by("-starts_on")[:5],
        "evaluators": Evaluator.objects.approved().count(),
        "in_progress": Declaration.objects.filter(state__in=workflow.UNDER_WAY).count(),
    }
    return render(request, "home.html", context)


@public_page(LISTS)
def listed_units(request):
    filterset = public_units(request.GET)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render(request, "registry/list.html", {"page": page, "filterset": filterset})


@public_page(LISTS)
def listed_units_export(request):
    """The list as .xlsx, for anyone: exactly the rows the same query parameters show on /lists/. A long one is
    built in the background and this request goes to its progress page."""
    units = public_units(request.GET).qs
    export = background_exports.for_lists(request.GET, units)
    if export is not None:
        return redirect("registry:lists_export_status", pk=export.pk)
    filename = _("湖北省绿色制造名单-%(date)s.xlsx") % {"date": f"{timezone.localdate():%Y-%m-%d}"}
    return xlsx_response(exports.list_workbook(units.iterator(chunk_size=2000)), filename)


@public_page(LISTS)
def listed_unit(request, pk):
    unit = get_object_or_404(ListedUnit.objects.public(), pk=pk)
    others = (
        ListedUnit.objects.published()
        .filter(organisation=unit.organisation)
        .exclude(pk=unit.pk)
        .exclude(review_status=ListedUnit.ReviewStatus.REMOVED)
        .order_by("-year")
    )
    return render(request, "registry/unit.html", {"unit": unit, "others": others})


def listed_units_export_status(request, pk):
    """A background export's progress (the page asks again every two seconds), then its download link."""
    export = get_object_or_404(ListExport, pk=pk)
    return render(request, "registry/export_status.html", {"export": export})


def listed_units_export_download(request, pk):
    """The built file: the public lists, so anyone who may see /lists/ may download it (nobody needs to sign in)."""
    export = get_object_or_404(ListExport, pk=pk, status=ListExport.Status.DONE)
    if not export.file:
        raise Http404
    filename = _("湖北省绿色制造名单-%(date)s.xlsx") % {"date": f"{export.finished_at.astimezone():%Y-%m-%d}"}
    return private_file(export.file, subject=export, filename=filename)
