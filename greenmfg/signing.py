"""Signing the PDFs the portal issues on an office's behalf (pyHanko, PAdES), when the office has a certificate.

An office is ``"province"`` (省经信厅) or a city's division code (``"420100"``, its 经信局); its certificate is a
PKCS#12 file configured in ``settings.OFFICE_CERTIFICATES`` (README: Signed documents). Without one the document
is issued unsigned, as before. The signature field is visible: it lies over the 落款, where a paper document
carries the office's seal, and a PDF reader shows who signed and whether the file is intact.
"""

from dataclasses import dataclass
from io import BytesIO

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.stamp import StaticStampStyle

FIELD = "Signature1"


@dataclass(frozen=True)
class Office:
    key: str  # "province" or a city's division code
    name: str  # printed in the 落款 and recorded as the signer's name


def province(name: str = "") -> Office:
    return Office("province", name or _("湖北省经济和信息化厅"))


def city(region) -> Office:
    return Office(region.pk, _("%(city)s经济和信息化局") % {"city": region.name})


def is_configured(office: Office | None) -> bool:
    return office is not None and office.key in settings.OFFICE_CERTIFICATES


def _signer(office_key: str):
    path, passphrase = settings.OFFICE_CERTIFICATES[office_key]
    signer = signers.SimpleSigner.load_pkcs12(path, passphrase=passphrase.encode() or None)
    if signer is None:
        raise ValueError(f"cannot open the PKCS#12 file of office {office_key}: {path}")
    return signer


@checks.register(checks.Tags.security)
def certificates_open(app_configs=None, **kwargs):
    """A certificate that does not open would make every document of its office fail: say so at start-up."""
    errors = []
    for key in settings.OFFICE_CERTIFICATES:
        try:
            _signer(key)
        except (OSError, ValueError) as problem:
            errors.append(
                checks.Error(str(problem), hint="OFFICE_CERTIFICATE_* (README)", id="greenmfg.E101")
            )
    return errors


def sign(pdf: bytes, office: Office, *, page: int, box: tuple[int, int, int, int], reason: str) -> bytes:
    """``pdf`` signed with ``office``'s certificate, the visible field at ``box`` (PDF points) on ``page``."""
    signer = _signer(office.key)
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    pdf_signer = signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name=FIELD, name=office.name, reason=reason, location="湖北省"),
        signer=signer,
        # The field draws nothing itself (the 落款 frame is in the page); a text stamp, even an empty one,
        # would add a Courier font that is not embedded.
        stamp_style=StaticStampStyle(border_width=0),
        new_field_spec=fields.SigFieldSpec(sig_field_name=FIELD, on_page=page, box=box),
    )
    return pdf_signer.sign_pdf(writer).getvalue()
