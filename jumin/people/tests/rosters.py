"""Helpers the roster import tests share: files handed in, imports run, API tokens."""

from django.core.files.uploadedfile import SimpleUploadedFile

from jumin.core.jobs import QUEUES
from jumin.core.services.tokens import token_create
from jumin.people.formats.roster_samples import write_csv
from jumin.people.models import RosterImport
from jumin.people.services.roster_import_batch import import_roster_file

IMMEDIATE = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": QUEUES}
}
VALID_ONLY = RosterImport.Mode.VALID_ONLY
ALL_OR_NOTHING = RosterImport.Mode.ALL_OR_NOTHING


def roster_upload(tmp_path, rows, name: str = "roster.csv") -> SimpleUploadedFile:
    """``rows`` (from ``roster_row``) as a CSV file handed in through a page or the API."""
    path = write_csv(tmp_path / name, rows)
    return SimpleUploadedFile(name, path.read_bytes(), content_type="text/csv")


def import_file(path, user, *, mode=VALID_ONLY, file_name=None) -> RosterImport:
    """Import a roster file now, in this process, as ``user`` in their own area."""
    return import_roster_file(path, acting_user=user, region=None, mode=mode, file_name=file_name)


def import_rows(tmp_path, rows, user, *, mode=VALID_ONLY, name: str = "roster.csv"):
    """``rows`` written as a CSV file and imported now (``import_file``)."""
    return import_file(write_csv(tmp_path / name, rows), user, mode=mode)


def bearer(user) -> dict:
    """The API headers of a new token of ``user``."""
    _, key = token_create(acting_user=None, user=user)
    return {"Authorization": f"Bearer {key}"}
