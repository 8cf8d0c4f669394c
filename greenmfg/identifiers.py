"""统一社会信用代码 (GB 32100-2015): the 18-character identifier every organisation carries."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = [pow(3, i, 31) for i in range(17)]


def credit_code_check_character(first17: str) -> str:
    """The 18th character for the given first 17 (C18 = 31 − Σ value×weight mod 31; 31 becomes 0)."""
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def normalise_credit_code(value: str) -> str:
    return (value or "").strip().upper()


def validate_credit_code_format(value: str) -> None:
    """Refuse what cannot be a credit code at all: wrong length or a character outside the alphabet."""
    code = normalise_credit_code(value)
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，您输入了%(n)d位。") % {"n": len(code)}, code="credit_code_length"
        )
    for position, char in enumerate(code, start=1):
        if char not in CREDIT_CODE_ALPHABET:
            raise ValidationError(
                _("统一社会信用代码第%(pos)d位“%(char)s”不是有效字符（不使用 I、O、Z、S、V）。")
                % {"pos": position, "char": char},
                code="credit_code_character",
            )


def validate_credit_code(value: str) -> None:
    """Format and check character; the message names what is wrong."""
    validate_credit_code_format(value)
    code = normalise_credit_code(value)
    expected = credit_code_check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("统一社会信用代码校验位错误：第18位应为“%(expected)s”，您输入的是“%(actual)s”，请核对。")
            % {"expected": expected, "actual": code[17]},
            code="credit_code_check",
        )
