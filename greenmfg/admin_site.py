"""The admin site, in a module of its own: ``greenmfg.admin`` registers models on it and cannot define it."""

from django.contrib import admin
from django.utils.translation import gettext_lazy

from . import outbox


class PortalAdminSite(admin.AdminSite):
    site_header = gettext_lazy("湖北省绿色制造体系管理平台")
    index_template = "admin/portal_index.html"

    def index(self, request, extra_context=None):
        """The index shows how many e-mails wait and how many failed, so a stuck outbox is seen."""
        return super().index(request, {**(extra_context or {}), "outbox": outbox.counts()})
