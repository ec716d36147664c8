"""County codes and the checks of county-wide work, shared by the collection services and
the schemes' county jobs: staff need the permission and the county in scope; ``None`` is the
system (the CLI, the benchmark). Codes are read by ``core.parsing.county_code``."""

from django.core.exceptions import ValidationError

from jumin.core.access import in_scope, require, require_in_scope
from jumin.core.models import Region, RegionLevel
from jumin.core.parsing import InputError, county_code


def require_or_system(acting_user, permission: str) -> None:
    """``access.require`` for staff; ``acting_user=None`` is the system (CLI, benchmark)."""
    if acting_user is not None:
        require(acting_user, permission)


def in_scope_or_system(acting_user, region_code: str) -> bool:
    return acting_user is None or in_scope(acting_user, region_code)


def require_in_scope_or_system(acting_user, region_code: str) -> None:
    """``access.require_in_scope`` (404 when out of scope) for staff; nothing for the system."""
    if acting_user is not None:
        require_in_scope(acting_user, region_code)


def county_code_of(region_code) -> str:
    """``341125`` or ``341125000000`` (or a code inside the county) → ``341125000000``;
    ValidationError on the ``county`` field for anything else."""
    try:
        return county_code(region_code) + "000000"
    except InputError as error:
        raise ValidationError({"county": error.message}) from None


def county_prefix(county_code: str) -> str:
    return county_code[:6]


def county_of(region_code) -> Region:
    """``341125`` / ``341125000000`` / a Region → the county Region; ValidationError when the
    code is not a county's or no such county is registered."""
    if isinstance(region_code, Region):
        region_code = region_code.code
    code = county_code_of(region_code)
    region = Region.objects.filter(code=code, level=RegionLevel.COUNTY).first()
    if region is None:
        raise ValidationError({"county": f"县级区划代码“{code[:6]}”不是已登记的县"})
    return region
