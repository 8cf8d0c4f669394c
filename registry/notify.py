"""Who is told what: every workflow event that waits on someone notifies them, and deadlines are reminded.

This module sits in ``registry`` because it must know every stage (申报, 评价与评审, 名单) and only the last
app may import all of them. It only decides recipients, texts and links; ``greenmfg.notifications.notify``
stores the notices and emails them once.
"""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications import workflow
from applications.models import Batch, Declaration
from applications.signals import declaration_transitioned
from greenmfg.models import AuditEntry, User
from greenmfg.notifications import Grouping, notify
from greenmfg.roles import Role
from reviews.models import Assignment, Commission

from .models import Objection


def city_officials(region_id):
    return User.objects.filter(is_active=True, groups__name=Role.CITY.value, city_id=region_id)


def members(organisation_id):
    return User.objects.filter(is_active=True, memberships__organisation_id=organisation_id)


def provincial_officials():
    return User.objects.filter(is_active=True, groups__name=Role.PROVINCE.value)


def _detail(declaration):
    return reverse("applications:detail", args=[declaration.pk])


def _waiting(declaration):
    """Who the declaration waits on in its new state, and the page where they act: the city while it awaits the
    city, the province while it awaits provincial review; otherwise the applicant, who follows its declaration."""
    if declaration.state in workflow.AWAITING_CITY:
        return city_officials(declaration.region_id), reverse("reviews:city_review", args=[declaration.pk])
    if declaration.state in workflow.IN_PROVINCIAL_REVIEW:
        return provincial_officials(), reverse("reviews:assign", args=[declaration.batch_id])
    return members(declaration.organisation_id), _detail(declaration)


# What each transition tells whoever the declaration now waits on (a transition not named here tells no one).
TOLD_AFTER = {
    "submit_to_city": gettext_lazy("“%(organisation)s”提交了%(category)s申报，等待市州初审。"),
    "resubmit": gettext_lazy("“%(organisation)s”修改后重新提交了%(category)s申报，等待市州初审。"),
    "return_for_revision": gettext_lazy(
        "“%(organisation)s”的%(category)s申报被市州退回修改，请按初审意见修改后重新提交。"
    ),
    "not_recommend": gettext_lazy("“%(organisation)s”的%(category)s申报未获市州推荐，初审意见见申报页面。"),
    "recommend": gettext_lazy("%(region)s推荐了“%(organisation)s”的%(category)s申报，等待省级评审分配专家。"),
    "commission": gettext_lazy(
        "评价机构已接受“%(organisation)s”%(category)s申报的委托，正在开展第三方评价。"
    ),
    "submit_evaluation": gettext_lazy(
        "第三方评价机构已提交“%(organisation)s”%(category)s申报的评价，请提交市州初审。"
    ),
    "pass_review": gettext_lazy("“%(organisation)s”的%(category)s申报通过省级评审，将进入公示。"),
    "fail_review": gettext_lazy("“%(organisation)s”的%(category)s申报未通过省级评审，评审意见见申报页面。"),
    "uphold_objection": gettext_lazy(
        "公示期间的异议经核实成立，“%(organisation)s”的%(category)s申报未列入名单。"
    ),
    "list": gettext_lazy("“%(organisation)s”的%(category)s申报已列入湖北省绿色制造名单。"),
}


# Transitions that come many at a time, told as one notice per recipient: a city's recommendation as a whole,
# a morning's submissions to the city.
GROUPED_AFTER = {
    "recommend": gettext_lazy("%(region)s推荐了 %%(n)d 个申报，等待省级评审分配专家。"),
    "submit_to_city": gettext_lazy("%%(n)d 个申报已提交或重新提交，等待市州初审。"),
    "resubmit": gettext_lazy("%%(n)d 个申报已提交或重新提交，等待市州初审。"),
}


