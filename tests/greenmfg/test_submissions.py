"""One record per submission: the same form sent twice — one after the other or at the same moment — is
handled once, and the second request lands where the first went."""

import threading

import pytest
from django.db import connection
from django.test import Client

from applications.models import Declaration
from registry.models import Objection
from registry.services import open_publicity

from ..factories import BatchFactory
from ..registry.test_publicity import objection, passed_review

pytestmark = pytest.mark.django_db


def test_a_declaration_form_sent_twice_creates_one_draft_and_the_second_lands_on_it(cast, login):
    batch = BatchFactory(requires_third_party=False)
    client = login(cast.applicant)
    form = {"organisation": cast.wuhan_org.pk, "batch": batch.pk, "category": "factory"}

    first = client.post("/declarations/new/", form)
    second = client.post("/declarations/new/", form, follow=True)

    declaration = Declaration.objects.get()
    assert first.status_code == 302
    assert first["Location"] == f"/declarations/{declaration.pk}/edit/"
    assert second.redirect_chain == [(first["Location"], 302)]
    assert "该表单已经提交过，未重复办理。" in second.content.decode()
    # Another category is another submission.
    assert client.post("/declarations/new/", {**form, "category": "product"}).status_code == 302
    assert Declaration.objects.count() == 2


def test_a_form_with_errors_does_not_block_the_corrected_one(cast, client):
    declaration = passed_review(cast)
    publicity = open_publicity([declaration.pk], user=cast.province, title="公示", batch=declaration.batch)
    incomplete = objection(declaration, facts="")

    assert client.post(f"/publicity/{publicity.pk}/", incomplete).status_code == 200
    assert client.post(f"/publicity/{publicity.pk}/", incomplete).status_code == 200
    assert client.post(f"/publicity/{publicity.pk}/", objection(declaration)).status_code == 302
    assert client.post(f"/publicity/{publicity.pk}/", objection(declaration)).status_code == 302
    assert Objection.objects.count() == 1


def _at_once(requests):
    """Send the requests from threads released together; each thread has its own database connection."""
    barrier, responses = threading.Barrier(len(requests)), [None] * len(requests)

    def send(index, request):
        barrier.wait()
        try:
            responses[index] = request()
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return responses


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_double_clicks_at_the_same_moment_create_one_record_on_postgresql(cast):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent requests need PostgreSQL (CI runs this)")
    batch = BatchFactory(requires_third_party=False)
    form = {"organisation": cast.wuhan_org.pk, "batch": batch.pk, "category": "factory"}
    clients = [Client() for _ in range(4)]
    for client in clients:
        client.force_login(cast.applicant)
    declaration_responses = _at_once([lambda c=c: c.post("/declarations/new/", form) for c in clients])

    declaration = passed_review(cast, batch=BatchFactory(requires_third_party=False, year=2030))
    publicity = open_publicity([declaration.pk], user=cast.province, title="公示", batch=declaration.batch)
    anonymous = [Client() for _ in range(4)]
    objection_responses = _at_once(
        [lambda c=c: c.post(f"/publicity/{publicity.pk}/", objection(declaration)) for c in anonymous]
    )

    created = Declaration.objects.filter(batch=batch).get()
    assert [r.status_code for r in declaration_responses] == [302] * 4
    assert {r["Location"] for r in declaration_responses} == {f"/declarations/{created.pk}/edit/"}
    assert [r.status_code for r in objection_responses] == [302] * 4
    assert Objection.objects.count() == 1
