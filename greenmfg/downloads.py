"""Responses for downloads, so every download is named, typed and audited the same way.

File names are Chinese, as people file them (``湖北省绿色制造名单-2026-11-30.xlsx``): Django writes a non-ASCII name
as RFC 6266 / RFC 5987 ``filename*=utf-8''…``, which every current browser reads. Names come from data (an
organisation's name), so they lose control and bidirectional-override characters on the way out, as uploaded
names do on the way in.

Every generated export (xlsx, PDF) and every private (uploaded) file leaves through these helpers, which label the
response; ``AuditDownloadsMiddleware`` writes the audit entry (who, from where, which file of what) once the view
has answered, so the helpers need no request.
"""

from dataclasses import dataclass
from pathlib import PurePath

from django.db import models
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

from .models import AuditEntry
from .uploads import plain_name

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Audited:
    action: str
    filename: str
    subject: models.Model | None = None


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, plain_name(filename))
    response.audited = Audited("export", filename)
    return response


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, plain_name(filename))
    response.audited = Audited("export", filename)
    return response


def private_file(file, *, subject, filename="", content_type=None) -> FileResponse:
    """An uploaded file, after the view has checked who may have it; ``subject`` is the row it belongs to."""
    response = FileResponse(file.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
    response.audited = Audited("download", filename or PurePath(file.name).name, subject)
    return response


class AuditDownloadsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        audited = getattr(response, "audited", None)
        if audited is not None and response.status_code == 200:
            AuditEntry.record(
                audited.subject,
                actor=request.user,
                action=audited.action,
                opinion=audited.filename,
                address=request.META.get("REMOTE_ADDR", ""),
            )
        return response
