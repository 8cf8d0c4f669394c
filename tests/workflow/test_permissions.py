"""Who may see and act on which declaration, tried from the outside."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications import services
from applications.models import Declaration
from greenmfg.models import AuditEntry

from ..factories import BatchFactory, DeclarationFactory, enterprise_of, ready_to_submit

pytestmark = pytest.mark.django_db


def declaration_in(org, state_path, cast, *, requires_third_party=False):
    """A declaration of ``org`` driven through ``state_path`` by the right users."""
    declaration = services.create_declaration(
        organisation=org,
        user=cast.applicant,
        batch=BatchFactory(requires_third_party=requires_third_party),
        category="factory",
    )
    member = org.members.first()
    ready_to_submit(declaration, member)
    official = cast.wuhan_official if org.region_id == "420100" else cast.huangshi_official
    actors = {
        "submit_self_evaluation": member,
        "submit_to_city": member,
        "recommend": official,
    }
    for name in state_path:
        services.transition(declaration.pk, name, user=actors[name], opinion="意见")
    return Declaration.objects.get(pk=declaration.pk)


def test_a_wuhan_official_cannot_see_a_huangshi_declaration(cast, login):
    huangshi = declaration_in(cast.huangshi_org, ["submit_self_evaluation", "submit_to_city"], cast)
    wuhan = declaration_in(cast.wuhan_org, ["submit_self_evaluation", "submit_to_city"], cast)
    client = login(cast.wuhan_official)

    assert client.get(f"/declarations/{huangshi.pk}/").status_code == 404
    listing = client.get("/declarations/").content.decode()
    assert cast.wuhan_org.name in listing
    assert cast.huangshi_org.name not in listing
    assert cast.huangshi_org.name not in client.get("/dashboard/").content.decode()
    assert client.get(f"/declarations/{wuhan.pk}/").status_code == 200


def test_a_wuhan_official_cannot_recommend_a_huangshi_declaration(cast, login):
    huangshi = declaration_in(cast.huangshi_org, ["submit_self_evaluation", "submit_to_city"], cast)
    client = login(cast.wuhan_official)
    audit_before = AuditEntry.objects.count()  # after the login, which is audited

    response = client.post(
        f"/reviews/declarations/{huangshi.pk}/city-review/", {"decision": "recommend", "opinion": "同意"}
    )

    assert response.status_code == 404
    assert Declaration.objects.get(pk=huangshi.pk).state == "city_review"
    assert AuditEntry.objects.count() == audit_before


def test_an_enterprise_cannot_open_another_enterprises_declaration(cast, login):
    theirs = declaration_in(cast.huangshi_org, [], cast)
    client = login(cast.applicant)

    assert client.get(f"/declarations/{theirs.pk}/").status_code == 404
    assert client.post(f"/declarations/{theirs.pk}/transition/withdraw/").status_code == 404
    assert cast.huangshi_org.name not in client.get("/declarations/").content.decode()
    assert Declaration.objects.get(pk=theirs.pk).state == "draft"


@pytest.mark.parametrize(
    ("role", "transition", "path"),
    [
        ("wuhan_official", "submit_to_city", ["submit_self_evaluation"]),
        ("wuhan_official", "withdraw", ["submit_self_evaluation", "submit_to_city"]),
        ("province", "withdraw", ["submit_self_evaluation"]),
        ("province", "submit_self_evaluation", []),
    ],
)
def test_a_transition_by_the_wrong_role_is_refused_and_changes_nothing(cast, login, role, transition, path):
    declaration = declaration_in(cast.wuhan_org, path, cast)
    state_before = declaration.state
    audit_before = list(AuditEntry.for_object(declaration).values_list("pk", flat=True))
    client = login(getattr(cast, role))

    response = client.post(
        f"/declarations/{declaration.pk}/transition/{transition}/", {"opinion": "意见"}, follow=True
    )

    assert "您无权对该申报执行此操作" in response.content.decode()
    assert Declaration.objects.get(pk=declaration.pk).state == state_before
    assert list(AuditEntry.for_object(declaration).values_list("pk", flat=True)) == audit_before


def test_an_expert_and_an_evaluator_see_nothing_they_were_not_given(cast, login):
    declaration = declaration_in(cast.wuhan_org, ["submit_self_evaluation", "submit_to_city"], cast)
    for user in (cast.expert, cast.evaluator_staff):
        client = login(user)
        assert client.get(f"/declarations/{declaration.pk}/").status_code == 404
        assert cast.wuhan_org.name not in client.get("/declarations/").content.decode()


def test_an_evaluator_sees_a_declaration_only_once_commissioned(cast, login):
    from reviews.services import request_commission

    declaration = declaration_in(cast.wuhan_org, ["submit_self_evaluation"], cast, requires_third_party=True)
    client = login(cast.evaluator_staff)
    assert client.get(f"/declarations/{declaration.pk}/").status_code == 404

    request_commission(declaration, cast.evaluator, user=cast.applicant)

    assert client.get(f"/declarations/{declaration.pk}/").status_code == 200


@pytest.mark.parametrize("name", ["list", "recommend", "pass_review", "open_publicity", "commission"])
def test_transitions_of_later_stages_cannot_be_run_from_the_declaration_page(cast, login, name):
    declaration = DeclarationFactory(organisation=cast.wuhan_org)
    client = login(cast.province)
    assert client.post(f"/declarations/{declaration.pk}/transition/{name}/").status_code == 403


@pytest.mark.parametrize("role", ["applicant", "huangshi_official", "province", "expert"])
def test_only_the_declarations_city_records_the_city_review(cast, login, role):
    declaration = declaration_in(cast.wuhan_org, ["submit_self_evaluation", "submit_to_city"], cast)
    response = login(getattr(cast, role)).post(
        f"/reviews/declarations/{declaration.pk}/city-review/",
        {"decision": "not_recommend", "opinion": "不同意"},
    )
    assert response.status_code in (403, 404)
    assert Declaration.objects.get(pk=declaration.pk).state == "city_review"


@pytest.mark.parametrize("role", ["applicant", "wuhan_official", "expert", "evaluator_staff"])
def test_only_the_province_records_review_conclusions(cast, login, role):
    declaration = declaration_in(
        cast.wuhan_org, ["submit_self_evaluation", "submit_to_city", "recommend"], cast
    )
    response = login(getattr(cast, role)).post(
        f"/reviews/batches/{declaration.batch_id}/decisions/",
        {"declarations": [declaration.pk], "outcome": "pass", "note": "通过", "without_scores_reason": "x"},
    )
    assert response.status_code == 403
    assert Declaration.objects.get(pk=declaration.pk).state == "province_review"


def test_anonymous_users_are_sent_to_the_login_page(client, cast):
    declaration = DeclarationFactory(organisation=cast.wuhan_org)
    for url in (
        "/dashboard/",
        "/declarations/",
        f"/declarations/{declaration.pk}/",
        "/overview/",
        "/lists/publish/",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_public_list_and_its_export_need_no_login_but_publishing_does(client, cast, login):
    assert client.get("/lists/export.xlsx").status_code == 200
    assert client.get("/lists/").status_code == 200
    for user in (cast.applicant, cast.expert, cast.evaluator_staff):
        assert login(user).get("/lists/publish/").status_code == 403
        assert login(user).get("/lists/national/").status_code == 403


def test_the_city_queue_makes_the_same_number_of_queries_with_1_and_with_20_declarations(cast, login):
    client = login(cast.wuhan_official)
    declaration_in(cast.wuhan_org, ["submit_self_evaluation", "submit_to_city"], cast)
    with CaptureQueriesContext(connection) as one:
        client.get("/declarations/")
        client.get("/dashboard/")
    for _ in range(19):
        declaration_in(enterprise_of(cast.applicant), ["submit_self_evaluation", "submit_to_city"], cast)
    with CaptureQueriesContext(connection) as twenty:
        listing = client.get("/declarations/")
        client.get("/dashboard/")
    assert len(twenty) == len(one)
    assert "共 20 条" in listing.content.decode()
