"""The columns of the person list in Excel: the exported fields of the spec, masked per role.

A list of persons leads with the name, as clerks read it; the other columns follow the spec's
order. A village is two columns (township, village), a household its number, a choice its
Chinese label.
"""

from django.utils.translation import gettext_lazy as _

from jumin.core.access import masked_for
from jumin.people import fields
from jumin.people.fields import Kind


def exported_fields() -> list[fields.PersonField]:
    return sorted(fields.EXPORTED, key=lambda person_field: person_field.kind != Kind.NAME)


def headers() -> list[str]:
    labels = []
    for person_field in exported_fields():
        if person_field.kind == Kind.VILLAGE:
            labels.append(str(_("乡镇")))
        labels.append(str(person_field.label))
    return labels


def row(user, person) -> list:
    """One person's cells; ``person`` comes with its village, township and household."""
    cells = []
    for person_field in exported_fields():
        value = fields.stored_value(person, person_field)
        if person_field.kind == Kind.VILLAGE:
            township = person.village.parent
            cells += [township.name if township else "", person.village.name]
        elif person_field.kind == Kind.CHOICE:
            cells.append(fields.choice_label(person_field, value))
        elif person_field.masked_as:
            cells.append(masked_for(user, person_field.masked_as, value))
        else:
            cells.append(value)
    return cells
