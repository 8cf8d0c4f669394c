"""The self-evaluation form: answers per indicator, with the score computed as the user fills it in (HTMX)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from greenmfg.permissions import require
from greenmfg.shortcuts import get_visible_or_404

from .. import permissions, services
from ..answers import indicator_rows, parse_answers, year_labels
from ..models import Declaration
from ..scoring import Answer, score


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


def _visible(request, pk):
    return get_visible_or_404(
        permissions.visible_declarations, request.user, Declaration.objects.for_lists(), pk=pk
    )


@login_required
def self_evaluation(request, pk):
    declaration = _visible(request, pk)
    can_edit = permissions.may_edit(request.user, declaration)
    template = declaration.setting.template
    if request.method == "POST":
        require(permissions.may_edit, request.user, declaration)
        answers, errors = parse_answers(request.POST, template.indicators.all(), template.years_of_data)
        if errors:
            messages.error(request, _("有指标的数值填写有误，请检查标红的行。"))
            return render(
                request, "applications/self_evaluation.html", _context(declaration, answers, errors)
            )
        result = services.save_self_evaluation(declaration, user=request.user, answers=answers)
        if result.passed:
            messages.success(request, _("自评价已保存：%(total)s 分，达到要求。") % {"total": result.total})
        else:
            messages.warning(request, _("自评价已保存，但尚未达到要求，暂不能提交。"))
        return redirect("applications:self_evaluation", pk=pk)
    answers = {a.indicator_id: Answer(a.met, a.values) for a in declaration.answers.all()}
    context = _context(declaration, answers)
    context["editable"] = bool(can_edit)
    return render(request, "applications/self_evaluation.html", context)


@login_required
@require_POST
def self_evaluation_preview(request, pk):
    """The score of what is on the form now, not saved: HTMX swaps it into the page on every change."""
    declaration = _visible(request, pk)
    template = declaration.setting.template
    answers, errors = parse_answers(request.POST, template.indicators.all(), template.years_of_data)
    return render(request, "applications/_score_summary.html", _context(declaration, answers, errors))
