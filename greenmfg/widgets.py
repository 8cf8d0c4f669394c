"""Form widgets every app shares, so that a saved value always comes back in the field that shows it.

Browsers read an ``<input type="date">`` only in ISO ``YYYY-MM-DD`` (``datetime-local``: ``YYYY-MM-DDTHH:MM``);
Django would write the active locale's first input format (``2008/05/12`` in zh-hans), which the browser shows
as empty and the next save erases. A yes/no select must map ``True``/``False``/``None`` to its option values both
ways, as Django's ``NullBooleanSelect`` does; a plain ``Select`` with "true"/"false" options loses the saved value.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

ISO_DATE = "%Y-%m-%d"
ISO_DATETIME = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_DATE)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_DATETIME)


class MetSelect(forms.NullBooleanSelect):
    """请选择 / 符合 / 不符合 for a ``NullBooleanField`` (a requirement met or not, or not yet judged)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("请选择")), ("true", _("符合")), ("false", _("不符合"))]
