"""Suspected duplicates: persons in scope sharing name and birth date, with their reviews."""

import datetime
import itertools
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

from jumin.core.access import scope
from jumin.core.models import Region
from jumin.people.models import DuplicateReview, Person
from jumin.people.queries.persons import person_list


@dataclass
class DuplicatePair:
    low: Person
    high: Person
    decision: str = ""  # "" when not reviewed yet, else DuplicateReview.Decision
    note: str = ""


@dataclass
class DuplicateGroup:
    name: str
    birth_date: datetime.date
    persons: list[Person]
    pairs: list[DuplicatePair]


def duplicate_candidates(user, *, village: Region | None = None) -> QuerySet:
    """Persons in scope who share name and birth date with another person in scope, unless
    every such pair was reviewed as "different people". One query: a correlated ``EXISTS``
    over the (name, birth_date) index, with the reviewed pairs excluded in a nested ``EXISTS``.
    """
    persons = person_list(user)
    different = DuplicateReview.objects.filter(decision=DuplicateReview.Decision.DIFFERENT_PEOPLE)
    reviewed_as_low = different.filter(
        person_low=OuterRef(OuterRef("pk")), person_high=OuterRef("pk")
    )
    reviewed_as_high = different.filter(
        person_high=OuterRef(OuterRef("pk")), person_low=OuterRef("pk")
    )
    partners = (
        scope(Person.objects.all(), user)
        .filter(name=OuterRef("name"), birth_date=OuterRef("birth_date"))
        .exclude(pk=OuterRef("pk"))
        .filter(~Exists(reviewed_as_low), ~Exists(reviewed_as_high))
    )
    if village is not None:
        persons = persons.filter(village=village)
    return persons.filter(Exists(partners)).order_by("name", "birth_date", "pk")


def duplicate_groups(
    user, *, village: Region | None = None, limit: int = 500
) -> tuple[list[DuplicateGroup], bool]:
    """Suspected duplicates grouped by (name, birth date); two queries in all.

    Returns at most ``limit`` persons' worth of complete groups and whether more exist.
    """
    candidates = duplicate_candidates(user, village=village).select_related("village", "household")
    rows = list(candidates[: limit + 1])
    more = len(rows) > limit
    groups = [
        list(members)
        for _key, members in itertools.groupby(rows, key=lambda p: (p.name, p.birth_date))
    ]
    if more:
        groups = groups[:-1]  # the last group may be cut short
    reviews = _reviews_among([person.pk for group in groups for person in group])
    result = []
    for members in groups:
        pairs = []
        for low, high in itertools.combinations(members, 2):
            review = reviews.get((low.pk, high.pk))
            if review is not None and review.decision == DuplicateReview.Decision.DIFFERENT_PEOPLE:
                continue
            pairs.append(
                DuplicatePair(
                    low=low,
                    high=high,
                    decision=review.decision if review else "",
                    note=review.note if review else "",
                )
            )
        result.append(
            DuplicateGroup(
                name=members[0].name,
                birth_date=members[0].birth_date,
                persons=members,
                pairs=pairs,
            )
        )
    return result, more


def _reviews_among(person_ids: list[int]) -> dict[tuple[int, int], DuplicateReview]:
    if not person_ids:
        return {}
    reviews = DuplicateReview.objects.filter(person_low__in=person_ids, person_high__in=person_ids)
    return {(review.person_low_id, review.person_high_id): review for review in reviews}
