"""Every edit form shows every saved value again, and posting it back untouched changes nothing.

Each test saves a form with values of every kind it has (dates, yes/no selects, choices, several choices),
opens the form again, compares field by field with what was saved, posts the page's own values back as a
browser would, and checks that the stored row is the same as before.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict

from applications import services as applications
from applications.models import Declaration
from registry.models import CultivationCandidate
from reviews import services
from reviews.models import CityPreReview, Evaluation

from .factories import PDF_BYTES, BatchFactory
from .forms import form_values, without_token
from .reviews.test_evaluators import self_evaluated
from .workflow.test_journey import all_met

pytestmark = pytest.mark.django_db


def reopened(client, url, containing, saved):
    """The form at ``url`` once more: each saved field shows its value; returns the values the page holds."""
    values = without_token(form_values(client.get(url).content.decode(), containing))
    for name, value in saved.items():
        expected = value if isinstance(value, list) else [value]
        assert values.get(name) == expected, f"{name}: saved {expected}, the form shows {values.get(name)}"
    return values


def test_basic_information_comes_back_in_every_field_and_an_untouched_save_keeps_it(cast, login):
    declaration = applications.create_declaration(
        organisation=cast.wuhan_org, user=cast.applicant, batch=BatchFactory(), category="product"
    )
    url = f"/declarations/{declaration.pk}/edit/"
    saved = {
        "industry_code": "C3811",
        "address": "武汉市东湖高新区高新大道1号",
        "nature": "private",
        "registration_authority": "武汉市市场监督管理局",
        "founded_on": "2008-05-12",
        "registered_capital": "5000.00",
        "legal_representative": "张建国",
        "contact_name": "张敏",
        "contact_phone": "027-87654321",
        "contact_mobile": "13800138000",
        "contact_email": "zhangmin@example.cn",
        "summary": "电机制造",
        "product_name": "高效永磁同步电机",
        "product_model": "YX3-160",
        "evaluation_standard": "T/CEEIA 280-2017",
    }
    client = login(cast.applicant)
    assert client.post(url, saved).status_code == 302
    before = model_to_dict(Declaration.objects.get(pk=declaration.pk))
    assert str(before["founded_on"]) == "2008-05-12"

    values = reopened(client, url, "founded_on", saved)
    assert client.post(url, values).status_code == 302
    assert model_to_dict(Declaration.objects.get(pk=declaration.pk)) == before
    reopened(client, url, "founded_on", saved)


def test_attested_conditions_come_back_ticked(cast, login):
    declaration = applications.create_declaration(
        organisation=cast.wuhan_org, user=cast.applicant, batch=BatchFactory(), category="factory"
    )
    url = f"/declarations/{declaration.pk}/eligibility/"
    client = login(cast.applicant)
    page = form_values(client.get(url).content.decode(), "commitment")
    items = sorted(name for name in client.get(url).context["form"].fields if name.startswith("item_"))
    assert items and not any(name in page for name in items)
    saved = {name: "on" for name in items} | {"commitment": "on"}
    assert client.post(url, saved).status_code == 302
    attested = Declaration.objects.get(pk=declaration.pk).attested_items

    values = reopened(client, url, "commitment", {name: "on" for name in items})
    assert client.post(url, values).status_code == 302
    assert Declaration.objects.get(pk=declaration.pk).attested_items == attested


@pytest.mark.parametrize("met", ["true", "false"])
def test_the_evaluators_date_and_basic_requirements_come_back_after_saving_a_draft(cast, login, met):
    declaration = self_evaluated(cast)
    commission = services.request_commission(declaration, cast.evaluator, user=cast.applicant)
    services.accept_commission(commission.pk, user=cast.evaluator_staff, independence_declaration="独立")
    url = f"/reviews/declarations/{declaration.pk}/evaluation/"
    saved = {
        "onsite_date": "2026-11-20",
        "basic_requirements_met": met,
        "highlights": "余热回收",
        "commitment_accepted": "on",
    }
    client = login(cast.evaluator_staff)
    report = SimpleUploadedFile("报告.pdf", PDF_BYTES)
    response = client.post(url, {**all_met(declaration), **saved, "report": report, "save": "1"})
    assert response.status_code == 302
    before = model_to_dict(Evaluation.objects.get(commission=commission), exclude=["id"])
    assert before["basic_requirements_met"] is (met == "true")

    values = reopened(client, url, "onsite_date", saved)
    assert client.post(url, {**values, "save": "1"}).status_code == 302
    assert model_to_dict(Evaluation.objects.get(commission=commission), exclude=["id"]) == before


def test_the_city_review_comes_back_with_its_checklist_and_decision(cast, login):
    declaration = self_evaluated(cast)
    declaration.batch.categories.update(requires_third_party=False)
    applications.transition(declaration.pk, "submit_to_city", user=cast.applicant)
    url = f"/reviews/declarations/{declaration.pk}/city-review/"
    from reviews.city import CHECKLIST

    saved = {
        "checklist": [code for code, _label in CHECKLIST],
        "onsite_notes": "现场核查了能源计量台账",
        "opinion": "符合条件，同意推荐",
        "decision": "recommend",
    }
    client = login(cast.wuhan_official)
    assert client.post(url, saved).status_code == 302
    fields = ["checklist", "onsite_notes", "opinion", "items_to_fix", "decision"]
    before = model_to_dict(CityPreReview.objects.get(declaration=declaration), fields=fields)

    values = reopened(client, url, "opinion", saved)
    assert client.post(url, values).status_code == 302
    assert model_to_dict(CityPreReview.objects.get(declaration=declaration), fields=fields) == before


def test_a_cultivation_candidate_comes_back_with_its_choices(cast, login):
    client = login(cast.wuhan_official)
    saved = {
        "organisation": str(cast.wuhan_org.pk),
        "category": "supply_chain",
        "planned_year": "2027",
        "responsible": str(cast.wuhan_official.pk),
        "notes": "重点培育",
    }
    assert client.post("/cultivation/", saved).status_code == 302
    candidate = CultivationCandidate.objects.get(organisation=cast.wuhan_org)
    url = f"/cultivation/{candidate.pk}/"
    before = model_to_dict(candidate)

    values = reopened(client, url, "planned_year", saved)
    assert client.post(url, values).status_code == 302
    assert model_to_dict(CultivationCandidate.objects.get(pk=candidate.pk)) == before
