from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .audit import ACTION_LABELS, audit_workbook
from .dashboard import rendered_panels
from .downloads import xlsx_response
from .filters import AuditEntryFilter
from .models import AuditEntry, Notification
from .permissions import allowed, may_view_audit


@login_required
def dashboard(request):
    return render(request, "dashboard.html", {"panels": rendered_panels(request)})


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    """The user's own notifications, newest first; a POST marks them all read."""
    mine = Notification.objects.filter(recipient=request.user)
    if request.method == "POST":
        marked = mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        if marked:
            messages.success(request, _("已将 %(n)d 条通知标为已读。") % {"n": marked})
        return redirect("notifications")
    page = Paginator(mine.prefetch_related("items"), 30).get_page(request.GET.get("page"))
    return render(request, "notifications.html", {"page": page})


@login_required
@require_GET
def notification(request, pk):
    """Open one notification: it is marked read and the user goes where they act. Only its recipient may."""
    notice = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if notice.read_at is None:
        Notification.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=timezone.now())
    safe = url_has_allowed_host_and_scheme(
        notice.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(notice.url if notice.url and safe else "notifications")


AUDIT_PAGE = 50
AUDIT_EXPORT_MAX = 100_000


class _Before(forms.Form):
    before = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)


def _audit_filter(request):
    return AuditEntryFilter(
        request.GET, queryset=AuditEntry.objects.select_related("actor", "content_type").order_by("-seq")
    )


@allowed(may_view_audit)
@require_GET
def audit_log(request):
    """The audit trail, newest first, filtered; pages by sequence number (keyset), so a page costs the same
    however far back it is."""
    found, before = _audit_filter(request), _Before(request.GET)
    if not (found.is_valid() and before.is_valid()):
        return render(
            request, "audit_log.html", {"filter": found, "entries": [], "invalid": True}, status=400
        )
    entries = found.qs
    if before.cleaned_data["before"]:
        entries = entries.filter(seq__lt=before.cleaned_data["before"])
    entries = list(entries[: AUDIT_PAGE + 1])
    for entry in entries:
        entry.action_label = ACTION_LABELS.get(entry.action, "")
    older = None
    if len(entries) > AUDIT_PAGE:
        entries = entries[:AUDIT_PAGE]
        query = request.GET.copy()
        query["before"] = entries[-1].seq
        older = query.urlencode()
    export = request.GET.copy()
    export.pop("before", None)
    return render(
        request,
        "audit_log.html",
        {"filter": found, "entries": entries, "older": older, "export_query": export.urlencode()},
    )


@allowed(may_view_audit)
@require_GET
def audit_export(request):
    """The filtered trail as xlsx (itself audited as an export, by ``xlsx_response``)."""
    found = _audit_filter(request)
    if not found.is_valid():
        return render(
            request, "audit_log.html", {"filter": found, "entries": [], "invalid": True}, status=400
        )
    entries = found.qs
    if entries.count() > AUDIT_EXPORT_MAX:
        messages.error(
            request, _("符合条件的记录超过 %(n)d 条，请缩小筛选范围后再导出。") % {"n": AUDIT_EXPORT_MAX}
        )
        return redirect(f"{reverse('audit_log')}?{request.GET.urlencode()}")
    filename = _("审计记录-%(at)s.xlsx") % {"at": timezone.localtime().strftime("%Y-%m-%d-%H%M")}
    return xlsx_response(audit_workbook(entries.iterator(chunk_size=2000)), filename)


def bad_request(request, exception):
    """400 for a parameter a page cannot use (``BadRequest`` raised with the reason in Chinese); other 400s
    (Django's own, e.g. a suspicious host) keep their details to the log."""
    reason = str(exception) if type(exception) is BadRequest else ""
    return render(request, "400.html", {"reason": reason}, status=400)
