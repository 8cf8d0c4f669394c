"""Every PDF the portal writes: a template extending ``pdf/base.html`` (A4, Chinese in the SC faces only, page
numbers), rendered by WeasyPrint; signed for the issuing office when that office has a certificate.

A template marks the 落款 with ``{% include "pdf/_signature.html" %}``: the office's name and the date, and, when
the document is signed, the frame the visible signature field is placed on.
"""

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from . import signing

CSS_PX_IN_PT = 0.75
SEAL = "seal"


def render(
    template: str, context: dict, *, office: signing.Office | None = None, reason: str = "", sign: bool = True
) -> bytes:
    """The PDF of ``template``, issued by ``office`` (its name in the 落款) and signed as it, with ``reason``,
    if it has a certificate and ``sign`` holds."""
    signed = sign and signing.is_configured(office)
    html = render_to_string(template, {**context, "office": office, "signed": signed})
    document = HTML(string=html).render(font_config=FontConfiguration())
    pdf = document.write_pdf()
    if not signed:
        return pdf
    page, box = _seal_box(document)
    return signing.sign(pdf, office, page=page, box=box, reason=reason)


def _seal_box(document) -> tuple[int, tuple[int, int, int, int]]:
    """The page and PDF rectangle (points, origin bottom left) of the 落款 frame; the last page's foot if none."""
    marked = [(number, page) for number, page in enumerate(document.pages) if SEAL in page.anchors]
    if marked:
        number, page = marked[0]
        left, top, right, bottom = page.anchors[SEAL]
    else:
        number, page = len(document.pages) - 1, document.pages[-1]
        left, top, right, bottom = page.width - 320, page.height - 180, page.width - 80, page.height - 80
    box = (left, page.height - bottom, right, page.height - top)
    return number, tuple(round(value * CSS_PX_IN_PT) for value in box)
