"""The national county list: a name in force in a year, the latest of an abolished code."""

from jumin.core.formats import county_list

# --------------------------------------------------------------------------- names over time


def test_name_periods_take_the_name_in_force_and_the_latest_of_an_abolished_code():
    periods = county_list.parse_name_periods("[1983-2001]东市区,[2002-]瑶海区")
    assert [period.name for period in periods] == ["东市区", "瑶海区"]
    assert county_list.name_in_year(periods, year=1990).name == "东市区"
    assert county_list.name_in_year(periods, year=2026).name == "瑶海区"
    abolished = county_list.parse_name_periods("[1983-2004]马塘区,[2005-2020]弋江区")
    assert county_list.name_in_year(abolished, year=2026).name == "弋江区"
    assert not county_list.is_current(abolished, year=2026)
    assert county_list.parse_name_periods("定远县") == [county_list.NamePeriod("定远县")]
