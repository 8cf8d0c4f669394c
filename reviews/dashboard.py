from django.utils.translation import gettext as _

from applications.models import Declaration
from greenmfg.dashboard import Panel
from greenmfg.roles import Role

from .models import Commission


def panels(user):
    if not user.has_role(Role.EVALUATOR):
        return []
    mine = Commission.objects.filter(evaluator__staff_group__user=user).select_related(
        "declaration__organisation", "declaration__region", "evaluator"
    )
    return [
        Panel(
            _("待接受的委托"),
            "reviews/_commission_rows.html",
            list(mine.filter(status=Commission.Status.REQUESTED)[:50]),
            _("暂无新的委托。"),
            order=10,
        ),
        Panel(
            _("评价中的申报"),
            "reviews/_commission_rows.html",
            list(
                mine.filter(
                    status=Commission.Status.ACCEPTED,
                    declaration__state=Declaration.State.UNDER_EVALUATION,
                )[:50]
            ),
            _("暂无评价中的申报。"),
            order=20,
        ),
    ]
