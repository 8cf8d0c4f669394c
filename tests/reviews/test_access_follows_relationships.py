"""An evaluator reaches a declaration while its commission stands, and not a request longer."""

import pytest
from django.utils import timezone

from applications import services as applications
from greenmfg.roles import Role
from reviews import services

from ..factories import EvaluatorFactory, make_user
from .test_evaluators import self_evaluated

pytestmark = pytest.mark.django_db


def private_pages(declaration):
    """The declaration and everything of it a commissioned evaluator reads."""
    first, second = declaration.attachments.order_by("pk")[:2]
    base = f"/declarations/{declaration.pk}"
    return [
        f"{base}/",
        f"{base}/self-evaluation/",
        f"{base}/attachments/",
        f"{base}/attachments/{first.pk}/",
        f"{base}/attachments/{second.pk}/",
        f"{base}/declaration.pdf",
    ]


def answers(client, urls):
    return {url: client.get(url).status_code for url in urls}


def staff_of(evaluator):
    user = make_user(Role.EVALUATOR)
    user.groups.add(evaluator.staff_group)
    return user


def test_an_evaluator_that_declined_loses_the_declaration_and_the_one_that_took_over_keeps_it(cast, login):
    declaration = self_evaluated(cast)
    urls = private_pages(declaration)
    first = services.request_commission(declaration, cast.evaluator, user=cast.applicant)
    assert set(answers(login(cast.evaluator_staff), urls).values()) == {200}

    login(cast.evaluator_staff).post(
        f"/reviews/commissions/{first.pk}/", {"decline": "1", "reason": "人手不足"}
    )
    first.refresh_from_db()
    assert first.status == "declined"
    successor = EvaluatorFactory()
    services.accept_commission(
        services.request_commission(declaration, successor, user=cast.applicant).pk,
        user=staff_of(successor),
        independence_declaration="独立",
    )

    assert answers(login(cast.evaluator_staff), urls) == dict.fromkeys(urls, 404)
    assert answers(login(staff_of(successor)), urls) == dict.fromkeys(urls, 200)


def test_a_banned_evaluator_loses_the_declaration_and_the_one_that_took_over_keeps_it(cast, login):
    declaration = self_evaluated(cast)
    urls = private_pages(declaration)
    first = services.request_commission(declaration, cast.evaluator, user=cast.applicant)
    services.accept_commission(first.pk, user=cast.evaluator_staff, independence_declaration="独立")
    assert set(answers(login(cast.evaluator_staff), urls).values()) == {200}

    login(cast.province).post(
        f"/evaluators/{cast.evaluator.pk}/ban/",
        {"reason": "出具虚假评价报告", "starts_on": timezone.localdate().isoformat()},
    )
    assert answers(login(cast.evaluator_staff), urls) == dict.fromkeys(urls, 404)

    successor = EvaluatorFactory()
    response = login(cast.applicant).post(
        f"/reviews/declarations/{declaration.pk}/commission/", {"evaluator": successor.pk}
    )
    assert response.status_code == 302, response.content.decode()
    services.accept_commission(
        declaration.commissions.get(evaluator=successor).pk,
        user=staff_of(successor),
        independence_declaration="独立",
    )

    assert answers(login(cast.evaluator_staff), urls) == dict.fromkeys(urls, 404)
    assert answers(login(staff_of(successor)), urls) == dict.fromkeys(urls, 200)


def test_a_request_left_behind_by_a_withdrawn_declaration_no_longer_opens_it(cast, login):
    declaration = self_evaluated(cast)
    urls = private_pages(declaration)
    services.request_commission(declaration, cast.evaluator, user=cast.applicant)
    assert set(answers(login(cast.evaluator_staff), urls).values()) == {200}
    applications.transition(declaration.pk, "withdraw", user=cast.applicant)
    assert answers(login(cast.evaluator_staff), urls) == dict.fromkeys(urls, 404)
