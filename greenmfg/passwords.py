"""The stronger password rule for privileged accounts (greenmfg.accounts.privileged); enterprises keep Django's."""

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits)
MIN_LENGTH = 10
MIN_CLASSES = 3


def character_classes(password) -> int:
    """Lower case, upper case, digits, and everything else: how many of the four the password uses."""
    found = {index for char in password for index, chars in enumerate(CLASSES) if char in chars}
    others = any(not any(char in chars for chars in CLASSES) for char in password)
    return len(found) + others


def require_strong(password) -> None:
    """The rule itself; also asked by forms that create a privileged account before it has its role."""
    if len(password) < MIN_LENGTH or character_classes(password) < MIN_CLASSES:
        raise ValidationError(
            _("密码至少 %(length)d 位，且须包含大写字母、小写字母、数字、符号中的至少 %(classes)d 类。")
            % {"length": MIN_LENGTH, "classes": MIN_CLASSES},
            code="password_too_weak",
        )


class OfficialPasswordValidator:
    def validate(self, password, user=None):
        from .accounts import privileged

        if user is not None and user.pk and privileged(user):
            require_strong(password)

    def get_help_text(self):
        return _(
            "政府部门、专家、评价机构和管理员的密码至少 %(length)d 位，且包含大写字母、小写字母、数字、符号中的至少 %(classes)d 类。"
        ) % {"length": MIN_LENGTH, "classes": MIN_CLASSES}
