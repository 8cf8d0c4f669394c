"""名单导入 pages: upload a published list, read its dry run, confirm it. Provincial officials only."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from applications.models import Category
from greenmfg.permissions import allowed
from greenmfg.refusals import refusal_as_form_error

from .. import imports
from ..forms import ListImportForm
from ..models import ListImport
from ..permissions import may_import_lists


def _expected_columns():
    """The explanation on the upload page, built from the header texts the parser really recognises."""
    explained = [
        ("name", _("必填。按统一社会信用代码、其次按单位名称匹配系统中已有的单位。")),
        ("credit_code", _("未匹配到的单位凭有效代码新建；全角字母数字会自动转换。")),
        (
            "region",
            _("湖北省的17个市州之一，如“武汉市”“武汉”“恩施州”；只写“湖北省”或留空时，仅已有单位可导入。"),
        ),
        ("product", _("仅绿色设计产品名单使用。")),
        ("model", _("仅绿色设计产品名单使用，接在产品名称后。")),
        ("number", _("可有可无，不导入。")),
    ]
    return [("、".join(imports.HEADERS[field]), text) for field, text in explained]


@allowed(may_import_lists)
def import_upload(request):
    form = ListImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with refusal_as_form_error(form, "file"):
            list_import = imports.create_import(user=request.user, **form.cleaned_data)
            return redirect("registry:import_report", pk=list_import.pk)
    return render(
        request,
        "registry/import_upload.html",
        {
            "form": form,
            "columns": _expected_columns(),
            "recent": ListImport.objects.select_related("uploaded_by")[:10],
        },
    )


@allowed(may_import_lists)
def import_report(request, pk):
    """GET: the dry run (or, once applied, the result). POST with ``confirm``: write it (a refusal comes back
    to this page as a message)."""
    list_import = get_object_or_404(ListImport.objects.select_related("uploaded_by"), pk=pk)
    if request.method == "POST":
        if "confirm" in request.POST:
            counts = imports.apply(list_import, user=request.user)
            messages.success(
                request,
                _("已导入名单记录%(listed)d条，新建单位%(organisations)d个；%(failed)d行未导入。") % counts,
            )
        return redirect("registry:import_report", pk=list_import.pk)
    report = list_import.report
    return render(
        request,
        "registry/import_report.html",
        {
            "list_import": list_import,
            "totals": report.get("totals", {}),
            "rows": report.get("rows", []),
            "result": report.get("result"),
            "columns": report.get("columns", {}),
            "is_product_list": list_import.category == Category.PRODUCT,
            "can_confirm": not list_import.applied_at and report.get("totals", {}).get("importable", 0) > 0,
        },
    )
