"""The admin site, in a module of its own: ``greenmfg.admin`` registers models on it and cannot define it."""

from django.contrib import admin
from django.utils.translation import gettext_lazy

from . import outbox


class AuditedAdmin:
    """Mirrors what the admin writes to its own log (add, change, delete) into the audit trail, which the admin's
    log is not: a superuser can delete ``LogEntry`` rows, not audit entries."""

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        _mirror(request, [entry], "admin_add")
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        _mirror(request, [entry], "admin_change")
        return entry

    def log_deletions(self, request, queryset):
        entries = super().log_deletions(request, queryset)
        _mirror(request, entries, "admin_delete")
        return entries


def _mirror(request, log_entries, action):
    from .models import AuditEntry

    AuditEntry.objects.bulk_create(
        AuditEntry(
            content_type_id=entry.content_type_id,
            object_id=int(entry.object_id) if str(entry.object_id).isdigit() else None,
            actor=request.user,
            action=action,
            opinion=f"{entry.object_repr}（{entry.object_id}）：{entry.get_change_message()}",
            address=request.META.get("REMOTE_ADDR", ""),
        )
        for entry in log_entries
    )


class PortalAdminSite(admin.AdminSite):
    site_header = gettext_lazy("湖北省绿色制造体系管理平台")
    index_template = "admin/portal_index.html"

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every model admin, ours and the installed apps', mirrors its changes into the audit trail."""
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdmin):
            admin_class = type(
                admin_class.__name__, (AuditedAdmin, admin_class), {"__module__": admin_class.__module__}
            )
        return super().register(model_or_iterable, admin_class, **options)

    def index(self, request, extra_context=None):
        """The index shows how many e-mails wait and how many failed, so a stuck outbox is seen."""
        return super().index(request, {**(extra_context or {}), "outbox": outbox.counts()})
