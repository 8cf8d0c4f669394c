"""名单's panels on the dashboard: what waits on this official, asked of the same predicates as the pages."""

from django.urls import reverse
from django.utils.translation import gettext as _

from applications import workflow
from applications.models import Declaration
from greenmfg.dashboard import Panel
from greenmfg.permissions import is_city_official, is_expert_user

from . import rereview_experts
from .models import Publicity, ReReviewCase
from .permissions import may_open_publicity


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
    if is_expert_user(user):
        return [
            Panel(
                _("分配给我的三年复核评审"),
                "registry/_rereview_assignment_rows.html",
                list(rereview_experts.assigned_to(user)[:50]),
                _("暂无分配给您的复核评审。"),
                order=15,
            )
        ]
    cases = ReReviewCase.objects.select_related("listed_unit__organisation", "listed_unit__region")
    if is_city_official(user):
        return [
            _rereview_panel(
                cases.filter(listed_unit__region_id=user.city_id, status=ReReviewCase.Status.OPEN),
                _("待开展的三年复核"),
            )
        ]
    if not may_open_publicity(user):
        return []
    passed = Declaration.objects.for_rows().filter(state__in=workflow.PASSED_REVIEW)
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
            list(Publicity.objects.filter(closed_at__isnull=True).with_pending_objections()),
            _("暂无进行中的公示。"),
            [(_("导出名单"), reverse("registry:lists_export"))],
            order=30,
        ),
        _rereview_panel(cases.filter(status=ReReviewCase.Status.CITY_REPORTED), _("待作出复核决定")),
    ]
