"""Redis stops while people work: pages and decisions go on, and the e-mails go out once Redis is back."""

import threading
import time

import pytest

from applications.models import Declaration
from greenmfg.models import OutgoingEmail

from ..factories import PASSWORD, backup_code
from ..reviews.test_review_stage import in_city_review
from .conftest import wait_for
from .http import Browser

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.timeout(240)
def test_a_decision_during_a_redis_outage_redirects_at_once_and_its_email_follows(portal, cast, settings):
    # The web process checks passwords with the default hasher, not the tests' fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    cast.wuhan_official.set_password(PASSWORD)
    cast.wuhan_official.save()
    cast.applicant.email = "qiye@example.cn"
    cast.applicant.set_password(PASSWORD)
    cast.applicant.save()
    declaration = in_city_review(cast)
    portal.start_worker()
    portal.start_beat()
    portal.start_web()
    browser = Browser(f"http://127.0.0.1:{portal.web_port}")
    browser.log_in(cast.wuhan_official.username, PASSWORD, code=backup_code(cast.wuhan_official))
    review = f"/reviews/declarations/{declaration.pk}/city-review/"
    token = browser.csrf_token(review)

    portal.stop_redis()
    outage_started = time.monotonic()
    status, headers, page, seconds = browser.request(
        review,
        {"csrfmiddlewaretoken": token, "decision": "not_recommend", "opinion": "不符合基本条件"},
    )
    pages = [browser.request(path) for path in ("/", "/dashboard/", "/lists/", "/publicity/")]
    ready = browser.request("/readyz")

    assert status == 302, page[:3000]
    # Measured 0.2–1 s; the bound leaves room for a loaded CI machine while still catching the old ~19 s block.
    assert seconds < 5
    assert headers["Location"] == f"/reviews/city/{declaration.batch_id}/"
    assert Declaration.objects.get(pk=declaration.pk).state == Declaration.State.NOT_RECOMMENDED
    email = OutgoingEmail.objects.get(to="qiye@example.cn")
    assert email.status == OutgoingEmail.Status.PENDING
    assert [page_status for page_status, *_rest in pages] == [200, 200, 200, 200]
    assert ready[0] == 200 and '"cache": {"ok": false' in ready[2] and '"broker": {"ok": false' in ready[2]

    # A double-click on 新建申报 while Redis is away: one draft, both requests land on it.
    applicant = Browser(browser.base)
    applicant.log_in(cast.applicant.username, PASSWORD)
    form = {"organisation": cast.wuhan_org.pk, "batch": declaration.batch_id, "category": "product"}
    token = applicant.csrf_token("/declarations/new/")
    clicks = [None, None]
    barrier = threading.Barrier(2)

    def click(index):
        barrier.wait()
        clicks[index] = applicant.request("/declarations/new/", {**form, "csrfmiddlewaretoken": token})

    threads = [threading.Thread(target=click, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    drafts = Declaration.objects.filter(organisation=cast.wuhan_org, category="product")
    assert drafts.count() == 1
    assert [(c[0], c[1]["Location"]) for c in clicks] == [(302, f"/declarations/{drafts.get().pk}/edit/")] * 2

    time.sleep(max(0, 5 - (time.monotonic() - outage_started)))
    portal.start_redis()
    returned = time.monotonic()
    wait_for(
        lambda: OutgoingEmail.objects.filter(pk=email.pk, status=OutgoingEmail.Status.SENT).exists(),
        75,
        "the e-mail was not delivered after Redis returned",
        interval=0.5,
    )
    delivered_after = time.monotonic() - returned
    mail = portal.sent_mail()
    assert [to for _id, to, _subject in mail] == ["qiye@example.cn"]
    assert delivered_after < 60
    print(
        f"\noutage: decision redirected in {seconds:.2f} s, {len(pages)} pages 200, e-mail pending during the "
        f"outage, delivered {delivered_after:.1f} s after Redis returned; double-click: 1 draft"
    )
