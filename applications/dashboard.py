from django.urls import reverse
from django.utils.translation import gettext as _

from greenmfg.dashboard import Panel
from greenmfg.roles import Role

from .models import Batch, Declaration
from .permissions import visible_declarations

State = Declaration.State


def panels(user):
    declarations = visible_declarations(user, Declaration.objects.for_lists())
    result = []
    if user.has_role(Role.APPLICANT):
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
    if user.is_city_official:
        result.append(
            Panel(
                _("待初审（%(city)s）") % {"city": user.city},
                "applications/_declaration_rows.html",
                list(declarations.filter(state=State.CITY_REVIEW)[:50]),
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
    if user.is_provincial:
        result.append(
            Panel(
                _("待省级评审"),
                "applications/_declaration_rows.html",
                list(declarations.filter(state=State.PROVINCE_REVIEW)[:50]),
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
