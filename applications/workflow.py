"""The declaration's states and what they mean, in one place.

Every module, template and benchmark asks these groups rather than listing states again; a test fails when a
state is added without being placed in a phase and in the "furthest reached" order.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SELF_EVALUATED = "self_evaluated", _("自评完成")
    UNDER_EVALUATION = "under_evaluation", _("第三方评价中")
    EVALUATED = "evaluated", _("评价完成")
    CITY_REVIEW = "city_review", _("市州初审")
    RETURNED = "returned", _("退回修改")
    NOT_RECOMMENDED = "not_recommended", _("未推荐")
    PROVINCE_REVIEW = "province_review", _("省级评审")
    REVIEW_PASSED = "review_passed", _("评审通过")
    IN_PUBLICITY = "in_publicity", _("公示中")
    LISTED = "listed", _("已入选")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


# The four phases: every state is in exactly one.
PREPARING = frozenset({State.DRAFT, State.SELF_EVALUATED, State.UNDER_EVALUATION, State.EVALUATED})
AT_CITY = frozenset({State.CITY_REVIEW, State.RETURNED})
AT_PROVINCE = frozenset({State.PROVINCE_REVIEW, State.REVIEW_PASSED, State.IN_PUBLICITY})
CLOSED = frozenset({State.LISTED, State.REJECTED, State.WITHDRAWN, State.NOT_RECOMMENDED})
PHASES = (PREPARING, AT_CITY, AT_PROVINCE, CLOSED)

# Groups named for what the pages and rules ask.
EDITABLE_BY_APPLICANT = frozenset({State.DRAFT, State.RETURNED})
"""The applicant may change its information, self-evaluation and files."""
WITHDRAWABLE = PREPARING | AT_CITY
"""Until the city recommends it, the applicant may withdraw its declaration."""
AWAITING_APPLICANT = EDITABLE_BY_APPLICANT | {State.SELF_EVALUATED, State.EVALUATED}
"""The next step is the applicant's (deadline reminders go to these)."""
AWAITING_COMMISSION = frozenset({State.SELF_EVALUATED})
"""Self-evaluated: where the batch requires a third-party evaluation, the applicant commissions an evaluator."""
AWAITING_EVALUATOR = frozenset({State.UNDER_EVALUATION})
AWAITING_CITY = frozenset({State.CITY_REVIEW})
IN_PROVINCIAL_REVIEW = frozenset({State.PROVINCE_REVIEW})
PASSED_REVIEW = frozenset({State.REVIEW_PASSED})
IN_PUBLICITY = frozenset({State.IN_PUBLICITY})
RECOMMENDED = AT_PROVINCE | {State.LISTED}
"""Recommended by the city and still standing: counts against the targets as this batch's recommendations."""
LISTED = frozenset({State.LISTED})
UNDER_WAY = frozenset(State) - CLOSED - {State.DRAFT}
"""Submitted and not yet closed: what the home page counts as in progress."""

# How far a declaration got, furthest first. At the same depth a live declaration ranks above one that ended
# there (under provincial review above rejected at that stage); a withdrawn one ranks last.
FURTHEST_FIRST = (
    State.LISTED,
    State.IN_PUBLICITY,
    State.REVIEW_PASSED,
    State.PROVINCE_REVIEW,
    State.REJECTED,
    State.CITY_REVIEW,
    State.RETURNED,
    State.NOT_RECOMMENDED,
    State.EVALUATED,
    State.UNDER_EVALUATION,
    State.SELF_EVALUATED,
    State.DRAFT,
    State.WITHDRAWN,
)

# The usual road from a draft to the list, each state the one before it led to.
MAIN_ROAD = (
    State.DRAFT,
    State.SELF_EVALUATED,
    State.UNDER_EVALUATION,
    State.EVALUATED,
    State.CITY_REVIEW,
    State.PROVINCE_REVIEW,
    State.REVIEW_PASSED,
    State.IN_PUBLICITY,
    State.LISTED,
)
