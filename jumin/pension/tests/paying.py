"""Helpers of the payroll tests: a month built, approved, exported and answered by the bank."""

import datetime

from jumin.pension.formats.payment import PAYMENT
from jumin.pension.models import Payroll
from jumin.pension.services import payroll as services


def bank_answer(data: bytes, *, failed=(), paid_on=None) -> bytes:
    """The bank's result for an export file: every line paid but the line ids in ``failed``."""
    header, lines = PAYMENT.parse_export(data)
    answered = [
        (line, "51", "账户已销户") if line.line_id in failed else (line, "00", "") for line in lines
    ]
    return PAYMENT.result_file(header, answered, paid_on=paid_on or datetime.date(2026, 1, 20))


def pay_month(county, month, *, builder=None, approver=None, failed=()) -> Payroll:
    payroll = services.payroll_build(acting_user=builder, region_code=county.code, month=month)
    payroll = services.payroll_approve(acting_user=approver, payroll=payroll)
    data, _name = services.payroll_export(acting_user=approver, payroll=payroll)
    payroll.refresh_from_db()
    return services.payroll_result_import(
        acting_user=approver,
        payroll=payroll,
        data=bank_answer(data, failed=failed, paid_on=month.replace(day=20)),
        on=month.replace(day=28),
    )
