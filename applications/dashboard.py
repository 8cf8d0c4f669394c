from django.urls import reverse
from django.utils.translation import gettext as _

from greenmfg.dashboard import Panel
from greenmfg.permissions import is_applicant_user, is_city_official, is_provincial

from . import workflow
from .models import Batch, Declaration
from .permissions import visible_declarations


def panels(user):
    declarations = visible_declarations(user, Declaration.objects.for_rows())
    result = []
    if is_applicant_user(user):
        result.append(
            Panel(
                _("本单位的申报"),
                "applications/_declaration_rows.html",
                list(declarations[:20]),
                _("还没有申报。"),
                [(_("新建申报"), reverse("applications:create"))],
                order=10,
            )
        )
    if is_city_official(user):
        result.append(
            Panel(
                _("待初审（%(city)s）") % {"city": user.city},
                "applications/_declaration_rows.html",
                list(declarations.filter(state__in=workflow.AWAITING_CITY)[:50]),
                _("暂无待初审的申报。"),
                [(_("全部申报"), reverse("applications:list"))]
                + [
                    (
                        _("%(year)d年度推荐") % {"year": batch.year},
                        reverse("reviews:city_recommendation", args=[batch.pk]),
                    )
                    for batch in Batch.objects.order_by("-year")[:1]
                ],
                order=10,
            )
        )
    if is_provincial(user):
        result.append(
            Panel(
                _("待省级评审"),
                "applications/_declaration_rows.html",
                list(declarations.filter(state__in=workflow.IN_PROVINCIAL_REVIEW)[:50]),
                _("暂无待评审的申报。"),
                [(_("全部申报"), reverse("applications:list"))]
                + [
                    (label, reverse(name, args=[batch.pk]))
                    for batch in Batch.objects.order_by("-year")[:1]
                    for label, name in (
                        (_("分配专家"), "reviews:assign"),
                        (_("评审结论"), "reviews:decisions"),
                    )
                ],
                order=10,
            )
        )
    return result