def _grouping(name, declaration, page):
    if name not in GROUPED_AFTER:
        return None
    kind = "submitted" if name in ("submit_to_city", "resubmit") else name
    summary = str(GROUPED_AFTER[name]) % {"region": declaration.region.name}
    if name != "recommend":
        page = reverse("reviews:city_recommendation", args=[declaration.batch_id])
    return Grouping(
        key=f"{kind}:batch:{declaration.batch_id}:region:{declaration.region_id}", summary=summary, url=page
    )


def _facts(declaration):
    return {
        "organisation": declaration.organisation.name,
        "category": declaration.get_category_display(),
        "region": declaration.region.name,
    }


@receiver(declaration_transitioned, sender=Declaration, dispatch_uid="registry.notify.on_transition")
def on_transition(sender, declaration, name, actor, **kwargs):
    """The key names the transition's audit entry: the same event reported twice is told once, the next
    real one (a second return, say) is told again."""
    if name not in TOLD_AFTER:
        return
    entry = (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Declaration),
            object_id=declaration.pk,
            action=name,
        )
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    recipients, page = _waiting(declaration)
    if actor is not None:
        recipients = recipients.exclude(pk=actor.pk)
    notify(
        recipients,
        text=str(TOLD_AFTER[name]) % _facts(declaration),
        url=page,
        key=f"declaration:{declaration.pk}:{name}:{entry}",
        grouping=_grouping(name, declaration, page),
    )


@receiver(post_save, sender=Commission, dispatch_uid="registry.notify.on_commission")
def on_commission(sender, instance, created, raw=False, **kwargs):
    """Asked: the evaluator's staff must accept or decline. Declined: the applicant must choose another."""
    if raw:
        return
    if created and instance.status == Commission.Status.REQUESTED:
        notify(
            instance.evaluator.staff_group.user_set.filter(is_active=True),
            text=_("“%(organisation)s”委托贵机构对其%(category)s申报开展第三方评价，请答复是否接受。")
            % _facts(instance.declaration),
            url=reverse("reviews:commission_answer", args=[instance.pk]),
            key=f"commission:{instance.pk}:requested",
        )
    elif not created and instance.status == Commission.Status.DECLINED:
        declaration = instance.declaration
        notify(
            members(declaration.organisation_id),
            text=_("评价机构“%(evaluator)s”谢绝了“%(organisation)s”%(category)s申报的委托，请另行委托。")
            % {**_facts(declaration), "evaluator": instance.evaluator.name},
            url=_detail(declaration),
            key=f"commission:{instance.pk}:declined",
        )


@receiver(post_save, sender=Objection, dispatch_uid="registry.notify.on_objection")
def on_objection(sender, instance, created, raw=False, **kwargs):
    """A new objection waits on the province at once: a notice may not close while one is pending."""
    if raw or not created:
        return
    notify(
        provincial_officials(),
        text=_("公示“%(title)s”收到对“%(organisation)s”的异议（受理编号 %(reference)s），请核实处理。")
        % {
            "title": instance.publicity.title,
            "organisation": instance.declaration.organisation,
            "reference": instance.reference,
        },
        url=reverse("registry:publicity_detail", args=[instance.publicity_id]),
        key=f"objection:{instance.pk}",
    )


@receiver(post_save, sender=Assignment, dispatch_uid="registry.notify.on_assignment")
def on_assignment(sender, instance, created, raw=False, **kwargs):
    """An expert was assigned (by the province, or as a replacement after a conflict): they must score."""
    if raw or not created or instance.status != Assignment.Status.ACTIVE:
        return
    declaration = instance.declaration
    notify(
        User.objects.filter(is_active=True, expert__pk=instance.expert_id),
        text=_("您被分配评审“%(organisation)s”的%(category)s申报，请查阅材料并提交评分。")
        % _facts(declaration),
        url=reverse("reviews:score", args=[declaration.pk]),
        key=f"assignment:{instance.pk}:assigned",
        grouping=Grouping(
            key=f"assigned:batch:{declaration.batch_id}",
            summary=str(_("您被分配评审 %(n)d 个申报，请查阅材料并提交评分。")),
            url=reverse("dashboard"),
        ),
    )


