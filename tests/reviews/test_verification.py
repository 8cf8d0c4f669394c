"""The evaluator verifies values, not ticks; the city sees the differences input by input."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications import services as applications
from applications.models import Declaration, IndicatorTemplate
from registry.management.commands.demo_data import DEMO_RAW
from reviews import experts, services, verification
from reviews.models import EvaluatedData, Expert

from ..factories import PDF_BYTES, BatchFactory, make_user, ready_to_submit

pytestmark = pytest.mark.django_db


def commissioned_2025_factory(cast):
    """A 2025-template factory declaration self-evaluated from DEMO_RAW, commissioned and accepted."""
    batch = BatchFactory()
    batch.categories.filter(category="factory").update(
        template=IndicatorTemplate.objects.get(code="factory/GB-T-36132-2025")
    )
    declaration = applications.create_declaration(
        organisation=cast.wuhan_org,
        user=cast.applicant,
        batch=batch,
        category="factory",
        industry_code="C3811",
    )
    ready_to_submit(declaration, cast.applicant)
    applications.transition(declaration.pk, "submit_self_evaluation", user=cast.applicant)
    commission = services.request_commission(declaration, cast.evaluator, user=cast.applicant)
    services.accept_commission(commission.pk, user=cast.evaluator_staff, independence_declaration="独立")
    return Declaration.objects.get(pk=declaration.pk), commission


def evaluation_form(declaration, raw, notes=None, submit=True):
    """The evaluator's form: every typed indicator at its 引领值 or met, the raw data, notes, facts and report."""
    references = declaration.indicator_references()
    year = declaration.batch.year - 1
    data = {}
    for indicator in declaration.setting.template.indicators.exclude(kind="group"):
        if indicator.formula:
            continue
        if indicator.pk in references:
            data[f"value_{indicator.pk}_0"] = str(references[indicator.pk].leading)
        else:
            data[f"met_{indicator.pk}"] = "1"
    data.update({f"raw_{year}_{key}": value for key, value in raw.items()})
    data.update({f"note_{year}_{key}": value for key, value in (notes or {}).items()})
    data.update(
        {
            "onsite_date": "2026-11-20",
            "basic_requirements_met": "true",
            "commitment_accepted": "on",
            "report": SimpleUploadedFile("报告.pdf", PDF_BYTES),
        }
    )
    if submit:
        data["submit"] = "1"
    return data


def test_a_corrected_input_needs_a_note_then_the_difference_shows_on_the_city_screen(cast, login):
    declaration, commission = commissioned_2025_factory(cast)
    client = login(cast.evaluator_staff)
    corrected = {**DEMO_RAW, "energy.electricity": "420"}  # 万kWh, the applicant said 360
    url = f"/reviews/declarations/{declaration.pk}/evaluation/"

    page = client.post(url, evaluation_form(declaration, corrected), follow=True).content.decode()
    assert "修改了以下数据但未填写核查说明：" in page and "电力" in page
    assert Declaration.objects.get(pk=declaration.pk).state == "under_evaluation"

    note = "抄见电表读数，含二车间未计量部分"
    client.post(url, evaluation_form(declaration, corrected, {"energy.electricity": note}))
    assert Declaration.objects.get(pk=declaration.pk).state == "evaluated"
    stored = EvaluatedData.objects.get(evaluation__commission=commission)
    assert (stored.inputs["energy.electricity"], stored.notes) == ("420", {"energy.electricity": note})

    evaluation = commission.evaluation
    gaps = {g.indicator.code: g for g in verification.indicator_gaps(declaration, evaluation)}
    # self: (3 600 000 × 0.1229 + 200 000 × 1.2143) ÷ 20 000 = 685 300 ÷ 20 000 = 34.265 kgce/台
    # evaluator: (4 200 000 × 0.1229 + 242 860) ÷ 20 000 = 759 040 ÷ 20 000 = 37.952 kgce/台 → 10.76 % > 10 %
    assert (gaps["1.5"].mine, gaps["1.5"].theirs) == (Decimal("34.2650"), Decimal("37.9520"))
    assert gaps["1.5"].relative == Decimal("10.76") and gaps["1.5"].flagged
    assert not gaps["2.3"].flagged  # water is unchanged
    assert evaluation.score < Declaration.objects.get(pk=declaration.pk).self_score

    applications.transition(declaration.pk, "submit_to_city", user=cast.applicant)
    city_page = login(cast.wuhan_official).get(f"/reviews/declarations/{declaration.pk}/city-review/")
    html = city_page.content.decode()
    assert "定量指标：自评值与第三方核定值" in html
    assert '<tr class="flagged" data-code="1.5">' in html
    assert "<td>电力 <small" in html and ">360<" in html and ">420<" in html and note in html


def test_unchanged_inputs_need_no_note_and_a_wider_threshold_flags_nothing(cast, login):
    declaration, commission = commissioned_2025_factory(cast)
    declaration.batch.value_discrepancy_percent = 50
    declaration.batch.save()
    login(cast.evaluator_staff).post(
        f"/reviews/declarations/{declaration.pk}/evaluation/",
        evaluation_form(
            declaration, {**DEMO_RAW, "energy.electricity": "420"}, {"energy.electricity": "核实"}
        ),
    )
    declaration = Declaration.objects.get(pk=declaration.pk)
    assert declaration.state == "evaluated"
    assert not [g for g in verification.indicator_gaps(declaration, commission.evaluation) if g.flagged]


def test_the_expert_sees_the_evaluators_corrections_and_scores_on_the_verified_values(cast, login):
    declaration, _commission = commissioned_2025_factory(cast)
    login(cast.evaluator_staff).post(
        f"/reviews/declarations/{declaration.pk}/evaluation/",
        evaluation_form(
            declaration, {**DEMO_RAW, "energy.electricity": "420"}, {"energy.electricity": "核实"}
        ),
    )
    applications.transition(declaration.pk, "submit_to_city", user=cast.applicant)
    applications.transition(declaration.pk, "recommend", user=cast.wuhan_official, opinion="同意")
    expert = Expert.objects.create(
        user=make_user("评审专家"), categories=["factory"], employer="湖北工业大学", region_id="420900"
    )
    experts.assign_by_hand(Declaration.objects.get(pk=declaration.pk), expert, user=cast.province)
    page = login(expert.user).get(f"/reviews/declarations/{declaration.pk}/score/").content.decode()
    assert '<tr class="flagged" data-code="1.5">' in page and "核实" in page
    energy = declaration.setting.template.indicators.get(code="1.5")
    assert verification.verified_answers(declaration)[energy.pk].values == ["37.9520"]
