"""The expert's scoring sheet: each indicator of a template scored with a comment, the total computed by
``applications.scoring`` (never typed), and an overall opinion; submitting locks it.

Declarations (``reviews.experts``) and 三年一复核 cases (``registry.rereview_experts``) are scored on this one
sheet, so an expert meets the same page and the province puts the totals together the same way. The row scored
is an assignment with ``status`` (``Assignment.Status``), ``score``, ``comment``, ``submitted_at`` and
``answers`` (a ``models.IndicatorScore``).
"""

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.utils import timezone
from django.utils.translation import gettext as _

from applications.answers import indicator_rows, parse_answers
from applications.scoring import Answer, score
from greenmfg.refusals import Refused

from .models import Assignment

COMMENT_LENGTH = 255


@dataclass
class Sheet:
    """What an expert scores against: the template, its pass mark and 基准值, and the computed indicators'
    answers, which come from the raw data and are not the expert's to type."""

    template: object
    pass_mark: Decimal | None = None
    references: dict = field(default_factory=dict)  # indicator id → applications.scoring.Reference
    computed: dict = field(default_factory=dict)  # indicator id → Answer
    years: list = field(default_factory=list)  # the year labels of quantitative values

    @cached_property
    def indicators(self) -> list:
        return list(self.template.indicators.all())

    def total(self, answers: dict):
        return score(
            self.template, self.indicators, {**answers, **self.computed}, self.pass_mark, self.references
        )


def stored(row) -> tuple[dict, dict]:
    """(indicator id → Answer, indicator id → comment) as the expert left them."""
    rows = list(row.answers.all())
    return {a.indicator_id: Answer(a.met, a.values) for a in rows}, {a.indicator_id: a.comment for a in rows}


def from_post(sheet: Sheet, post) -> tuple[dict, dict, dict]:
    """(answers, comments, errors per indicator) from a submitted sheet."""
    answers, errors = parse_answers(post, sheet.indicators, sheet.template.years_of_data, sheet.references)
    comments = {
        i.pk: post.get(f"comment_{i.pk}", "").strip()[:COMMENT_LENGTH]
        for i in sheet.indicators
        if i.kind != "group"
    }
    return answers, comments, errors


def rows(sheet: Sheet, answers: dict, comments: dict, errors: dict | None = None):
    """The indicator rows of ``templates/reviews/_score_sheet.html``, each with the expert's comment."""
    out = indicator_rows(
        sheet.indicators, {**answers, **sheet.computed}, errors or {}, sheet.years, sheet.references
    )
    for row in out:
        row.comment = comments.get(row.indicator.pk, "")
    return out


def save(row, sheet: Sheet, *, answers: dict, comments: dict, comment: str, submit: bool):
    """Store the answers and comments on the locked ``row`` and its computed total; ``submit`` locks them.

    Called inside the caller's transaction, after its permission check.
    """
    if row.status != Assignment.Status.ACTIVE:
        raise Refused(_("评分已提交，不能修改。"))
    answers = {**answers, **sheet.computed}
    existing = {a.indicator_id: a for a in row.answers.all()}
    for indicator_id, answer in answers.items():
        item = existing.get(indicator_id) or row.answers.model(assignment=row, indicator_id=indicator_id)
        item.met, item.values = answer.met, answer.values
        item.comment = comments.get(indicator_id, "")[:COMMENT_LENGTH]
        item.save()
    row.score, row.comment = sheet.total(answers).total, comment.strip()
    if submit:
        # A computed indicator without data is not the expert's to answer: it scores as not met.
        unanswered = sum(
            1 for i in sheet.indicators if i.kind != "group" and not i.formula and i.pk not in answers
        )
        if unanswered:
            raise Refused(_("还有 %(n)d 项指标未评分。") % {"n": unanswered})
        if not row.comment:
            raise Refused(_("请填写总体评审意见。"))
        row.status, row.submitted_at = Assignment.Status.SUBMITTED, timezone.now()
    row.save()
    return row
