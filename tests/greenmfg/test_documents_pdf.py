"""The PDFs the portal issues, downloaded over HTTP: Chinese in the SC face only, page numbers, 文号 and date, the
paper layout; signed with the issuing office's certificate when it has one, and tampering is detected."""

import datetime
import subprocess
from io import BytesIO

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, Encoding, pkcs12
from cryptography.x509.oid import NameOID
from django.test import Client
from django.utils import timezone
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from applications.models import Batch
from registry.models import ListedUnit, ListPublication
from reviews.models import CityRecommendation

from ..factories import BatchFactory
from ..registry.test_publicity import passed_review
from ..reviews.test_review_stage import in_city_review
from ..workflow.test_journey import city_decides, publicity_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def documents(cast, login):
    """The 申报书, 推荐意见 (武汉), 公示 notice and provincial list publication, each as the user who may fetch it.
    Returns a function giving each document's bytes afresh, so that settings changed after the fixture apply."""
    batch = BatchFactory(requires_third_party=False)
    Batch.objects.filter(pk=batch.pk).update(publicity_length=5, publicity_day_kind="working")
    declaration = in_city_review(cast, batch=batch)
    city = login(cast.wuhan_official)
    city_decides(city, declaration, "recommend", "同意推荐")
    city.post(f"/reviews/city/{batch.pk}/", {"rank": "1", "order": [declaration.pk]})
    city.post(
        f"/reviews/city/{batch.pk}/",
        {"opinion": "经初审，同意推荐。", "document_number": "武经信节能〔2026〕5号", "confirmed": "yes"},
    )
    passed = passed_review(cast, org=cast.huangshi_org, user=cast.other_applicant, batch=batch)
    login(cast.province).post(
        "/publicity/new/", publicity_form(batch, [passed], document_number="鄂经信节能函〔2026〕12号")
    )
    publicity = passed.publicities.get()
    publication = ListPublication.objects.create(
        level="provincial",
        year=2026,
        document_number="鄂经信节能〔2026〕88号",
        published_on=datetime.date(2026, 11, 20),
        published_by=cast.province,
    )
    ListedUnit.objects.create(
        organisation=cast.wuhan_org,
        region_id="420100",
        category="factory",
        level="provincial",
        year=2026,
        listed_on=publication.published_on,
        document_number=publication.document_number,
        publication=publication,
    )
    municipal = ListPublication.objects.create(
        level="municipal",
        year=2026,
        region_id="420100",
        document_number="武经信节能〔2026〕9号",
        published_on=datetime.date(2026, 11, 25),
        published_by=cast.wuhan_official,
    )
    submitted = CityRecommendation.objects.get().submitted_at
    urls = {
        "declaration": (cast.applicant, f"/declarations/{declaration.pk}/declaration.pdf", "", None),
        "recommendation": (
            cast.wuhan_official,
            f"/reviews/city/{batch.pk}/opinion.pdf",
            "武经信节能〔2026〕5号",
            timezone.localtime(submitted).date(),
        ),
        "notice": (
            None,
            f"/publicity/{publicity.pk}/notice.pdf",
            "鄂经信节能函〔2026〕12号",
            publicity.starts_on,
        ),
        "municipal": (None, f"/lists/publications/{municipal.pk}/list.pdf", "武经信节能〔2026〕9号", None),
        "publication": (
            None,
            f"/lists/publications/{publication.pk}/list.pdf",
            "鄂经信节能〔2026〕88号",
            None,
        ),
    }

    def fetch(name):
        user, url, _number, _issued_on = urls[name]
        response = (login(user) if user else Client()).get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/pdf"
        return response.content

    fetch.urls = urls
    return fetch


