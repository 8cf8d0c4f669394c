"""Conditions on declaration transitions. Each carries the Chinese message shown when it fails."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import workflow


def condition(message):
    """Attach a message (a callable of the declaration) to a django-fsm condition."""

    def decorate(func):
        func.message = message
        return func

    return decorate


def _missing_attestations(declaration):
    from .eligibility import missing_items

    return missing_items(declaration.category, declaration.attested_items)


@condition(
    lambda d: (
        _("请先确认以下基本条件：%(items)s") % {"items": _("；").join(_missing_attestations(d))}
        if _missing_attestations(d)
        else _("请先作出材料真实性承诺。")
    )
)
def eligibility_attested(declaration) -> bool:
    return not _missing_attestations(declaration) and declaration.commitments.exists()


@condition(lambda d: _("自评价未达到要求：%(items)s") % {"items": _("；").join(d.self_evaluation().failures)})
def self_evaluation_passed(declaration) -> bool:
    return declaration.self_evaluation().passed


@condition(lambda d: _("请上传必需的材料：%(slots)s") % {"slots": _("、").join(d.missing_required_slots())})
def required_attachments_uploaded(declaration) -> bool:
    return not declaration.missing_required_slots()


@condition(lambda d: _("该单位处于“近三年不得申报”期内：%(reason)s") % {"reason": d.exclusion_in_force()})
def no_exclusion_in_force(declaration) -> bool:
    return declaration.exclusion_in_force() is None


@condition(lambda d: _("本批次该类别不要求第三方评价。"))
def third_party_required(declaration) -> bool:
    return declaration.setting.requires_third_party


@condition(lambda d: _("本批次该类别要求第三方评价，请先委托第三方评价机构并完成评价。"))
def third_party_done_or_not_required(declaration) -> bool:
    return (
        declaration.state not in workflow.AWAITING_COMMISSION or not declaration.setting.requires_third_party
    )


@condition(
    lambda d: (
        _("已超过申报截止时间（%(deadline)s），无法提交。")
        % {"deadline": date_format(timezone.localtime(d.batch.submission_deadline), "DATETIME_FORMAT")}
    )
)
def before_submission_deadline(declaration) -> bool:
    return timezone.now() <= declaration.batch.submission_deadline


@condition(
    lambda d: (
        _("已超过市州推荐截止时间（%(deadline)s）。")
        % {"deadline": date_format(timezone.localtime(d.batch.recommendation_deadline), "DATETIME_FORMAT")}
    )
)
def before_recommendation_deadline(declaration) -> bool:
    return timezone.now() <= declaration.batch.recommendation_deadline
