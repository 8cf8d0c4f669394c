"""Files on S3-compatible object storage (moto's server, through HTTP), and web processes that keep no state.

The storage tests switch STORAGES to a private bucket on a local moto server: an upload lands in the bucket and
nowhere on disk, and comes back only through the permission-checked download. The last test starts three
gunicorn processes on three ports, sharing only PostgreSQL, Redis and the bucket, and walks one applicant's
journey alternating between them: the login form from one, the login on another, the upload on a third, the
download and the logout elsewhere.
"""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import boto3
import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from moto.server import ThreadedMotoServer

from applications import services

from ..factories import PASSWORD, PDF_BYTES, BatchFactory

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    name = f"greenmfg-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    client.create_bucket(Bucket=name)
    return client, name


def s3_environment(endpoint, bucket_name):
    return {
        "S3_BUCKET": bucket_name,
        "S3_ENDPOINT_URL": endpoint,
        "S3_ACCESS_KEY_ID": "test",
        "S3_SECRET_ACCESS_KEY": "test",
    }


def keys(client, bucket_name):
    return [item["Key"] for item in client.list_objects_v2(Bucket=bucket_name).get("Contents", [])]


@pytest.fixture
def on_s3(settings, s3_endpoint, bucket, monkeypatch):
    """STORAGES as greenmfg/settings.py makes them when the S3_ variables are set."""
    client, name = bucket
    for variable, value in s3_environment(s3_endpoint, name).items():
        monkeypatch.setenv(variable, value)
    import importlib

    import greenmfg.settings as project_settings

    fresh = importlib.reload(project_settings)
    settings.STORAGES = fresh.STORAGES
    yield client, name
    for variable in s3_environment(s3_endpoint, name):
        monkeypatch.delenv(variable)
    importlib.reload(project_settings)


@pytest.mark.django_db
def test_an_upload_goes_to_the_private_bucket_and_comes_back_only_through_the_checked_download(
    cast, login, on_s3, settings
):
    client, name = on_s3
    declaration = services.create_declaration(
        organisation=cast.wuhan_org, user=cast.applicant, batch=BatchFactory(), category="factory"
    )
    applicant = login(cast.applicant)
    response = applicant.post(
        f"/declarations/{declaration.pk}/attachments/",
        {"slot": "other", "file": SimpleUploadedFile("报告.pdf", PDF_BYTES, content_type="application/pdf")},
    )
    assert response.status_code == 302
    attachment = declaration.attachments.get()
    assert keys(client, name) == [attachment.file.name]
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.pdf"))
    grants = client.get_object_acl(Bucket=name, Key=attachment.file.name)["Grants"]
    assert [grant["Grantee"].get("URI") for grant in grants if "URI" in grant["Grantee"]] == []  # not public

    url = f"/declarations/{declaration.pk}/attachments/{attachment.pk}/"
    assert b"".join(applicant.get(url).streaming_content) == PDF_BYTES
    assert login(cast.other_applicant).get(url).status_code == 404


# Three web processes, one journey


class Browser:
    """One person's cookies across every port of 127.0.0.1 (cookies do not depend on the port)."""

    def __init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )

    def request(self, port, path, data=None, headers=None):
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def csrf(self, port, path):
        _status, _headers, body = self.request(port, path)
        return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def multipart(fields, file_field, filename, content):
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def three_web_processes(s3_endpoint, bucket, tmp_path):
    _client, name = bucket
    database = connection.settings_dict
    environment = {
        **os.environ,
        **s3_environment(s3_endpoint, name),
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/6"),
        "DJANGO_DEBUG": "true",
        "MEDIA_ROOT": str(tmp_path / "no-media-here"),
        "DJANGO_SETTINGS_MODULE": "greenmfg.settings",
        "NO_PROXY": "127.0.0.1",
    }
    if not environment["REDIS_URL"]:
        pytest.skip("the shared-state test needs Redis (REDIS_URL)")
    ports, servers = [free_port() for _ in range(3)], []
    try:
        for port in ports:
            servers.append(
                subprocess.Popen(
                    [
                        str(Path(sys.executable).parent / "gunicorn"),
                        "-c",
                        "gunicorn.conf.py",
                        "-b",
                        f"127.0.0.1:{port}",
                        "--workers",
                        "1",
                        "--access-logfile",
                        "/dev/null",
                        "greenmfg.wsgi:application",
                    ],
                    cwd=ROOT,
                    env=environment,
                    stdout=subprocess.DEVNULL,
                    stderr=open(tmp_path / f"gunicorn-{port}.log", "wb"),
                )
            )
        deadline = time.monotonic() + 60
        for port in ports:
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        pytest.fail(f"gunicorn on {port} did not start")
                    time.sleep(0.3)
        yield ports
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)


# Committed rows (other processes read them); serialized rollback so that the flush afterwards leaves the database
# as the next transactional test with serialized_rollback expects it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_journey_alternating_between_three_web_processes(cast, three_web_processes, bucket, tmp_path):
    first, second, third = three_web_processes
    client, name = bucket
    declaration = services.create_declaration(
        organisation=cast.wuhan_org, user=cast.applicant, batch=BatchFactory(), category="factory"
    )
    # The servers hash as production does (the tests' fast MD5 hasher is not theirs).
    applicant = type(cast.applicant).objects.filter(pk=cast.applicant.pk)
    applicant.update(password=PBKDF2PasswordHasher().encode(PASSWORD, "three-processes"))
    browser = Browser()

    token = browser.csrf(first, "/accounts/login/")
    status, headers, _body = browser.request(
        second,
        "/accounts/login/",
        urllib.parse.urlencode(
            {"username": cast.applicant.username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        ).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 302, "the login made on one process"
    status, _headers, body = browser.request(third, f"/declarations/{declaration.pk}/")
    assert status == 200, "is the session of every process"

    token = browser.csrf(third, f"/declarations/{declaration.pk}/attachments/")
    body, content_type = multipart(
        {"slot": "other", "csrfmiddlewaretoken": token}, "file", "报告.pdf", PDF_BYTES
    )
    status, headers, _body = browser.request(
        first, f"/declarations/{declaration.pk}/attachments/", body, {"Content-Type": content_type}
    )
    assert status == 302
    attachment = declaration.attachments.get()
    assert keys(client, name) == [attachment.file.name]
    assert not (tmp_path / "no-media-here").exists()  # nothing on any process's disk

    download = f"/declarations/{declaration.pk}/attachments/{attachment.pk}/"
    for port in (first, second, third):
        status, _headers, body = browser.request(port, download)
        assert (status, body) == (200, PDF_BYTES)

    token = browser.csrf(second, "/dashboard/")
    status, _headers, _body = browser.request(
        third,
        "/accounts/logout/",
        urllib.parse.urlencode({"csrfmiddlewaretoken": token}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 302
    for port in (first, second):
        status, headers, _body = browser.request(port, download)
        assert status == 302 and "/accounts/login/" in headers["Location"], "logged out everywhere"
