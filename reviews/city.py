"""市州初审 and the city's recommendation to the province."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications import eligibility, workflow
from applications.models import Declaration
from applications.permissions import is_city_official_of, may_city_review
from applications.services import transition
from greenmfg.models import AuditEntry
from greenmfg.permissions import refuse_unless
from greenmfg.refusals import Refused

from .models import CityPreReview, CityRecommendation
from .permissions import may_recommend

CHECKLIST = [
    ("basic_info", gettext_lazy("基本信息完整、准确")),
    ("eligibility", gettext_lazy("符合该类别基本条件")),
    ("no_exclusion", gettext_lazy("近三年无不得申报情形（已核查信用、安全、环保记录）")),
    ("attachments", gettext_lazy("申报材料齐全、真实")),
    ("third_party", gettext_lazy("第三方评价报告规范、结论明确")),
    ("onsite", gettext_lazy("已开展现场核查")),
]


@dataclass(frozen=True)
class Readiness:
    """What the city official checks on one screen before deciding."""

    missing_items: list
    exclusion: object
    missing_slots: list


def readiness(declaration) -> Readiness:
    return Readiness(
        eligibility.missing_items(declaration.category, declaration.attested_items),
        declaration.exclusion_in_force(),
        declaration.missing_required_slots(),
    )


def recommendation_for(batch, region):
    return CityRecommendation.objects.filter(batch=batch, region=region).first()


def _refuse_when_locked(declaration):
    if recommendation_for(declaration.batch, declaration.region):
        raise Refused(_("本市州的推荐已报送省经信厅，初审结论已锁定。"))
    if timezone.now() > declaration.batch.recommendation_deadline:
        raise Refused(
            _("已超过市州推荐截止时间（%(deadline)s），初审结论已锁定。")
            % {
                "deadline": date_format(
                    timezone.localtime(declaration.batch.recommendation_deadline), "Y年n月j日 H:i"
                )
            }
        )


def record_review(
    declaration, *, user, decision, opinion, checklist=(), checklist_note="", onsite_notes="", items_to_fix=""
):
    """Record the 初审. Returning and not recommending take effect now; recommending waits for the city's
    recommendation as a whole, which the official ranks and submits before the deadline.

    A recommendation needs every 审核要点 ticked, or the city's reason why an unticked one does not apply."""
    refuse_unless(is_city_official_of, user, declaration)
    if not (opinion or "").strip():
        raise Refused(_("请填写初审意见。"))
    unticked = [label for code, label in CHECKLIST if code not in checklist]
    if decision == CityPreReview.Decision.RECOMMEND and unticked and not (checklist_note or "").strip():
        raise Refused(
            _(
                "推荐前须勾选全部审核要点，尚未勾选：%(items)s。如某项确不适用，请在“未勾选要点的说明”中写明理由。"
            )
            % {"items": "、".join(str(label) for label in unticked)}
        )
    if decision == CityPreReview.Decision.RETURN and not (items_to_fix or "").strip():
        raise Refused(_("退回修改时请写明需修改的内容。"))
    with transaction.atomic():
        locked = (
            Declaration.objects.select_for_update(of=("self",)).select_related("batch").get(pk=declaration.pk)
        )
        refuse_unless(may_city_review, user, locked)
        _refuse_when_locked(locked)
        review, _created = CityPreReview.objects.update_or_create(
            declaration=locked,
            defaults={
                "reviewer": user,
                "decision": decision,
                "opinion": opinion,
                "checklist": list(checklist),
                "checklist_note": checklist_note,
                "onsite_notes": onsite_notes,
                "items_to_fix": items_to_fix,
            },
        )
        if decision == CityPreReview.Decision.RETURN:
            transition(
                locked.pk, "return_for_revision", user=user, opinion=f"{opinion}\n{items_to_fix}".strip()
            )
            review.delete()  # the resubmission gets a fresh review
        elif decision == CityPreReview.Decision.NOT_RECOMMEND:
            transition(locked.pk, "not_recommend", user=user, opinion=opinion)
        else:
            AuditEntry.record(locked, actor=user, action="city_review", opinion=opinion)
    return review


