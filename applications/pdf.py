"""申报书 as a PDF (greenmfg.pdf): the applicant's own document, so never signed by an office."""

from django.utils import timezone

from greenmfg import pdf

from . import eligibility
from .forms import declared_fields


def declaration_pdf(declaration) -> bytes:
    result = declaration.self_evaluation()
    return pdf.render(
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
