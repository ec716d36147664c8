"""An upward receipt-book handover through the API answers with the book it handed over, and
its retry answers the same."""

from jumin.collection.models import ReceiptHandover
from jumin.collection.tests import receipt_testing
from jumin.collection.tests.receipt_testing import hand_down, register
from jumin.core.models import AuditEntry
from jumin.core.services.tokens import token_create

chain = receipt_testing.chain  # fixtures


def handover(client, user, book, receiver):
    _, key = token_create(acting_user=None, user=user, name="test")
    return client.post(
        f"/api/collection/books/{book.pk}/handover",
        {"receiver_id": receiver.pk, "note": "退回"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )


def test_an_upward_handover_answers_200_with_the_book_and_its_retry_the_same(client, chain):
    book = hand_down(register(chain["finance"]), chain)
    assistant, clerk = chain["assistant"], chain["labour_office"]
    first = handover(client, assistant, book, clerk)
    assert first.status_code == 200, first.json()
    assert first.json()["id"] == book.pk
    assert first.json()["holder"] == clerk.username
    retry = handover(client, assistant, book, clerk)
    assert retry.status_code == 200, retry.json()
    assert retry.json() == first.json()
    assert ReceiptHandover.objects.filter(book=book, giver=assistant).count() == 1
    assert (
        AuditEntry.objects.filter(
            action="collection.receipt_book.handover", actor=assistant
        ).count()
        == 1
    )


def test_the_giver_loses_sight_of_the_book_once_it_moves_on(client, chain):
    book = hand_down(register(chain["finance"]), chain)
    assistant, clerk = chain["assistant"], chain["labour_office"]
    assert handover(client, assistant, book, clerk).status_code == 200
    assert handover(client, clerk, book, chain["township_finance"]).status_code == 200
    # the assistant is no longer the last giver: the book is outside their scope again
    assert handover(client, assistant, book, clerk).status_code == 404
    _, key = token_create(acting_user=None, user=assistant, name="read")
    response = client.get(
        f"/api/collection/books/{book.pk}", headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 404


def test_a_second_handover_by_the_former_holder_is_refused_not_repeated(client, chain):
    book = hand_down(register(chain["finance"]), chain)
    assistant, clerk = chain["assistant"], chain["labour_office"]
    assert handover(client, assistant, book, clerk).status_code == 200
    other = handover(client, assistant, book, chain["township_finance"])
    assert other.status_code == 422
    assert ReceiptHandover.objects.filter(book=book, giver=assistant).count() == 1
