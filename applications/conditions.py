"""Conditions on declaration transitions. Each carries the Chinese message shown when it fails."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _


def condition(message):
    """Attach a message (a callable of the declaration) to a django-fsm condition."""

    def decorate(func):
        func.message = message
        return func

    return decorate


@condition(lambda d: _("请先勾选基本条件并作出材料真实性承诺。"))
def eligibility_attested(declaration) -> bool:
    return declaration.eligibility_attested and declaration.commitment_accepted_at is not None


@condition(lambda d: _("该单位处于“近三年不得申报”期内：%(reason)s") % {"reason": d.exclusion_in_force()})
def no_exclusion_in_force(declaration) -> bool:
    return declaration.exclusion_in_force() is None


@condition(lambda d: _("本批次该类别不要求第三方评价。"))
def third_party_required(declaration) -> bool:
    return declaration.batch.requires_third_party


@condition(lambda d: _("本批次该类别要求第三方评价，请先委托第三方评价机构并完成评价。"))
def third_party_done_or_not_required(declaration) -> bool:
    return declaration.state != "self_evaluated" or not declaration.batch.requires_third_party


@condition(
    lambda d: (
        _("已超过申报截止时间（%(deadline)s），无法提交。")
        % {"deadline": date_format(timezone.localtime(d.batch.submission_deadline), "Y年n月j日 H:i")}
    )
)
def before_submission_deadline(declaration) -> bool:
    return timezone.now() <= declaration.batch.submission_deadline


@condition(
    lambda d: (
        _("已超过市州推荐截止时间（%(deadline)s）。")
        % {"deadline": date_format(timezone.localtime(d.batch.recommendation_deadline), "Y年n月j日 H:i")}
    )
)
def before_recommendation_deadline(declaration) -> bool:
    return timezone.now() <= declaration.batch.recommendation_deadline
