"""名单's buttons show exactly where their views allow: the page and the action ask the same predicate."""

from datetime import date

import pytest

from greenmfg.permissions import ask
from registry.models import ListedUnit, Objection, ReReviewCase
from registry.services import open_publicity

from .test_dynamic import due_case, report
from .test_publicity import passed_review

pytestmark = pytest.mark.django_db

PEOPLE = ["applicant", "other_applicant", "wuhan_official", "huangshi_official", "expert", "province"]


@pytest.mark.parametrize("who", PEOPLE)
def test_the_close_button_shows_where_closing_is_allowed(cast, login, who):
    declaration = passed_review(cast)
    publicity = open_publicity([declaration.pk], user=cast.province, title="公示", batch=declaration.batch)
    client = login(getattr(cast, who))

    shown = f"/publicity/{publicity.pk}/close/" in client.get(f"/publicity/{publicity.pk}/").content.decode()
    closed = (
        client.post(f"/publicity/{publicity.pk}/close/", {"early_reason": "公示内容有误"}).status_code == 302
    )

    assert shown == closed == (who == "province")


def test_a_closed_notice_offers_no_close_and_refuses_it_with_the_reason(cast, login):
    declaration = passed_review(cast)
    publicity = open_publicity([declaration.pk], user=cast.province, title="公示", batch=declaration.batch)
    client = login(cast.province)
    client.post(f"/publicity/{publicity.pk}/close/", {"early_reason": "公示内容有误"})

    assert (
        f"/publicity/{publicity.pk}/close/" not in client.get(f"/publicity/{publicity.pk}/").content.decode()
    )
    again = client.post(f"/publicity/{publicity.pk}/close/")
    assert again.status_code == 403
    assert "该公示已结束。" in again.content.decode()


@pytest.mark.parametrize("who", PEOPLE)
def test_objections_and_their_evidence_go_to_whoever_may_handle_them(cast, login, who):
    declaration = passed_review(cast)
    publicity = open_publicity([declaration.pk], user=cast.province, title="公示", batch=declaration.batch)
    objection = Objection.objects.create(
        publicity=publicity,
        declaration=declaration,
        reference="YY-R1",  # a hyphen: a random CSRF token on the page cannot contain it
        real_name="a",
        contact="b",
        facts="c" * 10,
    )
    client = login(getattr(cast, who))

    shown = "YY-R1" in client.get(f"/publicity/{publicity.pk}/").content.decode()
    evidence = client.get(f"/publicity/objections/{objection.pk}/evidence/").status_code  # none stored: 404

    assert shown == (who == "province")
    assert evidence == (404 if who == "province" else 403)


@pytest.mark.parametrize("who", PEOPLE)
def test_the_annual_report_button_shows_to_the_units_members_only(cast, login, who):
    unit = ListedUnit.objects.create(
        organisation=cast.wuhan_org,
        region_id="420100",
        category="factory",
        level="provincial",
        year=2022,
        listed_on=date(2022, 6, 1),
    )
    client = login(getattr(cast, who))

    shown = f"/lists/{unit.pk}/annual-report/" in client.get(f"/lists/{unit.pk}/").content.decode()
    opened = client.get(f"/lists/{unit.pk}/annual-report/").status_code == 200

    assert shown == opened == (who == "applicant")


def test_the_re_review_forms_follow_the_case(cast, login):
    _unit, case = due_case(cast)
    url = f"/rereviews/{case.pk}/"

    assert 'name="report"' in login(cast.wuhan_official).get(url).content.decode()
    province = login(cast.province)
    assert 'name="decide"' not in province.get(url).content.decode()
    assert (
        province.post(url, {"decision-decision": "retain", "decision-expert_opinion": "早"}).status_code
        == 403
    )

    wuhan = login(cast.wuhan_official)
    report(wuhan, case)
    assert ReReviewCase.objects.get(pk=case.pk).status == "city_reported"
    assert 'name="report"' not in wuhan.get(url).content.decode()
    assert report(wuhan, case).status_code == 403
    assert 'name="decide"' in login(cast.province).get(url).content.decode()


def test_the_list_page_offers_each_official_their_own_actions(cast, login):
    province = login(cast.province).get("/lists/").content.decode()
    city = login(cast.wuhan_official).get("/lists/").content.decode()
    applicant = login(cast.applicant).get("/lists/").content.decode()

    for url in ("/lists/publish/", "/lists/national/", "/lists/import/"):
        assert url in province
    assert "/lists/publish/" in city and "发布市级名单" in city
    assert "/lists/national/" not in city and "/lists/import/" not in city
    assert "/lists/publish/" not in applicant


def test_every_registry_rule_answers_with_a_reason_when_it_refuses(cast):
    _unit, case = due_case(cast)
    for name, obj in [
        ("registry.publish", None),
        ("registry.recommend_national", None),
        ("registry.import", None),
        ("registry.report_rereview", case),
        ("registry.decide_rereview", case),
        ("registry.view_pool", None),
        ("registry.targets", None),
    ]:
        answer = ask(name, cast.applicant, obj)
        assert not answer and answer.reason, name
