"""A worker killed with SIGKILL in the middle of its work: what it had not finished is redone, once."""

import time
from collections import Counter
from datetime import date

import pytest

from greenmfg.models import OutgoingEmail
from greenmfg.roles import Role
from registry.models import ListedUnit, ReReviewCase

from ..factories import OrganisationFactory, make_user
from .conftest import VISIBILITY_TIMEOUT, wait_for

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(240),
]


def test_a_worker_killed_mid_sweep_leaves_every_due_unit_with_exactly_one_case(portal):
    make_user(Role.CITY, city="420100", email="wuhan@example.cn")
    organisation = OrganisationFactory(region_id="420100")
    units = ListedUnit.objects.bulk_create(
        ListedUnit(
            organisation=organisation,
            region_id="420100",
            category="product",
            product_name=f"产品{i}",
            year=2022,
            listed_on=date(2022, 12, 1),
            next_review_on=date(2025, 12, 1),
        )
        for i in range(300)
    )
    worker = portal.start_worker()

    portal.run("from registry.tasks import open_due_rereviews; print(open_due_rereviews.delay())")
    wait_for(lambda: ReReviewCase.objects.count() >= 80, 60, "the sweep did not start")
    worker.kill()  # SIGKILL, mid-chunk
    at_kill = ReReviewCase.objects.count()
    assert at_kill < len(units), "the sweep finished before the kill: the test proves nothing"

    time.sleep(VISIBILITY_TIMEOUT + 1)  # the killed chunk becomes visible again
    portal.start_worker()
    wait_for(lambda: ReReviewCase.objects.count() >= len(units), 90, "not every due unit got its case")
    time.sleep(1)

    cases = Counter(ReReviewCase.objects.values_list("listed_unit_id", flat=True))
    assert set(cases) == {unit.pk for unit in units}
    assert set(cases.values()) == {1}
    print(f"\nsweep: {len(units)} due units, {at_kill} cases at the kill, {len(cases)} after restart")


def test_a_worker_killed_mid_email_batch_sends_every_notice_once(portal):
    recipients = 400
    for i in range(recipients):
        make_user(Role.APPLICANT, username=f"mass{i:04d}", email=f"mass{i:04d}@example.cn")
    worker = portal.start_worker()

    started = time.monotonic()
    portal.run(
        "from greenmfg.notifications import notify; from greenmfg.models import User\n"
        "notify(User.objects.filter(username__startswith='mass'), text='批量通知', url='/', key='mass')"
    )
    sent = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENT)
    wait_for(lambda: sent.count() >= 100, 60, "no e-mail was sent")
    worker.kill()
    at_kill = sent.count()
    assert at_kill < recipients, "the batch finished before the kill: the test proves nothing"

    time.sleep(VISIBILITY_TIMEOUT + 1)
    portal.start_worker()
    wait_for(lambda: sent.count() >= recipients, 90, "not every notice was e-mailed")
    elapsed = time.monotonic() - started
    time.sleep(1)

    mail = portal.sent_mail()
    per_message = Counter(message_id for message_id, _to, _subject in mail)
    per_address = Counter(to for _id, to, _subject in {(i, t, s) for i, t, s in mail})
    assert len(per_message) == recipients
    assert set(per_address.values()) == {1}
    repeats = len(mail) - len(per_message)
    # A message whose acceptance was not yet committed when the worker died is sent again, with its Message-ID.
    assert repeats <= 1
    assert OutgoingEmail.objects.exclude(status=OutgoingEmail.Status.SENT).count() == 0
    print(
        f"\ne-mail batch: {recipients} notices, {at_kill} sent at the kill, {len(per_message)} distinct "
        f"after restart, {repeats} repeated transmission(s), {elapsed:.1f} s"
    )
