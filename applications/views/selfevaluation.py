"""The self-evaluation form: answers per indicator, with the score computed as the user fills it in (HTMX)."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions, services
from ..scoring import Answer, score
from . import get_visible_declaration


@dataclass
class Row:
    indicator: object
    depth: int
    answer: Answer | None
    error: str = ""
    inputs: tuple = ()  # (year label, input name, value) of a quantitative indicator

    @property
    def takes_values(self) -> bool:
        return self.indicator.kind == "quantitative" and self.indicator.benchmark is not None

    @property
    def is_group(self) -> bool:
        return self.indicator.kind == "group"


def _rows(indicators, answers):
    children = {}
    for indicator in indicators:
        children.setdefault(indicator.parent_id, []).append(indicator)
    rows = []

    def walk(parent_id, depth):
        for indicator in children.get(parent_id, []):
            rows.append(Row(indicator, depth, answers.get(indicator.pk)))
            walk(indicator.pk, depth + 1)

    walk(None, 0)
    return rows


def _parse(post, indicators, years):
    """Answers from the submitted form, and a message per indicator whose values are not numbers."""
    answers, errors = {}, {}
    for indicator in indicators:
        if indicator.kind == "group":
            continue
        if indicator.kind == "quantitative" and indicator.benchmark is not None:
            values = []
            for year in range(years):
                raw = (post.get(f"value_{indicator.pk}_{year}") or "").strip().replace(",", "")
                try:
                    values.append(str(Decimal(raw)) if raw else None)
                except InvalidOperation:
                    errors[indicator.pk] = _("“%(value)s”不是数字") % {"value": raw}
                    values.append(None)
            if any(v is not None for v in values):
                answers[indicator.pk] = Answer(None, values)
        else:
            raw = post.get(f"met_{indicator.pk}")
            if raw in ("1", "0"):
                answers[indicator.pk] = Answer(raw == "1", [])
    return answers, errors


def _context(declaration, answers, errors=None):
    setting = declaration.setting
    template = setting.template
    indicators = list(template.indicators.all())
    rows = _rows(indicators, answers)
    year_labels = [
        str(declaration.batch.year - template.years_of_data + i) for i in range(template.years_of_data)
    ]
    for row in rows:
        row.error = (errors or {}).get(row.indicator.pk, "")
        if row.takes_values:
            values = list(row.answer.values) if row.answer else []
            values += [None] * (len(year_labels) - len(values))
            row.inputs = tuple(
                (label, f"value_{row.indicator.pk}_{i}", "" if values[i] is None else values[i])
                for i, label in enumerate(year_labels)
            )
    return {
        "declaration": declaration,
        "template": template,
        "rows": rows,
        "years": year_labels,
        "result": score(template, indicators, answers, setting.effective_pass_mark),
        "editable": declaration.is_editable,
    }


@login_required
def self_evaluation(request, pk):
    declaration = get_visible_declaration(request.user, pk)
    can_edit = permissions.is_applicant(declaration, request.user) and declaration.is_editable
    template = declaration.setting.template
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("只有申报单位可以在草稿或退回状态下填写自评价。"))
        answers, errors = _parse(request.POST, template.indicators.all(), template.years_of_data)
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
    answers, errors = _parse(request.POST, template.indicators.all(), template.years_of_data)
    return render(request, "applications/_score_summary.html", _context(declaration, answers, errors))
