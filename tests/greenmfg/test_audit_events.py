"""Security events reach the audit trail: private file downloads, exports and admin changes, with who and from where."""

import re
from pathlib import Path

from django.urls import reverse

from applications import services
from applications.models import Attachment
from greenmfg.models import AuditEntry, Region

from ..factories import BatchFactory, force_login_verified, make_user, ready_to_submit

ROOT = Path(__file__).resolve().parents[2]


def test_a_private_file_download_is_audited_with_who_what_and_where(cast, login):
    declaration = services.create_declaration(
        organisation=cast.wuhan_org, user=cast.applicant, batch=BatchFactory(), category="factory"
    )
    ready_to_submit(declaration, cast.applicant)
    attachment = Attachment.objects.filter(declaration=declaration).first()
    client = login(cast.applicant)

    url = reverse("applications:attachment_download", args=[declaration.pk, attachment.pk])
    response = client.get(url, REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="download")
    assert (entry.subject, entry.actor, entry.opinion, entry.address) == (
        attachment,
        cast.applicant,
        attachment.original_name,
        "10.1.2.3",
    )


def test_a_refused_download_writes_no_download_entry(cast, login):
    declaration = services.create_declaration(
        organisation=cast.wuhan_org, user=cast.applicant, batch=BatchFactory(), category="factory"
    )
    ready_to_submit(declaration, cast.applicant)
    attachment = Attachment.objects.filter(declaration=declaration).first()
    client = login(cast.other_applicant)
    url = reverse("applications:attachment_download", args=[declaration.pk, attachment.pk])
    assert client.get(url).status_code == 404
    assert not AuditEntry.objects.filter(action="download").exists()


def test_an_export_is_audited_even_for_an_anonymous_visitor(db, client):
    response = client.get("/lists/export.xlsx", REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor is None and entry.address == "10.9.8.7"
    assert entry.opinion.endswith(".xlsx")


def test_a_change_in_the_admin_is_mirrored_into_the_audit_trail(db, client):
    superuser = make_user(None, is_superuser=True, is_staff=True)
    force_login_verified(client, superuser)
    region = Region.objects.get(pk="420100")
    response = client.post(
        f"/admin/greenmfg/region/{region.pk}/change/", {"code": "420100", "name": "武汉市", "order": 99}
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="admin_change")
    assert entry.actor == superuser and entry.subject == region
    assert "武汉市" in entry.opinion and "排序" in entry.opinion

    group = make_user(None).groups.model.objects.create(name="临时组")
    client.post(
        "/admin/auth/group/",
        {"action": "delete_selected", "_selected_action": [group.pk], "post": "yes"},
    )
    assert AuditEntry.objects.filter(action="admin_delete", opinion__startswith="临时组").exists()


def test_every_private_file_leaves_through_the_one_audited_helper():
    offenders = [
        str(path.relative_to(ROOT))
        for app in ("applications", "reviews", "registry", "greenmfg")
        for path in (ROOT / app).rglob("*.py")
        if re.search(r"\bFileResponse\(", path.read_text("utf-8")) and path.name != "downloads.py"
    ]
    assert offenders == []
