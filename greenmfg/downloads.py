"""Responses for generated documents, so every download is named and typed the same way.

File names are Chinese, as people file them (``湖北省绿色制造名单-2026-11-30.xlsx``): Django writes a non-ASCII name
as RFC 6266 / RFC 5987 ``filename*=utf-8''…``, which every current browser reads. Names come from data (an organisation's name), so they lose control and
bidirectional-override characters on the way out, as uploaded names do on the way in.
"""

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from .uploads import plain_name

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, plain_name(filename))
    return response


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, plain_name(filename))
    return response
