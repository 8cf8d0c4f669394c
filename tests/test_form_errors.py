"""A form that comes back with errors says so to a screen reader (GB/T 37668-2019, WCAG 2.1 3.3.1 and 4.1.3): a
summary announced with ``role="alert"``, each field in error marked ``aria-invalid`` and described by its own
message (``aria-describedby``, on the fieldset for a group of choices)."""

import re
from pathlib import Path

import lxml.html
import pytest

from .factories import BatchFactory
from .reviews.test_review_stage import in_city_review
from .workflow.test_journey import city_decides

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Forms a view never renders bound: an invalid post redirects with an error message (role="alert" in base.html).
NEVER_BOUND = {"registry/publicity_detail.html": {"handling_form"}}


def assert_errors_announced(page: str) -> int:
    """The page's errors are announced and tied to their fields; returns how many fields are in error."""
    tree = lxml.html.fromstring(page)
    main = tree.find(".//main")
    assert main.xpath('.//*[@role="alert"]'), "no announced summary of the errors"
    invalid = main.xpath('.//*[@aria-invalid="true"]')
    assert invalid, "no field marked invalid"
    described = set()
    for control in invalid:
        holder = control if control.get("aria-describedby") else next(control.iterancestors("fieldset"), None)
        assert holder is not None and holder.get("aria-describedby"), lxml.html.tostring(control)[:120]
        ids = holder.get("aria-describedby").split()
        messages = [main.get_element_by_id(id_, None) for id_ in ids if id_.endswith("_error")]
        assert messages and all(m is not None and m.text_content().strip() for m in messages), ids
        described.update(ids)
    shown = {element.get("id") for element in main.xpath('.//*[contains(@class, "errorlist")][@id]')}
    shown |= {element.get("id") for element in main.xpath('.//*[contains(@class, "field-error")]')}
    assert shown <= described, f"messages no field points to: {shown - described}"
    return len(invalid)


def test_public_registration_forms_announce_their_errors(client):
    for url in ("/accounts/register/", "/evaluators/register/"):
        response = client.post(url, {"username": ""})  # empty data would leave the form unbound
        assert response.status_code == 200, url
        assert assert_errors_announced(response.content.decode()) >= 3, url


def test_the_enterprise_and_the_city_forms_announce_their_errors(cast, login):
    BatchFactory()
    response = login(cast.applicant).post("/declarations/new/", {"category": ""})
    assert response.status_code == 200
    assert assert_errors_announced(response.content.decode()) >= 1

    batch = BatchFactory(requires_third_party=False)
    declaration = in_city_review(cast, batch=batch)
    city = login(cast.wuhan_official)
    city_decides(city, declaration, "recommend", "同意推荐")
    response = city.post(f"/reviews/city/{batch.pk}/", {"opinion": "", "document_number": "x" * 65})
    assert response.status_code == 200
    assert assert_errors_announced(response.content.decode()) == 2


def test_every_form_a_view_renders_bound_has_an_announced_summary():
    """A form printed with ``as_div`` comes with ``includes/form_errors.html`` (``includes/form_fields.html``
    has its own), so the pages this test cannot reach with a bad post announce their errors too."""
    missing = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        name = str(path.relative_to(TEMPLATES))
        for form in set(re.findall(r"\{\{ *(\w+)\.as_div *\}\}", text)):
            if form in NEVER_BOUND.get(name, set()):
                continue
            included = r'\{% include "includes/form_errors\.html"' + (
                r" *%\}" if form == "form" else rf" with form={form} *%\}}"
            )
            if not re.search(included, text):
                missing.append(f"{name}: {form}")
    assert missing == []


def test_a_group_of_choices_in_error_is_described_by_its_message():
    from django import forms
    from django.template import Context, Template

    class Roles(forms.Form):
        roles = forms.MultipleChoiceField(
            choices=[("a", "甲"), ("b", "乙")], widget=forms.CheckboxSelectMultiple
        )
        name = forms.CharField()

    page = Template(
        '<html><body><main>{% include "includes/form_fields.html" %}</main></body></html>'
    ).render(Context({"form": Roles({"name": ""})}))
    assert assert_errors_announced(page) == 3
    assert 'fieldset aria-describedby="id_roles_error"' in page
