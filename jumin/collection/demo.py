"""Collection's part of the demo year (``jumin demo-year``, run by ``jumin.reports.demo``):
the demo logins by role, and receipt books registered by the demo finance user and handed
down to the demo village assistant (only when the year's series has none yet)."""

from django.core.exceptions import ValidationError

from jumin.collection.models import ReceiptBook
from jumin.collection.services import receipts
from jumin.core.models import Role, User
from jumin.people.demo import demo_accounts, ensure_regions
from jumin.people.demo.county import _create_accounts

BOOK_SERIES = "皖财居保{year}"
BOOKS = ((1, 50, "village"), (51, 100, "village"), (101, 150, "township"))


def demo_staff(county_code: str) -> dict[str, User]:
    """The demo logins of the county by role, made now if ``demo-data`` has not made them
    (an account that exists is left as it is)."""
    accounts = demo_accounts(county_code)
    names = [account.username for account in accounts]
    if User.objects.filter(username__in=names).count() < len(names):
        _county, villages, _created = ensure_regions(county_code, seed=0)
        if not villages:
            raise ValidationError(f"区划{county_code}没有村（社区），先运行 jumin demo-data")
        _create_accounts(county_code, villages)
    users = {user.username: user for user in User.objects.filter(username__in=names)}
    return {account.role: users[account.username] for account in accounts}


def demo_books(year: int, staff, notes: list[str]) -> int:
    """Receipt books registered by county finance and handed down: two to the demo village
    assistant (through the township clerk), one kept at the township labour office."""
    finance = staff[Role.FINANCE]
    township_clerk, assistant = staff[Role.TOWNSHIP_CLERK], staff[Role.VILLAGE_ASSISTANT]
    series = BOOK_SERIES.format(year=year)
    if ReceiptBook.objects.filter(series=series).exists():
        return 0
    for first, last, goes_to in BOOKS:
        book = receipts.book_register(
            acting_user=finance, series=series, first_number=first, last_number=last
        )
        receipts.book_handover(
            acting_user=finance, book=book, receiver=township_clerk, note="演示：县财务发放"
        )
        if goes_to == "village":
            book.refresh_from_db()
            receipts.book_handover(
                acting_user=township_clerk, book=book, receiver=assistant, note="演示：乡镇发放到村"
            )
    notes.append(
        f"票据本 {series}：1–100 号两本已交到 {assistant.username}，101–150 号在 "
        f"{township_clerk.username}（乡镇没有单独的财政所演示账号，县财务直接交乡镇劳保所）"
    )
    return len(BOOKS)
