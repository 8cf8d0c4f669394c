from django.urls import reverse
from django.utils.translation import gettext as _

from applications import workflow
from greenmfg.dashboard import Panel
from greenmfg.permissions import is_applicant_user, is_city_official, is_evaluator_user, is_expert_user

from .models import Assignment, Commission, Evaluator
from .permissions import may_manage_evaluators


def panels(user):
    result = []
    if is_evaluator_user(user):
        mine = Commission.objects.filter(evaluator__staff_group__user=user).select_related(
            "declaration__organisation", "declaration__region", "evaluator__staff_group"
        )
        result += [
            Panel(
                _("待答复的委托"),
                "reviews/_commission_rows.html",
                list(mine.filter(status=Commission.Status.REQUESTED)[:50]),
                _("暂无新的委托。"),
                [(_("本机构"), reverse("reviews:mine"))],
                order=10,
            ),
            Panel(
                _("评价中的申报"),
                "reviews/_commission_rows.html",
                list(
                    mine.filter(
                        status=Commission.Status.ACCEPTED,
                        declaration__state__in=workflow.AWAITING_EVALUATOR,
                    )[:50]
                ),
                _("暂无评价中的申报。"),
                order=20,
            ),
        ]
    if is_expert_user(user):
        assigned = (
            Assignment.objects.filter(expert__user=user)
            .exclude(status=Assignment.Status.WITHDRAWN)
            .select_related("declaration__organisation", "declaration__region")
            .order_by("status", "-assigned_at")
        )
        result.append(
            Panel(
                _("分配给我的评审"),
                "reviews/_assignment_rows.html",
                list(assigned[:100]),
                _("暂无分配给您的评审任务。"),
                order=10,
            )
        )
    if may_manage_evaluators(user):
        waiting = Evaluator.objects.filter(status=Evaluator.Status.PENDING) | Evaluator.objects.exclude(
            flagged_reason=""
        )
        result.append(
            Panel(
                _("待审核或有预警的评价机构"),
                "reviews/_evaluator_rows.html",
                list(waiting.select_related("region")[:50]),
                _("暂无。"),
                [(_("评价机构管理"), reverse("reviews:admin"))],
                order=40,
            )
        )
    flagged = Commission.objects.exclude(flagged_reason="").select_related(
        "declaration__organisation", "declaration__region", "evaluator"
    )
    if is_city_official(user):
        flagged = flagged.filter(declaration__region_id=user.city_id)
    elif is_applicant_user(user):
        flagged = flagged.filter(declaration__organisation__members=user)
    else:
        flagged = flagged.none()
    items = list(flagged[:50])
    if items:
        result.append(Panel(_("需要重新委托的申报"), "reviews/_commission_rows.html", items, order=5))
    return result
