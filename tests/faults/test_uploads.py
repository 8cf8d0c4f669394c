"""The web worker killed (SIGKILL) while 19 MB uploads are received and stored: no file under a real name is
ever partial, and every file no row names is removed by the orphan cleanup."""

import hashlib
import http.client
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from applications import services
from applications.models import Attachment
from greenmfg import orphans

from ..factories import PASSWORD, BatchFactory
from .conftest import port_open, wait_for
from .http import Browser

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

KILL_AFTER = (0.05, 0.1, 0.15, 0.25)  # seconds after the whole body was sent


def workers_of(master):
    result = subprocess.run(["ps", "--ppid", str(master), "-o", "pid="], capture_output=True, text=True)
    return {int(pid) for pid in result.stdout.split()}


def multipart(fields, content):
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@pytest.mark.timeout(240)
def test_a_web_worker_killed_mid_upload_leaves_no_partial_file_and_orphans_are_removed(
    portal, cast, settings
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    cast.applicant.set_password(PASSWORD)
    cast.applicant.save()
    declaration = services.create_declaration(
        organisation=cast.wuhan_org,
        user=cast.applicant,
        batch=BatchFactory(requires_third_party=False),
        category="factory",
    )
    portal.env["WEB_CONCURRENCY"] = "1"
    web = portal.start_web()
    browser = Browser(f"http://127.0.0.1:{portal.web_port}")
    browser.log_in(cast.applicant.username, PASSWORD)
    url = f"/declarations/{declaration.pk}/attachments/"
    content = b"%PDF-1.4\n" + os.urandom(19 * 1024 * 1024)
    digest = hashlib.sha256(content).hexdigest()
    body, content_type = multipart({"csrfmiddlewaretoken": browser.csrf_token(url), "slot": "other"}, content)
    cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in browser.cookies)

    def upload(kill_after):
        connection = http.client.HTTPConnection("127.0.0.1", portal.web_port, timeout=60)
        connection.putrequest("POST", url)
        for name, value in (
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("Cookie", cookies),
            ("Referer", browser.base + url),
        ):
            connection.putheader(name, value)
        connection.endheaders()
        connection.send(body)
        if kill_after is None:
            status = connection.getresponse().status
            connection.close()
            return status
        time.sleep(kill_after)
        [worker] = wait_for(lambda: workers_of(web.pid), 30, "gunicorn has no worker")
        os.kill(worker, signal.SIGKILL)
        connection.close()
        wait_for(lambda: workers_of(web.pid) - {worker}, 30, "gunicorn did not start a new worker")
        wait_for(lambda: port_open(portal.web_port), 30, "gunicorn stopped listening")
        return None

    assert upload(None) == 302  # a whole upload: one row, one file
    for kill_after in KILL_AFTER:
        upload(kill_after)

    media = Path(settings.MEDIA_ROOT)
    named = {a.file.name for a in Attachment.objects.all()}
    files = {p.relative_to(media).as_posix(): p for p in media.rglob("*") if p.is_file()}
    real = {name: path for name, path in files.items() if not path.name.startswith(".upload-")}
    assert len(named) >= 1 and named <= set(real)
    assert {hashlib.sha256(path.read_bytes()).hexdigest() for path in real.values()} == {digest}

    removed = orphans.remove_orphans(now=time.time() + 2 * 86400)
    assert sorted(removed) == sorted(set(files) - named)
    remaining = sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file())
    assert remaining == sorted(named)
    print(
        f"\nuploads: 1 whole + {len(KILL_AFTER)} killed; rows {len(named)}, files before cleanup "
        f"{len(real)} complete + {len(files) - len(real)} partial (.part), none partial under a real name; "
        f"{len(removed)} orphan(s) removed"
    )
