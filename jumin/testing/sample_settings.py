"""The real settings plus ``jumin.testing.sample_app``: nothing else changes (see that app)."""

from jumin.settings import *  # noqa: F403
from jumin.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "jumin.testing.sample_app"]
