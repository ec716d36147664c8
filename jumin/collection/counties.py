"""County codes and the checks of county-wide work, shared by the collection services and
the schemes' county jobs: staff need the permission and the county in scope; ``None`` is the
system (the CLI, the benchmark)."""

from django.core.exceptions import ValidationError

from jumin.core.access import in_scope, require
from jumin.core.models import Region, RegionLevel
from jumin.core.text import is_ascii_digits


def require_or_system(acting_user, permission: str) -> None:
    """``access.require`` for staff; ``acting_user=None`` is the system (CLI, benchmark)."""
    if acting_user is not None:
        require(acting_user, permission)


def in_scope_or_system(acting_user, region_code: str) -> bool:
    return acting_user is None or in_scope(acting_user, region_code)


def county_code_of(region_code: str) -> str:
    """``341125`` or ``341125000000`` → ``341125000000``; ValidationError for anything else."""
    code = (region_code or "").strip()
    if len(code) == 6 and is_ascii_digits(code):
        code = code.ljust(12, "0")
    if len(code) != 12 or not is_ascii_digits(code) or code[6:] != "000000" or code[4:6] == "00":
        raise ValidationError({"county": f"县级区划代码“{region_code}”不正确（应为6位县级代码）"})
    return code


def county_prefix(county_code: str) -> str:
    return county_code[:6]


def county_of(region_code) -> Region:
    """``341125`` / ``341125000000`` / a Region → the county Region; ValidationError otherwise."""
    code = region_code.code if isinstance(region_code, Region) else str(region_code or "").strip()
    if len(code) == 6 and is_ascii_digits(code):
        code = code.ljust(12, "0")
    region = Region.objects.filter(code=code, level=RegionLevel.COUNTY).first()
    if region is None:
        raise ValidationError({"county": f"县级区划代码“{region_code}”不正确（应为6位县级代码）"})
    return region
