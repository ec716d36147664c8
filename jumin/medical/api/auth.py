"""A hospital's bearer token (``jh_…``): it authenticates only on the claims router, where it
sees and submits its own hospital's claims. Other routers do not know it (401)."""

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from ninja.security import HttpBearer

from jumin.core.api import LAST_USED_RESOLUTION, TOKEN_MAX_LENGTH
from jumin.medical.models import HospitalToken
from jumin.medical.services.claims import HospitalCaller
from jumin.medical.services.hospitals import TOKEN_MARK


class HospitalTokenAuth(HttpBearer):
    def authenticate(self, request, token):
        token = (token or "").strip()
        if not token.startswith(TOKEN_MARK) or len(token) > TOKEN_MAX_LENGTH:
            return None
        row = (
            HospitalToken.objects.select_related("hospital")
            .filter(key_hash=HospitalToken.hash_key(token), revoked_at__isnull=True)
            .first()
        )
        if row is None or not row.hospital.active:
            return None
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
            HospitalToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = AnonymousUser()
        request.hospital_caller = HospitalCaller(row.hospital, row.prefix)
        return request.hospital_caller


def caller_of(request) -> HospitalCaller | None:
    return getattr(request, "hospital_caller", None)
