"""The statement of rights (个人权益记录): one person's or a whole village's, for a year, as
the browser's A4 print page and as a PDF (the same template, ``jumin.core.pdf``)."""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from jumin.core import audit, pdf
from jumin.core.access import masked_for
from jumin.core.pages import page
from jumin.pension.queries import accounts as account_queries
from jumin.pension.queries import statements as queries
from jumin.pension.registry import PensionAction

TEMPLATE = "pension/print/statement.html"
MONTHS = list(range(1, 13))


def _context(request, sheets, *, year, pdf_url, title):
    user = request.user
    for sheet in sheets:
        sheet["id_number"] = masked_for(user, "id_number", sheet["person"].id_number)
    return {
        "sheets": sheets,
        "year": year,
        "months": MONTHS,
        "title": title,
        "printed_on": timezone.localdate(),
        "organisation": "城乡居民基本养老保险经办机构",
        "pdf_url": pdf_url,
    }


def _year(year: int) -> int:
    if not 1990 <= year <= 2100:
        from django.http import Http404

        raise Http404
    return year


@page
@require_GET
def statement(request, person_pk, year):
    user = request.user
    person = account_queries.account_person(user, person_pk)
    sheet = queries.statement_of(user, person, _year(year))
    audit.record(actor=user, action=PensionAction.STATEMENT_PRINT, obj=person, after={"year": year})
    context = _context(
        request,
        [sheet],
        year=year,
        pdf_url=reverse("pension:statement_pdf", args=[person.pk, year]),
        title=f"{year}年度个人权益记录",
    )
    return render(request, TEMPLATE, context)


@page
@require_GET
def statement_pdf(request, person_pk, year):
    user = request.user
    person = account_queries.account_person(user, person_pk)
    sheet = queries.statement_of(user, person, _year(year))
    audit.record(
        actor=user,
        action=PensionAction.STATEMENT_PRINT,
        obj=person,
        after={"year": year, "pdf": True},
    )
    context = _context(request, [sheet], year=year, pdf_url="", title=f"{year}年度个人权益记录")
    return pdf.pdf_response(TEMPLATE, context, filename=f"权益记录-{year}-{person.pk}.pdf")


def _village(request, code, year):
    user = request.user
    village, sheets = queries.village_statements(user, code, _year(year))
    audit.record(
        actor=user,
        action=PensionAction.STATEMENT_PRINT,
        obj=village,
        after={"year": year, "people": len(sheets)},
    )
    return village, sheets


@page
@require_GET
def village_statements(request, code, year):
    village, sheets = _village(request, code, year)
    context = _context(
        request,
        sheets,
        year=year,
        pdf_url=reverse("pension:village_statements_pdf", args=[code, year]),
        title=f"{year}年度个人权益记录",
    )
    context["village"] = village
    return render(request, TEMPLATE, context)


@page
@require_GET
def village_statements_pdf(request, code, year):
    village, sheets = _village(request, code, year)
    context = _context(request, sheets, year=year, pdf_url="", title=f"{year}年度个人权益记录")
    context["village"] = village
    return pdf.pdf_response(TEMPLATE, context, filename=f"权益记录-{year}-{village.code}.pdf")
