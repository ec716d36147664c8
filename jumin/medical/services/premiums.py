"""Premiums (保费) of medical enrolments as collection dues of scheme "medical".

For each enrolment of a coverage year (``Due.year`` is the coverage year):

- a **personal due** (kind ``personal``) for the premium less what medical assistance pays;
  it carries the government subsidy (财政补助) as ``Due.subsidy``, so the subsidy reaches the
  fund when the premium is confirmed and posted;
- when medical assistance pays all or part (资助参保, ``rules.assistance_rule_for`` over the
  person's special statuses in force on the day of enrolment), a **government-paid due**
  (kind ``government_paid``, channel government) for that part, confirmed with the
  assistance fund's transfer (``collection`` 政府代缴资金确认, scheme "medical"). When
  assistance pays everything there is no personal due and the subsidy rides on this one.

Set-based: per chunk of enrolments one query for the statuses, one ``UPDATE`` per distinct
price for the enrolments' amounts and one ``bulk_create`` of the dues (``ignore_conflicts``: collection's
unique key scheme × person × year × kind makes a re-run add nothing).
"""

import datetime
from decimal import Decimal

from jumin.collection.models import Channel, Due, DueKind
from jumin.core.database import update_grouped
from jumin.medical import rules
from jumin.medical.models import SCHEME, Financing, MedicalEnrolment
from jumin.people.models import SpecialStatus

ZERO = Decimal("0.00")


def price(financing: Financing, statuses) -> tuple[Decimal, Decimal, str]:
    """(premium, assistance, assistance kind) of one person. Pure over loaded rows."""
    rule = rules.assistance_rule_for(financing.loaded_rules, statuses)
    assistance = rules.assistance_amount(rule, financing.premium)
    return financing.premium, assistance, rule.kind if rule and assistance else ""


def load_rules(financing: Financing) -> Financing:
    financing.loaded_rules = list(financing.assistance_rules.all())
    return financing


def dues_make(
    enrolments: list[MedicalEnrolment], financing: Financing, *, on: datetime.date
) -> int:
    """Price ``enrolments`` (all of ``financing``'s year) and make their dues; returns how many
    dues were offered (a re-run offers the same and the database keeps the first)."""
    if not enrolments:
        return 0
    if not hasattr(financing, "loaded_rules"):
        load_rules(financing)
    statuses: dict[int, list] = {}
    for row in (
        SpecialStatus.objects.in_force(on=on)
        .filter(person_id__in=[e.person_id for e in enrolments])
        .values_list("person_id", "kind", "detail")
    ):
        statuses.setdefault(row[0], []).append(rules.Status(row[1], row[2]))
    dues = []
    for enrolment in enrolments:
        premium, assistance, kind = price(financing, statuses.get(enrolment.person_id, []))
        enrolment.premium = premium
        enrolment.assistance = assistance
        enrolment.assistance_kind = kind
        enrolment.subsidy = financing.subsidy
        personal = premium - assistance
        common = {
            "person_id": enrolment.person_id,
            "village_id": enrolment.village_id,
            "scheme": SCHEME,
            "year": enrolment.coverage_year,
            # collected in the round of the year it is made: the window of the year before
            # for the regular enrolment, the coverage year itself for a late one
            "collected_in": on.year,
        }
        if personal > 0:
            dues.append(
                Due(kind=DueKind.PERSONAL, amount=personal, subsidy=financing.subsidy, **common)
            )
        if assistance > 0:
            dues.append(
                Due(
                    kind=DueKind.GOVERNMENT_PAID,
                    channel=Channel.GOVERNMENT,
                    amount=assistance,
                    subsidy=ZERO if personal > 0 else financing.subsidy,
                    **common,
                )
            )
    update_grouped(
        MedicalEnrolment, enrolments, ["premium", "assistance", "assistance_kind", "subsidy"]
    )
    Due.objects.bulk_create(dues, ignore_conflicts=True)
    return len(dues)