def recommended(batch, region):
    """The declarations the city decided to recommend in this batch, in rank order."""
    return (
        Declaration.objects.filter(
            batch=batch,
            region=region,
            state__in=workflow.AWAITING_CITY,
            city_review__decision=CityPreReview.Decision.RECOMMEND,
        )
        .select_related("organisation", "city_review")
        .order_by("city_review__rank", "pk")
    )


def rank(batch, region, *, user, order: list[int]):
    """Set the ranking of the recommended declarations (a list of their ids, first = rank 1)."""
    refuse_unless(may_recommend, user, region)
    with transaction.atomic():
        if recommendation_for(batch, region):
            raise Refused(_("本市州的推荐已报送，不能再调整排序。"))
        reviews = {
            r.declaration_id: r
            for r in CityPreReview.objects.filter(declaration__in=recommended(batch, region))
        }
        if set(order) - set(reviews):
            raise Refused(_("排序只能包含本市州拟推荐的申报。"))
        if len(order) != len(set(order)) or set(order) != set(reviews):
            raise Refused(_duplicate_refusal(order, reviews))
        for position, declaration_id in enumerate(order, start=1):
            reviews[declaration_id].rank = position
        CityPreReview.objects.bulk_update(reviews.values(), ["rank"])


def _duplicate_refusal(order, reviews) -> str:
    """Which declaration was chosen for more than one place, at which places, and which got none."""
    names = {d.pk: str(d) for d in Declaration.objects.filter(pk__in=reviews).select_related("organisation")}
    places = {}
    for position, declaration_id in enumerate(order, start=1):
        places.setdefault(declaration_id, []).append(position)
    twice = [
        _("“%(name)s”被排在第%(places)s位") % {"name": names[pk], "places": "、".join(map(str, at))}
        for pk, at in places.items()
        if len(at) > 1
    ]
    missing = [names[pk] for pk in reviews if pk not in places]
    message = _("每个申报只能占一个位置：%(twice)s") % {"twice": "；".join(twice)} if twice else ""
    if missing:
        message += _("。没有排上位置的：%(missing)s") % {"missing": "、".join(f"“{m}”" for m in missing)}
    return f"{message}。" if message else _("排序须包含全部拟推荐的申报。")


def submit_recommendation(batch, region, *, user, opinion, document_number=""):
    """Submit the city's recommendation as a whole: every ranked declaration goes to the province; then locked."""
    refuse_unless(may_recommend, user, region)
    if not (opinion or "").strip():
        raise Refused(_("请填写推荐意见。"))
    with transaction.atomic():
        if CityRecommendation.objects.select_for_update().filter(batch=batch, region=region).exists():
            raise Refused(_("本市州的推荐已报送，不能重复报送。"))
        if timezone.now() > batch.recommendation_deadline:
            raise Refused(
                _("已超过市州推荐截止时间（%(deadline)s），不能报送。")
                % {
                    "deadline": date_format(
                        timezone.localtime(batch.recommendation_deadline), "Y年n月j日 H:i"
                    )
                }
            )
        declarations = list(recommended(batch, region))
        if not declarations:
            raise Refused(_("还没有拟推荐的申报。"))
        if any(d.city_review.rank is None for d in declarations):
            raise Refused(_("请先为全部拟推荐的申报排序。"))
        pending = Declaration.objects.filter(
            batch=batch, region=region, state__in=workflow.AWAITING_CITY
        ).exclude(pk__in=[d.pk for d in declarations])
        if pending.exists():
            raise Refused(_("还有 %(n)d 个申报未作出初审结论。") % {"n": pending.count()})
        for declaration in declarations:
            transition(declaration.pk, "recommend", user=user, opinion=declaration.city_review.opinion)
        record = CityRecommendation.objects.create(
            batch=batch, region=region, opinion=opinion, document_number=document_number, submitted_by=user
        )
        AuditEntry.record(record, actor=user, action="submit_recommendation", opinion=opinion)
    return record
