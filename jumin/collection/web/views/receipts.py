"""Receipt-book pages: thin; reads come through the scoped queries (out of scope → 404).

The whole life of a book: county finance registers it, each holder hands it down the chain,
the village cadre issues receipts against dues (开票), voids one or reports one lost, and
finance writes the book off once every number is used and the cash is county-checked.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jumin.collection.models import BookStatus, ReceiptStatus
from jumin.collection.queries import receipts as queries
from jumin.collection.services import receipts as services
from jumin.collection.web.forms import (
    FindPayerForm,
    HandoverForm,
    IssueForm,
    LostForm,
    ReasonForm,
    RegisterForm,
    region_filter,
)
from jumin.core.access import can, in_scope, masked_for
from jumin.core.forms import add_errors
from jumin.core.pages import page

# --------------------------------------------------------------------------- pages


@require_GET
@page
def books(request):
    """Who holds which numbers: books held in the user's scope, filterable by region."""
    township = region_filter(request.GET.get("township", ""))
    village = region_filter(request.GET.get("village", ""))
    townships, villages = queries.townships_and_villages(request.user)
    rows = queries.with_ranges(
        queries.books_with_counts(request.user, township=township, village=village)
    )
    return render(
        request,
        "collection/books.html",
        {
            "books": rows,
            "townships": townships,
            "villages": villages,
            "township": township,
            "village": village,
            "can_register": can(request.user, "receipt_book.register"),
        },
    )


@require_GET
@page
def book_detail(request, pk: int):
    book = queries.book_get(request.user, pk)
    book = queries.with_ranges([book])[0]
    is_holder = book.holder_id == request.user.pk and book.status != BookStatus.WRITTEN_OFF
    return render(
        request,
        "collection/book_detail.html",
        {
            "book": book,
            **queries.book_history(request.user, book),
            "is_holder": is_holder,
            "can_handover": is_holder and can(request.user, "receipt_book.handover"),
            "can_issue": is_holder and can(request.user, "receipt.issue"),
            "can_write_off": can(request.user, "receipt_book.write_off")
            and book.status != BookStatus.WRITTEN_OFF,
            "issued": ReceiptStatus.ISSUED,
        },
    )


@require_http_methods(["GET", "POST"])
@page
def book_register(request):
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            book = services.book_register(acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"已登记票据本 {book}")
            return redirect("collection:book_detail", book.pk)
    return render(
        request,
        "collection/book_form.html",
        {
            "form": form,
            "title": "登记票据本",
            "hint": "县财务登记领回的票据本；同一字轨的号段不能重叠。",
        },
    )


@require_http_methods(["GET", "POST"])
@page
def book_handover(request, pk: int):
    book = queries.book_get(request.user, pk)
    receivers = queries.handover_receivers(request.user)
    form = HandoverForm(request.POST or None, receivers=receivers)
    if request.method == "POST" and form.is_valid():
        try:
            services.book_handover(
                acting_user=request.user,
                book=book,
                receiver=form.receivers[form.cleaned_data["receiver"]],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "已交接，交接记录已保存")
            if not in_scope(request.user, form.receivers[form.cleaned_data["receiver"]].region_id):
                return redirect("collection:books")  # handed upward: no longer in the scope
            return redirect("collection:book_detail", book.pk)
    return render(
        request,
        "collection/book_form.html",
        {
            "form": form,
            "book": book,
            "title": f"交接票据本 {book}",
            "hint": "只能交给下一级（县财务 → 乡镇财政所 → 乡镇劳保所 → 村协理员）、同级或退回上一级。",
        },
    )


def _issue_context(request, book):
    """The payer found by ID number (scoped) and their open dues for the year."""
    params = request.POST if request.method == "POST" else request.GET
    find = FindPayerForm(params if params.get("id_number") else None)
    person, dues = None, []
    if find.is_bound and find.is_valid():
        person = queries.person_for_issue(request.user, find.cleaned_data["id_number"])
        if person is None:
            find.add_error("id_number", "您的辖区内没有这个身份证号的人员")
        else:
            dues = list(queries.open_dues(request.user, person, find.cleaned_data["year"]))
    return find, person, dues


