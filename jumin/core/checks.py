from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def production_database(app_configs, **kwargs):
    """``jumin check --deploy`` refuses SQLite and DEBUG in production."""
    errors = []
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        errors.append(
            Error(
                "Production runs on PostgreSQL: set DATABASE_URL=postgres://...",
                id="jumin.E001",
            )
        )
    if settings.DEBUG:
        errors.append(Error("JUMIN_DEBUG must be off in production.", id="jumin.E002"))
    return errors
