"""Every list page makes the same number of queries with few and with many rows."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry.models import ListedUnit, ReReviewCase
from registry.templatetags.plans import plan_in_force
from reviews.models import Expert, StaffMember

from .factories import EvaluatorFactory, OrganisationFactory, make_user

pytestmark = pytest.mark.django_db


def add_rereviews(n):
    for _ in range(n):
        organisation = OrganisationFactory(region_id="420100")
        unit = ListedUnit.objects.create(
            organisation=organisation,
            region_id="420100",
            category="factory",
            year=2022,
            listed_on=date(2022, 1, 1),
        )
        ReReviewCase.objects.create(listed_unit=unit, due_on=date(2025, 1, 1))


def add_experts(n):
    for i in range(n):
        Expert.objects.create(
            user=make_user("评审专家"), categories=["factory"], employer=f"大学{i}", region_id="420500"
        )


def add_evaluators(n):
    for _ in range(n):
        StaffMember.objects.create(
            evaluator=EvaluatorFactory(status="pending"), name="张工", title="senior", field="energy"
        )


@pytest.mark.parametrize(
    ("who", "url", "add"),
    [
        ("wuhan_official", "/rereviews/", add_rereviews),
        ("province", "/rereviews/", add_rereviews),
        ("wuhan_official", "/rereviews/annual-reports/", add_rereviews),
        ("province", "/reviews/experts/", add_experts),
        ("province", "/evaluators/manage/", add_evaluators),
    ],
)
def test_the_list_makes_the_same_number_of_queries_with_2_and_with_25_rows(cast, login, who, url, add):
    client = login(getattr(cast, who))
    add(2)
    plan_in_force()  # the footer's plan, kept in the cache by every page: kept before each count
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(23)
    plan_in_force()
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
