"""``{% load pension_labels %}``: Chinese labels for the codes stored with special statuses.

A government-paid rule's (and a special status's) ``detail`` is stored as a code ("full",
"partial", "1"…); pages show the label the special-status form offers ("全额", "差额", "一级"…).
"""

from django import template

from jumin.people.models import DETAIL_LABELS

register = template.Library()


@register.filter
def detail_label(value) -> str:
    """``"full"`` → ``"全额"``, ``"1"`` → ``"一级"``; anything else unchanged."""
    value = "" if value is None else str(value)
    return str(DETAIL_LABELS.get(value, value))


@register.filter
def group_label(value) -> str:
    """A due's government-paid group, stored as ``"低保对象 full"`` → ``"低保对象 全额"``."""
    value = "" if value is None else str(value)
    kind, _space, detail = value.rpartition(" ")
    if not kind or detail not in DETAIL_LABELS:
        return value
    return f"{kind} {DETAIL_LABELS[detail]}"
