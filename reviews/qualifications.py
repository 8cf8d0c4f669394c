"""附件2's qualification conditions, computed from what the evaluator declared (never ticked by hand)."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from applications.models import Category, Policy

from .models import StaffMember

INTERMEDIATE_OR_ABOVE = {
    StaffMember.Title.INTERMEDIATE,
    StaffMember.Title.ASSOCIATE_SENIOR,
    StaffMember.Title.SENIOR,
}
SENIOR = {StaffMember.Title.ASSOCIATE_SENIOR, StaffMember.Title.SENIOR}
SENIOR_FIELDS = {
    StaffMember.Field.ENERGY,
    StaffMember.Field.ENVIRONMENT,
    StaffMember.Field.ECOLOGY,
    StaffMember.Field.LOW_CARBON,
    StaffMember.Field.LIFE_CYCLE,
}


@dataclass(frozen=True)
class Fact:
    label: str
    met: bool
    detail: str


def facts(evaluator, roster=None, projects=None, *, this_year: int, policy) -> list[Fact]:
    """Each condition of 附件2, with the numbers of ``policy`` (a ``Policy``), whether it is met and why.

    Pass prefetched lists to avoid queries.
    """
    roster = list(evaluator.roster.all() if roster is None else roster)
    projects = list(evaluator.projects.all() if projects is None else projects)
    qualified = [s for s in roster if s.full_time and s.title in INTERMEDIATE_OR_ABOVE]
    senior = [s for s in qualified if s.title in SENIOR and s.field in SENIOR_FIELDS]
    recent = [p for p in projects if p.year >= policy.earliest_project_year(this_year)]
    result = [
        Fact(str(_("独立法人资格")), bool(evaluator.credit_code), evaluator.credit_code),
        Fact(str(_("固定办公场所")), bool(evaluator.office_address), evaluator.office_address or _("未填写")),
        Fact(
            str(_("财务制度健全")),
            bool(evaluator.financial_statement.strip()),
            _("已说明") if evaluator.financial_statement.strip() else _("未填写"),
        ),
        Fact(
            _("专职中级及以上职称人员不少于%(min)d人") % {"min": policy.evaluator_min_qualified_staff},
            len(qualified) >= policy.evaluator_min_qualified_staff,
            _("%(n)d 人（要求不少于 %(min)d 人）")
            % {"n": len(qualified), "min": policy.evaluator_min_qualified_staff},
        ),
        Fact(
            _("其中节能、环境、生态、低碳或生命周期评价领域高级职称不少于%(min)d人")
            % {"min": policy.evaluator_min_senior_staff},
            len(senior) >= policy.evaluator_min_senior_staff,
            _("%(n)d 人（要求不少于 %(min)d 人）")
            % {"n": len(senior), "min": policy.evaluator_min_senior_staff},
        ),
        Fact(
            _("具备评价业务能力，近%(years)d年有相关业绩") % {"years": policy.evaluator_project_window_years},
            bool(evaluator.categories) and bool(recent),
            _("%(n)d 项近%(years)d年业绩")
            % {"n": len(recent), "years": policy.evaluator_project_window_years},
        ),
    ]
    if Category.PRODUCT in evaluator.categories:
        result.append(
            Fact(
                str(_("绿色产品认证机构经认监委批准")),
                bool(evaluator.cnca_approval_number),
                evaluator.cnca_approval_number or _("未填写批准号"),
            )
        )
    return result


def unmet(evaluator, *, this_year: int) -> list[str]:
    policy = Policy.in_force()
    return [fact.label for fact in facts(evaluator, this_year=this_year, policy=policy) if not fact.met]
