"""The self-evaluation form: a year of raw data and answers per indicator, scored as the user fills it in (HTMX)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from greenmfg.permissions import require
from greenmfg.shortcuts import get_visible_or_404

from .. import annual, benchmarks, permissions, services
from ..answers import indicator_rows, parse_answers, year_labels
from ..models import Declaration
from ..scoring import Answer, score


def _context(declaration, answers, raw, errors=None):
    """Everything the page shows, computed from what is on the form (or stored): raw data → indicators → score."""
    setting = declaration.setting
    template = setting.template
    indicators = list(template.indicators.all())
    years = year_labels(template, declaration.batch.year)
    references = declaration.indicator_references()
    carriers = benchmarks.carriers(years)
    results = annual.compute(raw, carriers)
    answers = {pk: a for pk, a in answers.items() if pk not in {i.pk for i in indicators if i.formula}}
    answers.update(annual.computed_answers(indicators, results, years))
    result = score(template, indicators, answers, setting.effective_pass_mark, references)
    return {
        "declaration": declaration,
        "template": template,
        "rows": indicator_rows(indicators, answers, errors or {}, years, references),
        "years": years,
        "result": result,
        "editable": declaration.is_editable,
        "uses_raw_data": any(i.formula for i in indicators),
        "data_years": annual.years_on_form(raw, results, carriers),
        "figures": annual.figures(indicators, result, answers, results, years),
        "benchmark_table": declaration.scoring_table(),
        "raw_errors": annual.has_errors(results),
    }


def _visible(request, pk):
    return get_visible_or_404(
        permissions.visible_declarations, request.user, Declaration.objects.for_lists(), pk=pk
    )


def _posted(request, declaration):
    template = declaration.setting.template
    years = year_labels(template, declaration.batch.year)
    answers, errors = parse_answers(
        request.POST, template.indicators.all(), template.years_of_data, declaration.indicator_references()
    )
    return answers, errors, annual.raw_from_post(request.POST, years)


@login_required
def self_evaluation(request, pk):
    declaration = _visible(request, pk)
    can_edit = permissions.may_edit(request.user, declaration)
    if request.method == "POST":
        require(permissions.may_edit, request.user, declaration)
        answers, errors, raw = _posted(request, declaration)
        context = _context(declaration, answers, raw, errors)
        if errors or context["raw_errors"]:
            messages.error(request, _("有指标或运行数据填写有误，请检查标红的行。"))
            return render(request, "applications/self_evaluation.html", context)
        result = services.save_self_evaluation(declaration, user=request.user, answers=answers, raw=raw)
        if result.passed:
            messages.success(request, _("自评价已保存：%(total)s 分，达到要求。") % {"total": result.total})
        else:
            messages.warning(request, _("自评价已保存，但尚未达到要求，暂不能提交。"))
        return redirect("applications:self_evaluation", pk=pk)
    answers = {a.indicator_id: Answer(a.met, a.values) for a in declaration.answers.all()}
    years = year_labels(declaration.setting.template, declaration.batch.year)
    context = _context(declaration, answers, annual.stored_raw(declaration.annual_data.all(), years))
    context["editable"] = bool(can_edit)
    return render(request, "applications/self_evaluation.html", context)


@login_required
@require_POST
def self_evaluation_preview(request, pk):
    """The score of what is on the form now, not saved: HTMX swaps it (and the computed indicators) on every change."""
    declaration = _visible(request, pk)
    answers, errors, raw = _posted(request, declaration)
    return render(
        request, "applications/_self_evaluation_preview.html", _context(declaration, answers, raw, errors)
    )
