from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .dashboard import panels_for
from .models import Notification


@login_required
def dashboard(request):
    return render(request, "dashboard.html", {"panels": panels_for(request.user)})


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
