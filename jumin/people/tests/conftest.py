"""Fixtures the people tests share (the region tree and the staff are in the root conftest)."""

import pytest

from jumin.people.tests.rosters import IMMEDIATE


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded rosters and error lists go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def immediate_tasks(settings, media):
    """Background tasks run at once, in the test's process (and its media folder)."""
    settings.TASKS = IMMEDIATE
