"""JSON API of the personal account: ``GET /api/accounts/{id_number}`` (entries and totals,
scoped, ID number masked for roles that see masked numbers) and
``POST /api/accounts/entries/{entry_id}/reverse`` (finance)."""

from django.http import Http404
from ninja import Path, Router, Status

from jumin.core import audit
from jumin.core.access import masked_for, require
from jumin.core.api import error_responses
from jumin.core.schemas import MAX_ID
from jumin.pension.api.schemas import (
    AccountOut,
    EntryOut,
    ReverseIn,
    RightsStatementOut,
)
from jumin.pension.queries import accounts as queries
from jumin.pension.queries import statements as statement_queries
from jumin.pension.registry import PensionAction
from jumin.pension.services import accounts as services
from jumin.people import queries as people_queries
from jumin.people import services as people_services
from jumin.people.rules import IdNumberError, parse_id_number

router = Router(tags=["pension"])


def entry_out(entry, reversed_ids=frozenset()) -> dict:
    return {
        "id": entry.pk,
        "year": entry.year,
        "source": entry.source,
        "source_label": str(entry.get_source_display()),
        "amount": entry.amount,
        "booked_on": entry.booked_on,
        "due_id": entry.due_id,
        "posting_id": entry.posting_id,
        "reverses_id": entry.reverses_id,
        "reversed": entry.pk in reversed_ids,
        "reason": entry.reason,
    }


@router.get(
    "/{id_number}",
    response={200: AccountOut, **error_responses(401, 403, 404, 422)},
    summary="一位参保人的个人账户：各笔记录、按来源和年度的合计、余额（记入操作记录）",
)
def account_endpoint(request, id_number: str = Path(..., max_length=64)):
    user = request.user
    require(user, "account.view")
    try:
        number = parse_id_number(id_number, today=people_services.today()).number
    except IdNumberError:
        raise Http404 from None
    person = people_queries.person_find_by_id_number(user, number)
    if person is None:
        raise Http404
    summary = queries.account_summary(user, person)
    with audit.atomic():
        audit.record(actor=user, action=PensionAction.ACCOUNT_VIEW, obj=person)
    reversed_ids = {entry.reverses_id for entry in summary["entries"] if entry.reverses_id}
    return {
        "person_id": person.pk,
        "name": person.name,
        "id_number": masked_for(user, "id_number", person.id_number),
        "village_code": person.village_id,
        "village_name": person.village.name,
        "balance": summary["balance"],
        "by_source": summary["by_source"],
        "by_year": {str(year): totals for year, totals in summary["by_year"].items()},
        "entries": [entry_out(entry, reversed_ids) for entry in summary["entries"]],
    }


@router.post(
    "/entries/{entry_id}/reverse",
    response={201: EntryOut, **error_responses(401, 403, 404, 422)},
    summary="冲正一条个人账户记录（新增金额相反的记录，须填原因；不能重复冲正）",
)
def entry_reverse_endpoint(request, payload: ReverseIn, entry_id: int = Path(..., ge=1, le=MAX_ID)):
    entry = queries.entry_get(request.user, entry_id)
    reversal = services.entry_reverse(acting_user=request.user, entry=entry, reason=payload.reason)
    return Status(201, entry_out(reversal))


@router.post(
    "/dues/{due_id}/reverse",
    response={201: list[EntryOut], **error_responses(401, 403, 404, 422)},
    summary="整笔冲正一笔已记账的应缴：冲正其全部记录并取消应缴（之后可重新收缴）",
)
def due_reverse_endpoint(request, payload: ReverseIn, due_id: int = Path(..., ge=1, le=MAX_ID)):
    from jumin.collection.models import Due
    from jumin.core.access import get_scoped_or_404

    require(request.user, "account.view")
    due = get_scoped_or_404(Due.objects.all(), request.user, pk=due_id)
    reversals = services.due_reverse(acting_user=request.user, due=due, reason=payload.reason)
    return Status(201, [entry_out(entry) for entry in reversals])


@router.get(
    "/{id_number}/statement/{year}",
    response={200: RightsStatementOut, **error_responses(401, 403, 404, 422)},
    summary="个人权益记录：一年的年初余额、按来源按月记入、利息、年末余额、累计缴费年限",
)
def statement_endpoint(
    request, id_number: str = Path(..., max_length=64), year: int = Path(..., ge=1990, le=2100)
):
    user = request.user
    require(user, "account.view")
    try:
        number = parse_id_number(id_number, today=people_services.today()).number
    except IdNumberError:
        raise Http404 from None
    person = people_queries.person_find_by_id_number(user, number)
    if person is None:
        raise Http404
    sheet = statement_queries.statement_of(user, person, year)
    with audit.atomic():
        audit.record(
            actor=user, action=PensionAction.STATEMENT_PRINT, obj=person, after={"year": year}
        )
    return {
        "person_id": person.pk,
        "name": person.name,
        "id_number": masked_for(user, "id_number", person.id_number),
        "year": year,
        "opening": sheet["opening"],
        "sources": [
            {
                "source": s["source"],
                "label": str(s["label"]),
                "months": s["months"],
                "total": s["total"],
            }
            for s in sheet["sources"]
        ],
        "credits": sheet["credits"],
        "interest": sheet["interest"],
        "closing": sheet["closing"],
        "contribution_years": sheet["contribution_years"],
    }
