from django.urls import reverse
from django.utils.translation import gettext as _

from applications.models import Declaration
from greenmfg.dashboard import Panel

from .models import Publicity


def panels(user):
    if not user.is_provincial:
        return []
    passed = Declaration.objects.for_lists().filter(state=Declaration.State.REVIEW_PASSED)
    return [
        Panel(
            _("评审通过、待公示"),
            "applications/_declaration_rows.html",
            list(passed[:50]),
            _("暂无待公示的申报。"),
            [(_("发布公示"), reverse("registry:publicity_create"))],
            order=20,
        ),
        Panel(
            _("公示中"),
            "registry/_publicity_rows.html",
            list(Publicity.objects.filter(closed_at__isnull=True)),
            _("暂无进行中的公示。"),
            [(_("导出名单"), reverse("registry:lists_export"))],
            order=30,
        ),
    ]
