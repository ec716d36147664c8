"""The plan of a demo county's region tree: names from the national code list for the
province, city and county; 定远县's real township names (or made-up ones for another county);
8–20 villages per township. Pure: no database."""

import random
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from jumin.core.formats.county_list import county_rows
from jumin.core.models import RegionLevel

DEFAULT_COUNTY = "341125"


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    level: int
    parent_code: str | None


# 定远县's towns (镇, codes 1xx), townships (乡, 2xx) and parks (4xx), in the order given.
DINGYUAN_TOWNS = (
    "定城镇 炉桥镇 永康镇 吴圩镇 朱湾镇 张桥镇 藕塘镇 池河镇 连江镇 界牌集镇 桑涧镇 蒋集镇 大桥镇 西卅店镇 仓镇"
).split()
DINGYUAN_XIANG = "严桥乡 拂晓乡 七里塘乡 范岗乡 二龙回族乡 能仁乡 青山乡".split()
DINGYUAN_PARKS = ("定远经济开发区", "盐化工业园")
TOWNSHIPS_PER_COUNTY = 22
TOWNS_PER_COUNTY = 15

_PLACE_STEMS = (
    "安丰 白马 北岗 柏山 长岭 城关 大兴 丰乐 高塘 古城 官桥 黄泥 金河 九龙 老集 梁园 龙亢 "
    "马店 南湖 平安 清水 三河 石桥 双庙 太平 桃园 土山 王集 新店 杨庙 永宁 枣林 张集 众兴"
).split()
_PARK_STEMS = ("经济开发区", "工业园", "高新区", "现代产业园")
_VILLAGE_NAMES = (
    "东风 红旗 新华 幸福 团结 光明 胜利 和平 建设 前进 向阳 新民 永丰 太平 长丰 兴隆 民主 "
    "联合 友谊 五一 双河 三合 四里 梨园 桃花 荷塘 青龙 白云 金星 新庄 花园 老庄 十里 八里"
).split()
_VILLAGE_SUFFIXES = "岗 庄 郢 圩 集 湾 店 桥 塘 楼 岭 洼 营 寨 墩 坝 铺 寺 井 沟".split()
_VILLAGE_SURNAMES = "李王张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐韩曹彭蒋夏许"
_COMMUNITY_NAMES = "城东 城西 城南 城北 中心 新城 府前 文昌 东街 西街 南街 北街".split()


def county_names(county_code: str, *, year: int | None = None) -> tuple[str, str, str]:
    """(province, city, county) names of a 6-digit county code, from the national code list
    that ``jumin.core.formats.county_list`` reads from python-stdnum."""
    year = year or timezone.localdate().year
    try:
        rows = {row.code: row.name for row in county_rows([county_code], year=year)}
    except ValidationError as error:
        raise ValueError(f"区划代码 {county_code} 不在国家县级区划代码表中") from error
    county = rows.get(county_code + "000000")
    if county is None or county_code.endswith("00"):
        raise ValueError(f"区划代码 {county_code} 不是县级区划代码")
    province = rows.get(county_code[:2] + "0" * 10, f"{county_code[:2]}省")
    city = rows.get(county_code[:4] + "0" * 8, "")
    return province, city, county


def plan_regions(county_code: str, rng: random.Random) -> list[RegionRow]:
    """Province, city, county, 22 townships, 2 parks and 8–20 villages per township (3–6
    communities per park), as rows; parents before children."""
    province, city, county = county_names(county_code)
    province_code = county_code[:2] + "0" * 10
    city_code = county_code[:4] + "0" * 8
    county_full = county_code + "0" * 6
    rows = [RegionRow(province_code, province, RegionLevel.PROVINCE, None)]
    if city:
        rows.append(RegionRow(city_code, city, RegionLevel.CITY, province_code))
    county_parent = city_code if city else province_code
    rows.append(RegionRow(county_full, county, RegionLevel.COUNTY, county_parent))
    for township_code, township_name, kind in _townships(county_code, rng):
        rows.append(RegionRow(township_code, township_name, RegionLevel.TOWNSHIP, county_full))
        count = rng.randint(3, 6) if kind == "park" else rng.randint(8, 20)
        for number, village_name in enumerate(_village_names(rng, count, kind), start=1):
            rows.append(
                RegionRow(
                    f"{township_code[:9]}{number:03d}",
                    village_name,
                    RegionLevel.VILLAGE,
                    township_code,
                )
            )
    return rows


def _townships(county_code: str, rng: random.Random) -> list[tuple[str, str, str]]:
    if county_code == DEFAULT_COUNTY:
        towns, xiang, parks = DINGYUAN_TOWNS, DINGYUAN_XIANG, DINGYUAN_PARKS
    else:
        stems = rng.sample(_PLACE_STEMS, TOWNSHIPS_PER_COUNTY + 2)
        towns = tuple(f"{stem}镇" for stem in stems[:TOWNS_PER_COUNTY])
        xiang = tuple(f"{stem}乡" for stem in stems[TOWNS_PER_COUNTY:TOWNSHIPS_PER_COUNTY])
        parks = tuple(
            f"{stem}{suffix}"
            for stem, suffix in zip(stems[TOWNSHIPS_PER_COUNTY:], _PARK_STEMS, strict=False)
        )
    return (
        [(f"{county_code}{100 + i:03d}000", name, "town") for i, name in enumerate(towns)]
        + [(f"{county_code}{200 + i:03d}000", name, "xiang") for i, name in enumerate(xiang)]
        + [(f"{county_code}{400 + i:03d}000", name, "park") for i, name in enumerate(parks)]
    )


def _village_names(rng: random.Random, count: int, kind: str) -> list[str]:
    """Unique names in one township: the seat's communities (社区) first, then villages."""
    communities = count if kind == "park" else (rng.randint(1, 2) if kind == "town" else 0)
    names = [f"{name}社区" for name in rng.sample(_COMMUNITY_NAMES, communities)]
    taken = set(names)
    while len(names) < count:
        if rng.random() < 0.35:
            stem = rng.choice(_VILLAGE_NAMES)
        else:
            stem = rng.choice(_VILLAGE_SURNAMES) + rng.choice(_VILLAGE_SUFFIXES)
        name = f"{stem}村"
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    township_name: str
    is_community: bool


def villages_of(regions: Sequence[RegionRow]) -> list[Village]:
    names = {row.code: row.name for row in regions}
    return [
        Village(
            code=row.code,
            name=row.name,
            township_name=names.get(row.parent_code or "", ""),
            is_community=row.name.endswith("社区"),
        )
        for row in regions
        if row.level == RegionLevel.VILLAGE
    ]