# Deadline reminders: the applicant's work before the first submission is due by the submission deadline; a
# returned declaration, once more with the applicant, must be back with the city by the recommendation deadline.
NOT_YET_SUBMITTED = workflow.AWAITING_APPLICANT & workflow.PREPARING
RETURNED_TO_APPLICANT = workflow.AWAITING_APPLICANT & workflow.AT_CITY


@shared_task
def send_deadline_reminders() -> int:
    """Beat-scheduled daily: remind whoever still has work before a batch deadline that is near. Idempotent.

    A deadline is near from ``DEADLINE_REMINDER_DAYS`` days before it until it passes. The key holds the batch,
    the deadline and its value, so each is reminded once; an extended deadline is reminded again.
    Returns the number of new notices.
    """
    now = timezone.now()
    horizon = now + timedelta(days=settings.DEADLINE_REMINDER_DAYS)
    sent = 0
    for batch in Batch.objects.filter(submission_deadline__gt=now, submission_deadline__lte=horizon):
        sent += _remind_applicants(
            batch,
            "submission_deadline",
            NOT_YET_SUBMITTED,
            gettext_lazy(
                "“%(organisation)s”在%(batch)s中有 %(n)d 个申报尚未提交市州初审，"
                "申报将于%(deadline)s截止，请及时提交。"
            ),
        )
    for batch in Batch.objects.filter(recommendation_deadline__gt=now, recommendation_deadline__lte=horizon):
        sent += _remind_cities(batch)
        sent += _remind_applicants(
            batch,
            "recommendation_deadline",
            RETURNED_TO_APPLICANT,
            gettext_lazy(
                "“%(organisation)s”在%(batch)s中有 %(n)d 个退回修改的申报尚未重新提交，"
                "市州推荐将于%(deadline)s截止，逾期不能再提交。"
            ),
        )
    return sent


def _deadline_key(batch, field):
    value = timezone.localtime(getattr(batch, field))
    return f"deadline:{batch.pk}:{field}:{value:%Y%m%d%H%M}"


def _deadline_text(batch, field):
    return date_format(timezone.localtime(getattr(batch, field)), "Y年n月j日 H:i")


def _remind_applicants(batch, field, states, text):
    waiting = (
        Declaration.objects.filter(batch=batch, state__in=states)
        .values("organisation_id", "organisation__name")
        .annotate(n=Count("pk"))
        .order_by("organisation_id")
    )
    sent = 0
    for row in waiting:
        sent += len(
            notify(
                members(row["organisation_id"]),
                text=str(text)
                % {
                    "organisation": row["organisation__name"],
                    "batch": batch.title,
                    "n": row["n"],
                    "deadline": _deadline_text(batch, field),
                },
                url=reverse("applications:list"),
                key=f"{_deadline_key(batch, field)}:organisation:{row['organisation_id']}",
            )
        )
    return sent


def _remind_cities(batch):
    field = "recommendation_deadline"
    waiting = (
        Declaration.objects.filter(batch=batch, state__in=workflow.AWAITING_CITY)
        .values("region_id")
        .annotate(n=Count("pk"))
        .order_by("region_id")
    )
    sent = 0
    for row in waiting:
        sent += len(
            notify(
                city_officials(row["region_id"]),
                text=_(
                    "%(batch)s中本市州还有 %(n)d 个申报待初审或待报送推荐，"
                    "市州推荐将于%(deadline)s截止，请及时初审并报送推荐。"
                )
                % {"batch": batch.title, "n": row["n"], "deadline": _deadline_text(batch, field)},
                url=reverse("reviews:city_recommendation", args=[batch.pk]),
                key=f"{_deadline_key(batch, field)}:region:{row['region_id']}",
            )
        )
    return sent
