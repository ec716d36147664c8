"""A reviewer's conclusion on a pair of suspected duplicates, audited in the same transaction."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from jumin.core import audit
from jumin.core.access import require
from jumin.people.models import DuplicateReview, Person
from jumin.people.registry import PeopleAction


@transaction.atomic
def duplicate_review_record(
    *, acting_user, first: Person, second: Person, decision: str, note: str = ""
) -> DuplicateReview:
    """Record a reviewer's conclusion on a pair of suspected duplicates.

    Both persons must come from a scoped query. The pair is stored once (lower id first);
    repeating the same conclusion changes nothing, a new conclusion replaces the old one.
    """
    require(acting_user, "duplicate.review")
    errors = {}
    if decision not in DuplicateReview.Decision.values:
        errors["decision"] = "请选择核查结论"
    if first.pk == second.pk:
        errors["decision"] = "同一个人不能和自己比对"
    note = str(note or "").strip()
    if len(note) > 500:
        errors["note"] = "说明最多500个字"
    if errors:
        raise ValidationError(errors)
    low, high = sorted((first, second), key=lambda person: person.pk)
    review = (
        DuplicateReview.objects.select_for_update().filter(person_low=low, person_high=high).first()
    )
    if review is None:
        try:
            with transaction.atomic():
                review = DuplicateReview.objects.create(
                    person_low=low,
                    person_high=high,
                    village_id=low.village_id,
                    decision=decision,
                    note=note,
                    reviewed_by=acting_user,
                )
        except IntegrityError:  # the same review posted twice at once: the other one won
            review = DuplicateReview.objects.select_for_update().get(
                person_low=low, person_high=high
            )
        else:
            audit.record(
                actor=acting_user,
                action=PeopleAction.DUPLICATE_REVIEW_CREATE,
                obj=review,
                after={"decision": decision, "note": note, "persons": [low.pk, high.pk]},
            )
            return review
    if (review.decision, review.note) == (decision, note):
        return review
    before = {"decision": review.decision, "note": review.note}
    review.decision, review.note = decision, note
    review.reviewed_by, review.reviewed_at = acting_user, timezone.now()
    review.save()
    audit.record(
        actor=acting_user,
        action=PeopleAction.DUPLICATE_REVIEW_UPDATE,
        obj=review,
        before=before,
        after={"decision": decision, "note": note},
    )
    return review
