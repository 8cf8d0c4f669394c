"""申报书 as a PDF (WeasyPrint): A4, Chinese text in Noto CJK, embedded as a subset."""

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from greenmfg.languages import in_official_language

from . import eligibility
from .forms import declared_fields


@in_official_language
def declaration_pdf(declaration) -> bytes:
    result = declaration.self_evaluation()
    html = render_to_string(
        "applications/declaration_pdf.html",
        {
            "declaration": declaration,
            "fields": declared_fields(declaration),
            "result": result,
            "items": [
                (label, code in declaration.attested_items)
                for code, label in eligibility.items_for(declaration.category)
            ],
            "commitment": declaration.commitments.select_related("user").first(),
            "attachments": declaration.attachments.all(),
            "printed_at": timezone.localtime(),
        },
    )
    fonts = FontConfiguration()
    return HTML(string=html).write_pdf(font_config=fonts)
