"""Every irreversible action asks first, on a page of its own that says what will happen and what cannot be
undone, with a plain HTML form (no JavaScript); a post that skips that page changes nothing."""

import pytest

from applications import services as applications
from applications.models import Declaration
from reviews.models import CityRecommendation

from .factories import BatchFactory, ready_to_submit
from .forms import form_values
from .reviews.test_review_stage import in_city_review
from .workflow.test_journey import city_decides, post_transition, state_of

pytestmark = pytest.mark.django_db


def draft(cast):
    declaration = applications.create_declaration(
        organisation=cast.wuhan_org, user=cast.applicant, batch=BatchFactory(requires_third_party=False),
        category="factory",
    )  # fmt: skip
    ready_to_submit(declaration, cast.applicant)
    return declaration


def self_evaluated(cast):
    declaration = draft(cast)
    applications.transition(declaration.pk, "submit_self_evaluation", user=cast.applicant)
    return declaration


def returned(cast):
    declaration = in_city_review(cast)
    applications.transition(
        declaration.pk, "return_for_revision", user=cast.wuhan_official, opinion="补充材料"
    )
    return declaration


@pytest.mark.parametrize(
    ("arrange", "name", "after", "says"),
    [
        (draft, "withdraw", "withdrawn", "撤回后这份申报不能恢复"),
        (self_evaluated, "submit_to_city", "city_review", "提交后不能自行收回修改"),
        (returned, "resubmit", "city_review", "重新提交后不能自行收回修改"),
    ],
)
def test_an_irreversible_declaration_action_asks_on_its_own_page_first(
    cast, login, arrange, name, after, says
):
    declaration = arrange(cast)
    before = state_of(declaration.pk)
    client = login(cast.applicant)
    url = f"/declarations/{declaration.pk}/transition/{name}/"

    detail = client.get(f"/declarations/{declaration.pk}/").content.decode()
    assert f'href="{url}"' in detail
    assert f'action="{url}"' not in detail

    unconfirmed = client.post(url)
    assert unconfirmed.status_code == 302 and unconfirmed["Location"] == url
    assert state_of(declaration.pk) == before

    page = client.get(url).content.decode()
    assert "确认后将：" in page and "此操作不可撤销" in page and says in page
    assert "<script" not in page.split("<main", 1)[1]
    values = form_values(page, "confirmed")
    assert values["confirmed"] == ["yes"]

    done = client.post(url, values, follow=True).content.decode()
    assert state_of(declaration.pk) == after
    assert f"申报现为“{Declaration.objects.get(pk=declaration.pk).get_state_display()}”" in done


def test_submitting_to_the_city_says_what_comes_next(cast, login):
    declaration = self_evaluated(cast)
    client = login(cast.applicant)
    done = post_transition(client, declaration.pk, "submit_to_city")
    page = client.get(done["Location"]).content.decode()
    assert "下一步：等待市州经信局初审" in page


def test_the_citys_submission_asks_first_listing_what_goes_in_order(cast, login):
    batch = BatchFactory(requires_third_party=False)
    first = in_city_review(cast, batch=batch)
    client = login(cast.wuhan_official)
    city_decides(client, first, "recommend", "同意推荐")
    client.post(f"/reviews/city/{batch.pk}/", {"rank": "1", "order": [first.pk]})

    asked = client.post(f"/reviews/city/{batch.pk}/", {"opinion": "同意推荐以上单位"})

    page = asked.content.decode()
    assert asked.status_code == 200
    assert f"第1位：{first}" in page and "此操作不可撤销" in page
    assert state_of(first.pk) == "city_review"
    assert not CityRecommendation.objects.exists()
    values = form_values(page, "confirmed")
    assert values["opinion"] == ["同意推荐以上单位"]

    done = client.post(f"/reviews/city/{batch.pk}/", values, follow=True).content.decode()
    assert state_of(first.pk) == "province_review"
    assert "已向省经信厅报送1个推荐申报" in done and "下一步" in done
