"""名单导入 pages: upload a published list, read and adjust its dry run, confirm it, revert it. Province only."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRefresh

from applications.models import Category, Organisation
from greenmfg.permissions import allowed
from greenmfg.refusals import refusal_as_form_error

from .. import imports, services
from ..forms import AssignCitiesForm, ImportTableForm, ListImportForm
from ..models import ListImport, ListLevel
from ..permissions import may_import_lists


def _expected_columns():
    """The explanation on the upload page, built from the header texts the parser really recognises."""
    explained = [
        (
            "name",
            _(
                "必填。按统一社会信用代码、单位名称（忽略括号全半角和空格）或曾用名匹配；未匹配的新建为未认领单位。"
            ),
        ),
        ("credit_code", _("可有可无。已发布的名单通常没有；有则用于匹配，全角字母数字会自动转换。")),
        (
            "region",
            _(
                "湖北省的17个市州之一，如“武汉市”“武汉”“恩施州”；只写“湖北省”或留空时用默认市州，否则为“市州待定”。"
            ),
        ),
        ("former_name", _("更名名单使用：原名称记为曾用名，单位改用新名称。")),
        ("product", _("仅绿色设计产品名单使用。")),
        ("model", _("仅绿色设计产品名单使用，接在产品名称后。")),
        ("category", _("混合类别的表格使用，逐行确定类别。")),
        ("level", _("混合级别的表格使用，逐行确定级别。")),
        ("number", _("可有可无，不导入。")),
    ]
    return [(_("、").join(imports.HEADERS[field]), text) for field, text in explained]


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


def _table_forms(list_import, data=None):
    return [
        ImportTableForm(
            data,
            prefix=f"t{table['index']}",
            initial={name: table.get(name, "") for name in ("kind", "category", "level", "default_region")},
        )
        for table in list_import.report.get("tables", [])
    ]


def _post(request, list_import):
    """Run what the official asked for; a refusal comes back to the page as a message (middleware)."""
    if "confirm" in request.POST:
        counts = imports.confirm(list_import, user=request.user)
        if counts is None:
            messages.success(request, _("已开始在后台导入，本页显示进度，导入完成后显示结果。"))
            return
        messages.success(
            request,
            _(
                "已导入名单记录%(listed)d条，新建单位%(organisations)d个，更名%(renamed)d个，"
                "撤销%(removed)d条；%(failed)d行未导入。"
            )
            % counts,
        )
    elif "revert" in request.POST:
        imports.revert(list_import, user=request.user)
        messages.success(request, _("已撤销该次导入。"))
    elif "choose" in request.POST:
        forms = _table_forms(list_import, request.POST)
        if all(form.is_valid() for form in forms):
            decisions = {
                row["seq"]: request.POST.get(f"decision-{row['seq']}", "")
                for row in list_import.report["rows"]
                if row.get("suggestion")
            }
            tables = {index: form.choices() for index, form in enumerate(forms)}
            imports.choose(list_import, user=request.user, tables=tables, decisions=decisions)
            messages.success(request, _("已按所选重新试导入。"))


@allowed(may_import_lists)
def import_report(request, pk):
    """GET: the dry run (or, once applied, the result). POST: choose, confirm or revert."""
    list_import = get_object_or_404(ListImport.objects.select_related("uploaded_by"), pk=pk)
    if request.method == "POST":
        _post(request, list_import)
        return redirect("registry:import_report", pk=list_import.pk)
    if request.htmx and not (list_import.is_reading or list_import.is_applying):
        return HttpResponseClientRefresh()  # the background reading or writing finished: show what it left
    report = list_import.report
    rows = report.get("rows", [])
    tables = []
    for table, form in zip(report.get("tables", []), _table_forms(list_import), strict=True):
        tables.append(
            {
                **table,
                "form": form,
                "rows": [row for row in rows if row["table"] == table["index"]],
                "category_label": Category(table["category"]).label if table["category"] else "",
                "level_label": ListLevel(table["level"]).label if table["level"] else "",
            }
        )
    totals = report.get("totals", {})
    return render(
        request,
        "registry/import_report.html",
        {
            "list_import": list_import,
            "totals": totals,
            "tables": tables,
            "result": report.get("result"),
            "can_choose": not list_import.applied_at and not list_import.is_applying,
            "can_confirm": not list_import.applied_at
            and not list_import.is_applying
            and totals.get("importable", 0) > 0,
            "rows_written": imports.applying_progress(list_import) if list_import.is_applying else 0,
        },
    )


PENDING_PAGE = 200


@allowed(may_import_lists)
def pending_cities(request):
    """市州待定: units imported from lists that gave only the province, for the province to place in bulk."""
    organisations = list(
        Organisation.objects.filter(region__isnull=True, merged_into__isnull=True)
        .prefetch_related("listings")
        .order_by("name")[:PENDING_PAGE]
    )
    form = AssignCitiesForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        n = services.assign_cities(form.assignments(), user=request.user)
        messages.success(request, _("已为%(n)d个单位确定所在市州。") % {"n": n})
        return redirect("registry:pending_cities")
    rows = [(organisation, form[f"city-{organisation.pk}"]) for organisation in organisations]
    return render(request, "registry/pending_cities.html", {"form": form, "rows": rows, "page": PENDING_PAGE})
