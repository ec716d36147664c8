"""Reads of medical enrolment: who is covered on a day, and the scoped lists of the pages."""

import datetime

from django.db.models import Q
from django.http import Http404

from jumin.collection.models import Due, DueKind
from jumin.core.access import get_scoped_or_404, require, scope, user_county
from jumin.medical.models import SCHEME, CoverageStatus, Financing, MedicalEnrolment
from jumin.medical.models.financing import ancestor_codes


def coverage_on(person_id: int, day: datetime.date) -> MedicalEnrolment | None:
    """The person's enrolment that covers ``day``: coverage year ``day.year``, premium paid
    (status COVERED) and past the waiting period (``covered_from`` ≤ ``day``); None otherwise.

    Not scoped: claims (and hospitals through the API) check eligibility with it; the caller
    has already scoped the person or the hospital."""
    return (
        MedicalEnrolment.objects.filter(
            person_id=person_id,
            coverage_year=day.year,
            status=CoverageStatus.COVERED,
            covered_from__lte=day,
        )
        .order_by()
        .first()
    )


def enrolment_list(
    user,
    *,
    coverage_year: int | None = None,
    status: str | None = None,
    village: str | None = None,
    search: str | None = None,
):
    """Medical enrolments in the user's scope (by where the person lives now)."""
    require(user, "medical_enrolment.view")
    enrolments = scope(MedicalEnrolment.objects.all(), user)
    if coverage_year:
        enrolments = enrolments.filter(coverage_year=coverage_year)
    if status:
        enrolments = enrolments.filter(status=status)
    if village:
        enrolments = enrolments.filter(person__village_id=village)
    if search:
        enrolments = enrolments.filter(
            Q(person__name__contains=search) | Q(person__id_number=search.upper())
        )
    return enrolments.select_related("person", "person__village").order_by(
        "-coverage_year", "person__village_id", "person_id"
    )


def enrolment_get(user, pk) -> MedicalEnrolment:
    require(user, "medical_enrolment.view")
    return get_scoped_or_404(
        MedicalEnrolment.objects.select_related("person", "person__village", "village"),
        user,
        pk=pk,
    )


def dues_of(enrolment: MedicalEnrolment):
    """The enrolment's collection dues (scheme medical, year = coverage year) and the
    person's back payments of earlier years (缴费修复), the coverage year's first."""
    return Due.objects.filter(
        Q(year=enrolment.coverage_year)
        | Q(kind=DueKind.BACK_PAYMENT, year__lt=enrolment.coverage_year),
        scheme=SCHEME,
        person_id=enrolment.person_id,
    ).order_by("-year", "kind", "pk")


def financing_list(user):
    """The financing rows of the regions above and at the user's county (national seeds are
    kept by county here), newest year first."""
    require(user, "medical_financing.view")
    county = user_county(user)
    if not county:
        return Financing.objects.none()
    return (
        Financing.objects.filter(region_id__in=ancestor_codes(county.ljust(12, "0")))
        .prefetch_related("assistance_rules")
        .order_by("-coverage_year", "region_id")
    )


def financing_get(user, pk) -> Financing:
    require(user, "medical_financing.view")
    financing = financing_list(user).filter(pk=pk).first()
    if financing is None:
        raise Http404
    return financing