@require_http_methods(["GET", "POST"])
@page
def receipt_issue(request, pk: int):
    """开票: find the payer, pick one open due, the next unused number prefilled."""
    book = queries.book_get(request.user, pk)
    if request.method == "POST":
        repeated = queries.receipt_repeated(
            book, request.POST.get("number"), request.POST.get("due")
        )
        if repeated is not None:  # the same form sent again (a dropped connection)
            messages.info(request, f"票据 {repeated.reference} 已经开过，没有重复开票")
            return redirect("collection:book_detail", book.pk)
    find, person, dues = _issue_context(request, book)
    form = None
    if person is not None:
        initial = {
            "id_number": find.cleaned_data["id_number"],
            "year": find.cleaned_data["year"],
            "number": queries.next_unused_number(book),
            "payer_name": person.name,
            "issued_on": timezone.localdate(),
        }
        if len(dues) == 1:
            initial["due"] = dues[0].pk
            initial["amount"] = dues[0].amount
        form = IssueForm(
            request.POST if request.method == "POST" else None, initial=initial, dues=dues
        )
        if request.method == "POST" and form.is_valid():
            due = next(due for due in dues if due.pk == form.cleaned_data["due"])
            try:
                receipt = services.receipt_issue(
                    acting_user=request.user,
                    book=book,
                    number=form.cleaned_data["number"],
                    due=due,
                    amount=form.cleaned_data["amount"],
                    payer_name=form.cleaned_data["payer_name"],
                    issued_on=form.cleaned_data["issued_on"],
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(
                    request,
                    f"已开票 {receipt.reference}：{receipt.payer_name} "
                    f"{receipt.amount}元，应缴记录已记为现金缴费",
                )
                return redirect("collection:book_detail", book.pk)
    elif request.method == "POST":
        find.is_valid()
    return render(
        request,
        "collection/receipt_issue.html",
        {
            "book": book,
            "find": find
            if find.is_bound
            else FindPayerForm(initial={"year": timezone.localdate().year}),
            "person": person,
            "id_number_shown": masked_for(request.user, "id_number", person.id_number)
            if person
            else "",
            "dues": dues,
            "form": form,
        },
    )


@require_http_methods(["GET", "POST"])
@page
def receipt_void(request, pk: int):
    receipt = queries.receipt_get(request.user, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.receipt_void(
                acting_user=request.user, receipt=receipt, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"票据 {receipt.reference} 已作废，应缴记录恢复为未缴")
            return redirect("collection:book_detail", receipt.book_id)
    return render(
        request,
        "collection/receipt_form.html",
        {
            "form": form,
            "book": receipt.book,
            "title": f"作废票据 {receipt.reference}",
            "hint": f"{receipt.payer_name or '—'} {receipt.amount or ''}元。作废后对应的应缴记录恢复为未缴；已登记缴存的票据不能作废。",
        },
    )


@require_http_methods(["GET", "POST"])
@page
def receipt_lost(request, pk: int):
    book = queries.book_get(request.user, pk)
    form = LostForm(request.POST or None, initial={"number": queries.next_unused_number(book)})
    if request.method == "POST" and form.is_valid():
        try:
            receipt = services.receipt_report_lost(
                acting_user=request.user,
                book=book,
                number=form.cleaned_data["number"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"已登记遗失票号 {receipt.reference}")
            return redirect("collection:book_detail", book.pk)
    return render(
        request,
        "collection/receipt_form.html",
        {
            "form": form,
            "book": book,
            "title": f"报告遗失：{book}",
            "hint": "遗失或损毁的空白票号登记后不能再使用。",
        },
    )


@require_POST
@page
def book_write_off(request, pk: int):
    book = queries.book_get(request.user, pk)
    try:
        services.book_write_off(acting_user=request.user, book=book)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"票据本 {book} 已核销")
    return redirect("collection:book_detail", book.pk)
