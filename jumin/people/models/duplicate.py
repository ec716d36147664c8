"""Reviews of suspected duplicates (same name and birth date, different ID number)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jumin.core.models import Region, User
from jumin.people.models.person import Person


class DuplicateReview(models.Model):
    """A reviewed pair of suspected duplicates (same name and birth date, different ID).

    ``person_low`` has the smaller id so a pair is stored once.
    """

    class Decision(models.TextChoices):
        DIFFERENT_PEOPLE = "different_people", _("不是同一人")
        SAME_PERSON = "same_person", _("是同一人（待处理）")

    scope_field = "village_id"

    person_low = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    person_high = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("结论"), max_length=20, choices=Decision.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("疑似重复核查")
        verbose_name_plural = _("疑似重复核查")
        constraints = [
            models.UniqueConstraint(
                fields=["person_low", "person_high"], name="duplicate_pair_once"
            )
        ]
