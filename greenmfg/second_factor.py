"""The second factor (django-otp): an authenticator app (TOTP) and printed single-use backup codes."""

from base64 import b32encode

import segno
from django.db import transaction
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import AuditEntry

BACKUP_CODES = 10
APP_DEVICE = "身份验证器"
BACKUP_DEVICE = "备用码"


def pending_app(user) -> TOTPDevice:
    """The authenticator being enrolled: kept across reloads of the page so the QR code stays the same."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE, confirmed=False)


def qr_code_svg(device) -> str:
    """The otpauth:// address as an inline SVG, drawn on the server (nothing leaves the intranet)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff")


def manual_key(device) -> str:
    """The secret in base32, grouped by four, for apps that cannot scan."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@transaction.atomic
def confirm_app(request, device, token) -> list[str] | None:
    """A correct code from the app confirms it, verifies this session and gives new backup codes."""
    if not device.verify_token(token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    otp_login(request, device)
    AuditEntry.record(device.user, actor=device.user, action="otp_enrolled")
    return new_backup_codes(device.user)


@transaction.atomic
def new_backup_codes(user, codes=None) -> list[str]:
    """Replace the user's backup codes (``codes`` given by the demo data, else random); each works once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=BACKUP_DEVICE)
    device.token_set.all().delete()
    codes = list(codes or (StaticToken.random_token() for _ in range(BACKUP_CODES)))
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def verify(request, token) -> bool:
    """A code from the app or a backup code completes this login."""
    device = match_token(request.user, token.strip().replace(" ", ""))
    if device is None:
        AuditEntry.record(request.user, actor=request.user, action="otp_failed")
        return False
    otp_login(request, device)
    return True
