"""名单导入 pages: upload a published list, read its dry run, confirm it. Provincial officials only."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications import uploads
from applications.models import Category
from greenmfg.roles import require_provincial

from . import imports
from .models import ListImport, ListLevel

FIRST_LIST_YEAR = 2016  # 绿色制造体系建设 began with 工信厅节函〔2016〕586号; no list is older
IMPORTED_LEVELS = [ListLevel.NATIONAL, ListLevel.PROVINCIAL]


class ListImportForm(forms.Form):
    """What the sheet does not say: which list it is. Level, category, year, 文号 and date apply to every row."""

    file = forms.FileField(label=gettext_lazy("名单文件（.xlsx）"))
    level = forms.ChoiceField(
        label=gettext_lazy("级别"), choices=[(level.value, level.label) for level in IMPORTED_LEVELS]
    )
    category = forms.ChoiceField(label=gettext_lazy("类别"), choices=Category.choices)
    year = forms.IntegerField(label=gettext_lazy("名单年度"), min_value=FIRST_LIST_YEAR)
    document_number = forms.CharField(
        label=gettext_lazy("文号"),
        max_length=64,
        required=False,
        help_text=gettext_lazy("例如：工信厅节函〔2023〕315号"),
    )
    listed_on = forms.DateField(
        label=gettext_lazy("发布日期"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.attrs["max"] = timezone.localdate().year
        self.fields["file"].help_text = _("只接受 .xlsx 文件，不超过 %(mb)d MB。") % {
            "mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        }

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise ValidationError(_("名单年度不能晚于今年。"))
        return year

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        kind = uploads.validate_upload(uploaded, max_bytes=settings.ATTACHMENT_MAX_BYTES)
        if kind != "xlsx":
            raise ValidationError(
                _("文件“%(name)s”不是 Excel（.xlsx）文件，请上传 .xlsx 格式的名单。")
                % {"name": uploaded.name}
            )
        return uploaded


def _require_provincial(user):
    require_provincial(user, _("只有省经信厅可以导入名单。"))


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


@login_required
def import_upload(request):
    _require_provincial(request.user)
    form = ListImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            list_import = imports.create_import(user=request.user, **form.cleaned_data)
        except imports.ImportRefused as refusal:
            form.add_error("file", str(refusal))
        else:
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


@login_required
def import_report(request, pk):
    """GET: the dry run (or, once applied, the result). POST with ``confirm``: write it."""
    _require_provincial(request.user)
    list_import = get_object_or_404(ListImport.objects.select_related("uploaded_by"), pk=pk)
    if request.method == "POST":
        if "confirm" in request.POST:
            try:
                counts = imports.apply(list_import, user=request.user)
            except imports.ImportRefused as refusal:
                messages.error(request, str(refusal))
            else:
                messages.success(
                    request,
                    _("已导入名单记录%(listed)d条，新建单位%(organisations)d个；%(failed)d行未导入。")
                    % counts,
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
