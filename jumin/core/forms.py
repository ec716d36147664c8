"""The base of every form in jumin, and the forms of the core pages.

Every form of the project derives from ``Form`` or ``ModelForm`` here (a test walks all of
them), so what a person types meets the same rules as the JSON API and the file imports:

- every text field refuses control characters with ``jumin.core.text.check_text`` (line breaks
  and tabs only in a ``Textarea``): a ``\x07`` in a name would otherwise be stored and break
  every Excel export that holds it, and PostgreSQL cannot store a NUL byte at all;
- every date field accepts 1900-01-01 … 2199-12-31 (``jumin.core.parsing``), so adding a day or
  a month to a typed date can never overflow;
- every integer field without its own bounds stays within the database's 64-bit integers.

The problem is shown on the field, in Chinese, with what was typed kept in the form. Forms
only parse input; the rules live in the services. The forms of core's own pages are in
``jumin.core.web.forms``.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from jumin.core import parsing
from jumin.core.text import TextError, check_text

# --------------------------------------------------------------------------- input rules


@deconstructible
class TextRuleValidator:
    """``check_text`` as a field validator: the Chinese message lands on the field."""

    code = "control_characters"

    def __init__(self, *, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value):
        try:
            check_text(value, multiline=self.multiline)
        except TextError as error:
            raise ValidationError(error.message, code=self.code) from None

    def __eq__(self, other):
        return isinstance(other, TextRuleValidator) and other.multiline == self.multiline


@deconstructible
class DateRangeValidator:
    """Dates from 1900-01-01 to 2199-12-31 (``parsing.check_date``)."""

    code = "date_range"

    def __call__(self, value):
        try:
            parsing.check_date(value)
        except parsing.InputError as error:
            raise ValidationError(error.message, code=self.code) from None

    def __eq__(self, other):
        return isinstance(other, DateRangeValidator)


@deconstructible
class IntegerRangeValidator:
    """An integer the database can hold (±(2⁶³ − 1)); ids and counts beyond are typing errors."""

    code = "integer_range"

    def __call__(self, value):
        if not -parsing.MAX_ID <= value <= parsing.MAX_ID:
            raise ValidationError(_("数字过大"), code=self.code)

    def __eq__(self, other):
        return isinstance(other, IntegerRangeValidator)


def apply_input_rules(field: forms.Field) -> forms.Field:
    """Give ``field`` the validators of its kind (once); see the module's docstring."""
    if getattr(field, "input_rules_applied", False):
        return field
    validators = list(field.validators)
    if isinstance(field, forms.CharField):
        multiline = isinstance(field.widget, forms.Textarea)
        # check_text names the NUL byte like any other control character, in Chinese
        validators = [
            validator
            for validator in validators
            if not isinstance(validator, ProhibitNullCharactersValidator)
        ]
        validators.append(TextRuleValidator(multiline=multiline))
    elif isinstance(field, forms.DateField | forms.DateTimeField):
        validators.append(DateRangeValidator())
    elif isinstance(field, forms.IntegerField) and not isinstance(
        field, forms.DecimalField | forms.FloatField
    ):
        if field.max_value is None or field.min_value is None:
            validators.append(IntegerRangeValidator())
    field.validators = validators
    field.input_rules_applied = True
    return field


class InputRulesMixin:
    """Applies ``apply_input_rules`` to every field, including those added in ``__init__``."""

    def full_clean(self):
        for field in self.fields.values():
            apply_input_rules(field)
        super().full_clean()


class Form(InputRulesMixin, forms.Form):
    """``django.forms.Form`` with jumin's input rules: every form of the project uses it."""


class ModelForm(InputRulesMixin, forms.ModelForm):
    """``django.forms.ModelForm`` with jumin's input rules."""


class YearField(forms.IntegerField):
    """A year typed on a page; 1900–2100 unless the form narrows it (``parsing.parse_year``)."""

    def __init__(self, *, min_value=parsing.YEAR_MIN, max_value=parsing.YEAR_MAX, **kwargs):
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": _("年度应写成 2026"),
                "min_value": _("年度不能早于 %(limit_value)s"),
                "max_value": _("年度不能晚于 %(limit_value)s"),
            },
        )
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)


# --------------------------------------------------------------------------- service errors


def add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` onto ``form``, whatever its shape.

    Messages for a field the form has land on that field; messages for a field it does not
    have, for ``__all__``, and errors without a field (a plain message or a list of them) are
    shown above the form. Nothing is lost and nothing raises.
    """
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.error_list)