def run(command, pdf: bytes, tmp_path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    return subprocess.run([*command, str(path), *(["-"] if command[0] == "pdftotext" else [])],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip


def test_every_pdf_sets_chinese_in_the_sc_face_only_numbers_its_pages_and_carries_its_number_and_date(
    documents, tmp_path
):
    for name, (_user, url, number, issued_on) in documents.urls.items():
        pdf = documents(name)
        faces = run(["pdffonts"], pdf, tmp_path)
        assert "CJK-SC" in faces, (url, faces)
        assert "JP" not in faces and "KR" not in faces and "TC" not in faces, (url, faces)
        text = run(["pdftotext", "-layout"], pdf, tmp_path)
        assert "第1页/共" in text.replace(" ", ""), url
        assert number in text, url
        if issued_on:
            assert f"{issued_on.year}年{issued_on.month}月{issued_on.day}日" in text, url
    recommendation = run(["pdftotext", "-layout"], documents("recommendation"), tmp_path)
    lines = [line.strip() for line in recommendation.splitlines() if line.strip()]
    number = lines.index("武经信节能〔2026〕5号")  # heading (on one or two lines), 文号, addressee, body
    assert "".join(lines[:number]) == "武汉市经济和信息化局关于推荐2026年度湖北省绿色制造体系名单的意见"
    assert lines[number + 1] == "湖北省经济和信息化厅："
    publication = run(["pdftotext", "-layout"], documents("publication"), tmp_path)
    assert "2026年度湖北省绿色制造名单" in publication and "武汉绿源机械有限公司" in publication
    assert "2026年11月20日" in publication
    unit = ListedUnit.objects.get(publication__level="provincial")
    assert (
        f"/lists/publications/{unit.publication_id}/list.pdf"
        in Client().get(f"/lists/{unit.pk}/").content.decode()
    )


def make_certificate(tmp_path, name, passphrase=b"secret"):
    """A self-signed signing certificate of ``name`` and its PKCS#12 file: the test's own trust root."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"), x509.NameAttribute(NameOID.ORGANIZATION_NAME, name)]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, True, False, False, False), critical=True
        )
        .sign(key, hashes.SHA256())
    )
    path = tmp_path / f"{name}.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            name.encode(), key, certificate, None, BestAvailableEncryption(passphrase)
        )
    )
    pem = tmp_path / f"{name}.pem"
    pem.write_bytes(certificate.public_bytes(Encoding.PEM))
    return str(path), load_cert_from_pemder(str(pem))


def validate(pdf: bytes, root):
    signatures = PdfFileReader(BytesIO(pdf)).embedded_signatures
    assert len(signatures) == 1
    return signatures[0], validate_pdf_signature(signatures[0], ValidationContext(trust_roots=[root]))


def test_documents_issued_for_an_office_with_a_certificate_are_signed_and_tampering_shows(
    documents, settings, tmp_path
):
    province_file, province_root = make_certificate(tmp_path, "湖北省经济和信息化厅")
    wuhan_file, wuhan_root = make_certificate(tmp_path, "武汉市经济和信息化局")
    settings.OFFICE_CERTIFICATES = {"province": (province_file, "secret"), "420100": (wuhan_file, "secret")}

    for name, root, signer in [
        ("notice", province_root, "湖北省经济和信息化厅"),
        ("publication", province_root, "湖北省经济和信息化厅"),
        ("recommendation", wuhan_root, "武汉市经济和信息化局"),
        ("municipal", wuhan_root, "武汉市经济和信息化局"),
    ]:
        pdf = documents(name)
        signature, status = validate(pdf, root)
        assert (status.intact, status.valid, status.trusted) == (True, True, True), name
        assert status.bottom_line, name
        assert signer in status.signing_cert.subject.human_friendly
        x1, y1, x2, y2 = (float(v) for v in signature.sig_field["/Rect"])
        assert x2 - x1 > 100 and y2 - y1 > 40, name  # a visible field, over the 落款
        assert "电子签名" in run(["pdftotext"], pdf, tmp_path)
        # The signature adds no face, embedded or not.
        fonts = run(["pdffonts"], pdf, tmp_path).splitlines()[2:]
        assert fonts and all("CJK-SC" in line and " yes yes yes " in line for line in fonts), (name, fonts)

        position = pdf.index(b"/MediaBox")  # inside the signed byte range; same length, still a valid PDF
        tampered = pdf[:position] + pdf[position:].replace(b"595", b"596", 1)
        _signature, status = validate(tampered, root)
        assert not status.intact and not status.bottom_line, name

    # Signed by the wrong office's certificate, it is not trusted as the right one.
    _signature, status = validate(documents("recommendation"), province_root)
    assert status.intact and not status.trusted
    # The applicant's own 申报书 is never signed by an office.
    assert PdfFileReader(BytesIO(documents("declaration"))).embedded_signatures == []
    # A city's draft 推荐意见 (not yet submitted) is not signed.
    CityRecommendation.objects.all().delete()
    assert PdfFileReader(BytesIO(documents("recommendation"))).embedded_signatures == []


def test_without_a_certificate_documents_are_issued_unsigned(documents, settings):
    settings.OFFICE_CERTIFICATES = {}
    for name in ("notice", "publication", "recommendation"):
        assert PdfFileReader(BytesIO(documents(name))).embedded_signatures == []


def test_a_certificate_that_does_not_open_is_reported_by_the_system_check(settings, tmp_path):
    from greenmfg.signing import certificates_open

    path, _root = make_certificate(tmp_path, "湖北省经济和信息化厅")
    settings.OFFICE_CERTIFICATES = {"province": (path, "secret")}
    assert certificates_open() == []
    settings.OFFICE_CERTIFICATES = {
        "province": (path, "wrong"),
        "420100": (str(tmp_path / "missing.p12"), ""),
    }
    assert [error.id for error in certificates_open()] == ["greenmfg.E101", "greenmfg.E101"]
