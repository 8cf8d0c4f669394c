"""The self-evaluation form: answers per indicator, with the score computed as the user fills it in (HTMX)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions, services
from ..answers import indicator_rows, parse_answers, year_labels
from ..scoring import Answer, score
from . import get_visible_declaration


def _context(declaration, answers, errors=None):
    setting = declaration.setting
    template = setting.template
    indicators = list(template.indicators.all())
    years = year_labels(template, declaration.batch.year)
    return {
        "declaration": declaration,
        "template": template,
        "rows": indicator_rows(indicators, answers, errors or {}, years),
        "years": years,
        "result": score(template, indicators, answers, setting.effective_pass_mark),
        "editable": declaration.is_editable,
    }


@login_required
def self_evaluation(request, pk):
    declaration = get_visible_declaration(request.user, pk)
    can_edit = permissions.is_applicant(request.user, declaration) and declaration.is_editable
    template = declaration.setting.template
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("只有申报单位可以在草稿或退回状态下填写自评价。"))
        answers, errors = parse_answers(request.POST, template.indicators.all(), template.years_of_data)
        if errors:
            messages.error(request, _("有指标的数值填写有误，请检查标红的行。"))
            return render(
                request, "applications/self_evaluation.html", _context(declaration, answers, errors)
            )
        try:
            result = services.save_self_evaluation(declaration, user=request.user, answers=answers)
        except services.TransitionRefused as refusal:
            messages.error(request, str(refusal))
        else:
            if result.passed:
                messages.success(
                    request, _("自评价已保存：%(total)s 分，达到要求。") % {"total": result.total}
                )
            else:
                messages.warning(request, _("自评价已保存，但尚未达到要求，暂不能提交。"))
            return redirect("applications:self_evaluation", pk=pk)
    answers = {a.indicator_id: Answer(a.met, a.values) for a in declaration.answers.all()}
    context = _context(declaration, answers)
    context["editable"] = can_edit
    return render(request, "applications/self_evaluation.html", context)


@login_required
@require_POST
def self_evaluation_preview(request, pk):
    """The score of what is on the form now, not saved: HTMX swaps it into the page on every change."""
    declaration = get_visible_declaration(request.user, pk)
    template = declaration.setting.template
    answers, errors = parse_answers(request.POST, template.indicators.all(), template.years_of_data)
    return render(request, "applications/_score_summary.html", _context(declaration, answers, errors))
