"""What an uploaded file really is, read from its content rather than its name."""

import hashlib
import re
import unicodedata
import uuid
import zipfile

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

ALLOWED_KINDS = {
    "pdf": ("application/pdf", ".pdf"),
    "jpg": ("image/jpeg", ".jpg"),
    "png": ("image/png", ".png"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
}


def sniff(uploaded) -> str | None:
    """The kind of file (a key of ALLOWED_KINDS) from its leading bytes and, for Office files, its parts."""
    uploaded.seek(0)
    head = uploaded.read(8)
    uploaded.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(uploaded) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            uploaded.seek(0)
        if "[Content_Types].xml" in names:
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
    return None


def validate_upload(uploaded, *, max_bytes: int) -> str:
    """Refuse anything but PDF, JPG, PNG, DOCX, XLSX, or a file over the limit; returns the kind."""
    if uploaded.size > max_bytes:
        raise ValidationError(
            _("文件“%(name)s”大小为 %(size)s，超过了 %(limit)s 的上限。")
            % {
                "name": uploaded.name,
                "size": filesizeformat(uploaded.size),
                "limit": filesizeformat(max_bytes),
            },
            code="too_large",
        )
    if uploaded.size == 0:
        raise ValidationError(_("文件“%(name)s”是空文件。") % {"name": uploaded.name}, code="empty")
    kind = sniff(uploaded)
    if kind is None:
        raise ValidationError(
            _("文件“%(name)s”的内容不是 PDF、JPG、PNG、DOCX 或 XLSX 格式（按文件内容识别，与扩展名无关）。")
            % {"name": uploaded.name},
            code="file_type",
        )
    return kind


# Invisible characters that change how a name reads: bidirectional overrides and isolates (a right-to-left
# override makes "报告\u202efdp.exe" show as "报告exe.pdf"), zero-width characters, other format characters.
_INVISIBLE = frozenset({"Cf"})
# Characters that break a line or a header: control characters (C0 and C1), line and paragraph separators.
_BREAKING = frozenset({"Cc", "Zl", "Zp", "Cs", "Co", "Cn"})


def plain_name(name: str, *, breaking="_") -> str:
    """``name`` without invisible format characters, and with ``breaking`` for each control character: for every
    file name the portal stores or sends in a download header (uploads here, generated documents in
    ``greenmfg.downloads``)."""
    return "".join(
        breaking if unicodedata.category(c) in _BREAKING else c
        for c in unicodedata.normalize("NFC", name or "")
        if unicodedata.category(c) not in _INVISIBLE
    )


def safe_filename(name: str, kind: str) -> str:
    """A display name without paths, control or bidirectional-override characters, ending in the extension of
    its real kind."""
    name = plain_name(name, breaking="\x00").replace("\\", "/").split("/")[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = re.sub(r"[\x00-\x1f\x7f<>:\"|?*]+", "_", stem).strip(" .") or _("附件")
    return f"{stem[:100]}{ALLOWED_KINDS[kind][1]}"


def sha256_of(uploaded) -> str:
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def save_with_file(instance, field_name: str, uploaded, kind: str):
    """Store ``uploaded`` under a fresh name, then save ``instance``; if the row cannot be written, the stored
    file does not stay behind."""
    field_file = getattr(instance, field_name)
    field_file.save(f"{uuid.uuid4().hex}{ALLOWED_KINDS[kind][1]}", uploaded, save=False)
    try:
        instance.save()
    except Exception:
        field_file.delete(save=False)
        raise
    return instance
