from django.urls import reverse
from django.utils.translation import gettext as _

from applications.models import Declaration
from greenmfg.dashboard import Panel

from .models import Publicity, ReReviewCase


def _rereview_panel(cases, title):
    return Panel(
        title,
        "registry/_rereview_rows.html",
        list(cases[:50]),
        _("暂无。"),
        [(_("全部复核"), reverse("registry:rereviews"))],
        order=25,
    )


def panels(user):
    cases = ReReviewCase.objects.select_related("listed_unit__organisation", "listed_unit__region")
    if user.is_city_official:
        return [
            _rereview_panel(
                cases.filter(listed_unit__region_id=user.city_id, status="open"), _("待开展的三年复核")
            )
        ]
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
        _rereview_panel(cases.filter(status="city_reported"), _("待作出复核决定")),
    ]
