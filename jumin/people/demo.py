"""The demo county: a region tree, households, persons, special statuses and staff accounts.

Modelled on the 定远县 figures in ``domain/COUNTY.md``: 22 townships and 2 industrial parks,
8–20 villages each, households of 1–6 people, a rural age pyramid (most people 45–75), valid
ID numbers, Chinese names, special statuses at the rates the county reports, a handful of
suspected duplicates. Everything comes from one ``random.Random(seed)`` and the reference day
``on``: the same seed and day give the same rows.

``plan_regions`` and ``generate_people`` are pure (no database); ``demo_generate`` writes a
county set-based (COPY on PostgreSQL, ``executemany`` elsewhere; see ``insert_rows``) in one
transaction with one ``demo.generate`` audit entry. The benchmark reuses the same generator to
write a roster file.
"""

import bisect
import datetime
import hashlib
import itertools
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import astuple, dataclass, field

from django.contrib.auth.password_validation import validate_password
from django.db import connection, transaction
from django.utils import timezone

from jumin.core import audit
from jumin.core.models import Region, RegionLevel, Role, User
from jumin.core.regions import load_counties
from jumin.people.models import (
    Household,
    HukouType,
    Person,
    Sex,
    SpecialStatus,
    SpecialStatusKind,
)
from jumin.people.rules import check_character

DEFAULT_COUNTY = "341125"
MALE, FEMALE = Sex.MALE.value, Sex.FEMALE.value
CHUNK_PERSONS = 5_000

# --------------------------------------------------------------------------- staff accounts

DEMO_PASSWORD = "Jumin-demo-2026"


@dataclass(frozen=True)
class DemoAccount:
    role: str
    username: str
    password: str
    full_name: str
    scope: str  # "county", "township" (the first one) or "village" (its first one)


_ACCOUNTS = (
    (Role.COUNTY_ADMIN, "county_admin", "王建华", "county"),
    (Role.COUNTY_CLERK, "county_clerk", "李秀梅", "county"),
    (Role.FINANCE, "county_finance", "张国庆", "county"),
    (Role.AUDITOR, "county_auditor", "陈立新", "county"),
    (Role.LEADER, "county_leader", "刘志强", "county"),
    (Role.TOWNSHIP_CLERK, "township_clerk", "周红霞", "township"),
    (Role.VILLAGE_ASSISTANT, "village_assistant", "吴德明", "village"),
)


def demo_accounts(county_code: str) -> list[DemoAccount]:
    """The demo logins of a county. The default county's usernames carry no suffix
    (``county_admin``); another county's end in its code (``county_admin_341282``)."""
    suffix = "" if county_code == DEFAULT_COUNTY else f"_{county_code}"
    return [
        DemoAccount(role, f"{username}{suffix}", DEMO_PASSWORD, full_name, scope)
        for role, username, full_name, scope in _ACCOUNTS
    ]


# --------------------------------------------------------------------------- region plan


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    level: int
    parent_code: str | None


# 定远县's towns (镇, codes 1xx), townships (乡, 2xx) and parks (4xx), in the order given.
DINGYUAN_TOWNS = (
    "定城镇",
    "炉桥镇",
    "永康镇",
    "吴圩镇",
    "朱湾镇",
    "张桥镇",
    "藕塘镇",
    "池河镇",
    "连江镇",
    "界牌集镇",
    "桑涧镇",
    "蒋集镇",
    "大桥镇",
    "西卅店镇",
    "仓镇",
)
DINGYUAN_XIANG = ("严桥乡", "拂晓乡", "七里塘乡", "范岗乡", "二龙回族乡", "能仁乡", "青山乡")
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
    that ``jumin.core.regions`` reads from python-stdnum."""
    from django.core.exceptions import ValidationError

    from jumin.core.regions import county_rows

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


# --------------------------------------------------------------------------- people


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    township_name: str
    is_community: bool


@dataclass(slots=True)
class HouseholdRow:
    village_code: str
    number: str
    address: str


@dataclass(slots=True)
class PersonRow:
    id_number: str
    name: str
    sex: str
    birth_date: datetime.date
    village_code: str
    household_number: str
    relation_to_head: str
    hukou_type: str
    phone: str
    passbook_number: str
    social_security_card_number: str
    death_date: datetime.date | None


@dataclass(slots=True)
class StatusRow:
    id_number: str
    village_code: str
    kind: str
    detail: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    source: str


@dataclass(slots=True)
class HouseholdBatch:
    """One household (or, for a duplicate registration, none) with its members' rows."""

    household: HouseholdRow | None
    persons: list[PersonRow]
    statuses: list[StatusRow] = field(default_factory=list)


# Share of registered people by age (0..100): few children (often registered elsewhere or not
# yet on the rolls), most people 45–75, a thin tail past 85.
def _age_weight(age: int) -> float:
    if age < 16:
        return 0.55
    if age < 30:
        return 0.8
    if age < 45:
        return 1.0
    if age < 60:
        return 1.9
    if age <= 75:
        return 1.8
    if age <= 85:
        return 0.8
    if age <= 95:
        return 0.2
    return 0.03


def _head_age_weight(age: int) -> float:
    if age < 22:
        return 0.0
    if age < 35:
        return 0.4
    if age < 45:
        return 0.9
    if age <= 75:
        return 2.0
    if age <= 85:
        return 0.8
    return 0.15


def _cumulative(weights: Iterable[float]) -> list[float]:
    return list(itertools.accumulate(weights))


_AGE_CUMULATIVE = _cumulative(_age_weight(age) for age in range(101))
_HEAD_AGE_CUMULATIVE = _cumulative(_head_age_weight(age) for age in range(101))
_HOUSEHOLD_SIZES = (1, 2, 3, 4, 5, 6)
_HOUSEHOLD_SIZE_CUMULATIVE = _cumulative((12, 30, 22, 19, 11, 6))

# Surnames with their approximate share (per mille) in the population.
_SURNAME_SHARES = (
    "王71 李70 张66 刘54 陈46 杨31 黄25 赵23 吴20 周19 徐17 孙15 马15 朱13 胡13 郭12 何12 "
    "林11 高11 罗10 郑9 梁9 谢8 宋8 唐8 许7 韩7 邓7 冯7 曹7 彭7 曾6 肖6 田6 董6 潘5 袁5 蔡5 "
    "蒋5 余5 于5 杜5 叶5 程5 魏4 苏4 吕4 丁4 任4 卢4 姚4 沈4 钟4 姜4 崔4 谭4 陆3 范3 汪3 "
    "廖3 石3 金3 韦3 贾3 夏3 付3 方3 邹2 熊2 白2 孟2 秦2 邱2 侯2 江2 尹2 薛2 闫2 段2 雷2 "
    "龙2 黎2 史2 陶2 贺2 毛2 郝2 顾2 龚2 邵2 万2 武2 钱2 戴2 严2 孔1 汤1 葛1 凌1 窦1"
).split()
_SURNAMES = [entry[0] for entry in _SURNAME_SHARES]
_SURNAME_CUMULATIVE = _cumulative(int(entry[1:]) for entry in _SURNAME_SHARES)

# Characters of given names by sex and by the decade people were born in.
_GIVEN_CHARACTERS = {
    (MALE, 0): "德明志国建华文永友发金长宝福忠春兴贵林山学正玉荣成家广庆和良祥海",
    (FEMALE, 0): "秀英兰桂芳珍凤玉梅翠花琴云霞淑素萍香莲荣桂菊",
    (MALE, 1): "伟军勇强斌涛磊杰波刚平辉俊峰亮鹏超东兵红华健林明忠",
    (FEMALE, 1): "丽敏静燕娟艳霞红芳玲萍琳莉娜慧洁梅雪英华丹",
    (MALE, 2): "浩宇轩子俊博文杰涛鑫磊晨辰阳帅豪瑞泽昊睿航铭一天嘉凯",
    (FEMALE, 2): "欣怡梓涵雨萱佳琪思语诗婷紫可馨悦彤雪瑶晴依婉月",
}

_PHONE_PREFIXES = (
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
    "166 177 180 181 182 183 186 187 188 189 199"
).split()

# (kind, share of all persons, minimum age, share ended in the past, details, source)
_STATUS_RULES = (
    (
        SpecialStatusKind.SEVERE_DISABILITY.value,
        0.015,
        1,
        0.05,
        (("1", 2), ("2", 3)),
        "县残联",
    ),
    (
        SpecialStatusKind.SUBSISTENCE_ALLOWANCE.value,
        0.04,
        1,
        0.25,
        (("full", 3), ("partial", 7)),
        "县民政局",
    ),
    (
        SpecialStatusKind.EXTREME_POVERTY.value,
        0.006,
        55,
        0.1,
        (("分散供养", 8), ("集中供养", 2)),
        "县民政局",
    ),
    (
        SpecialStatusKind.FAMILY_PLANNING_SPECIAL.value,
        0.002,
        49,
        0.02,
        (("独生子女死亡", 6), ("独生子女伤残", 4)),
        "县卫健委",
    ),
    (
        SpecialStatusKind.POVERTY_MONITORED.value,
        0.01,
        1,
        0.3,
        (("脱贫不稳定户", 5), ("边缘易致贫户", 3), ("突发严重困难户", 2)),
        "县乡村振兴局",
    ),
)
# Share of the population at or above each status's minimum age, used to turn the county-wide
# rate into a rate among the eligible (measured on generated data; close enough for a demo).
_ELIGIBLE_SHARE = {1: 0.99, 49: 0.49, 55: 0.39}


@dataclass(slots=True)
class _Member:
    relation: str
    age: int
    sex: str


class PeopleGenerator:
    """Households and persons for a list of villages, from one seeded random stream."""

    def __init__(self, *, rng: random.Random, on: datetime.date, county_code: str):
        self.rng = rng
        self.on = on
        self.county_code = county_code
        self.used_ids: set[int] = set()
        self.households = 0
        self.persons = 0
        self.statuses = 0
        self.duplicates = 0
        self.candidates: list[PersonRow] = []  # adults a duplicate registration may copy
        self._status_rules = [
            (kind, rate / _ELIGIBLE_SHARE[minimum_age], minimum_age, ended, details, source)
            for kind, rate, minimum_age, ended, details, source in _STATUS_RULES
        ]

    # -- the whole county

    def generate(self, villages: Sequence[Village], people: int) -> Iterator[HouseholdBatch]:
        duplicates = min(30, max(3, people // 1000)) if people >= 50 else 0
        quotas = self._quotas(villages, people - duplicates)
        for village, quota in zip(villages, quotas, strict=True):
            yield from self._village(village, quota)
        for _ in range(duplicates):
            if self.candidates:
                yield self._duplicate(self.rng.choice(self.candidates))

    def _quotas(self, villages: Sequence[Village], people: int) -> list[int]:
        """People per village: uneven (0.4–1.6 × the mean; communities in parks smaller),
        adding up to exactly ``people``."""
        weights = [
            self.rng.uniform(0.4, 1.6) * (0.5 if village.is_community else 1.0)
            for village in villages
        ]
        total = sum(weights)
        quotas = [int(people * weight / total) for weight in weights]
        for index in range(people - sum(quotas)):
            quotas[index % len(quotas)] += 1
        return quotas

    # -- one village

    def _village(self, village: Village, quota: int) -> Iterator[HouseholdBatch]:
        rng = self.rng
        number = 0
        agricultural = 0.2 if village.is_community else 0.72
        while quota > 0:
            number += 1
            members = self._members()[:quota]
            quota -= len(members)
            household = HouseholdRow(
                village_code=village.code,
                number=f"{village.code[6:]}{number:04d}",
                address=f"{village.township_name}{village.name}{rng.randint(1, 12)}组",
            )
            draw = rng.random()
            hukou = (
                HukouType.AGRICULTURAL.value
                if draw < agricultural
                else HukouType.UNIFIED.value
                if draw < agricultural + (1 - agricultural) * 0.6
                else HukouType.NON_AGRICULTURAL.value
            )
            batch = HouseholdBatch(household=household, persons=[])
            surname = self._surname()
            for member in members:
                person = self._person(
                    member,
                    village_code=village.code,
                    household_number=household.number,
                    hukou=hukou,
                    surname=surname if member.relation in _BLOOD_RELATIONS else self._surname(),
                    household_size=len(members),
                )
                batch.persons.append(person)
                batch.statuses.extend(self._statuses(person, member.age))
            self.households += 1
            yield batch

    def _members(self) -> list[_Member]:
        """A household: head, spouse, children, a parent, a daughter-in-law, grandchildren."""
        rng = self.rng
        size = _HOUSEHOLD_SIZES[self._pick(_HOUSEHOLD_SIZE_CUMULATIVE)]
        head_age = self._pick(_HEAD_AGE_CUMULATIVE)
        head_sex = MALE if rng.random() < 0.78 else FEMALE
        members = [_Member("户主", head_age, head_sex)]
        if size >= 2 and rng.random() < (0.88 if head_age < 75 else 0.6):
            spouse_sex = FEMALE if head_sex == MALE else MALE
            shift = rng.randint(-5, 2) if head_sex == MALE else rng.randint(-2, 5)
            members.append(_Member("配偶", _clamp_age(head_age + shift, 18), spouse_sex))
        has_parent = False
        while len(members) < size:
            draw = rng.random()
            sons = [m for m in members if m.relation == "子" and m.age >= 22]
            adults = [m for m in members if m.relation in ("子", "女") and m.age >= 22]
            if head_age <= 55 and not has_parent and draw < 0.15:
                has_parent = True
                sex = MALE if rng.random() < 0.45 else FEMALE
                relation = "父亲" if sex == MALE else "母亲"
                members.append(_Member(relation, _clamp_age(head_age + rng.randint(22, 34)), sex))
            elif sons and draw < 0.45 and not any(m.relation == "儿媳" for m in members):
                son = sons[0]
                members.append(
                    _Member("儿媳", _clamp_age(son.age + rng.randint(-4, 2), 18), FEMALE)
                )
            elif adults and draw < 0.8 and (parent := rng.choice(adults)).age >= 24:
                sex = MALE if rng.random() < 0.52 else FEMALE
                relation = "孙子" if sex == MALE else "孙女"
                age = parent.age - rng.randint(20, 32)
                members.append(_Member(relation, age if age >= 0 else rng.randint(0, 4), sex))
            else:
                age = head_age - rng.randint(20, 38)
                if age < 0:
                    age = rng.randint(0, max(0, head_age - 18))
                sex = MALE if rng.random() < 0.52 else FEMALE
                members.append(_Member("子" if sex == MALE else "女", age, sex))
        # Children are often registered elsewhere (schools, parents working away): leave out
        # a share of the under-16s, never the head.
        return [m for m in members if m.age >= 16 or m.relation == "户主" or rng.random() < 0.8]

    def _person(
        self,
        member: _Member,
        *,
        village_code: str,
        household_number: str,
        hukou: str,
        surname: str,
        household_size: int,
    ) -> PersonRow:
        rng = self.rng
        age = member.age
        birth_date = self._birth_date(age)
        adult = age >= 16
        phone = ""
        if rng.random() < (0.88 if 18 <= age <= 75 else 0.45 if age > 75 else 0.25 if adult else 0):
            phone = rng.choice(_PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        passbook = f"62284{rng.randrange(10**14):014d}" if adult and rng.random() < 0.85 else ""
        card = ""
        if adult and rng.random() < 0.55:
            card = f"{'ABCDEFGH'[rng.randrange(8)]}{rng.randrange(10**8):08d}"
        death_date = None
        if rng.random() < (0.002 if age < 60 else 0.01 + (age - 60) * 0.0012):
            earliest = max(
                birth_date + datetime.timedelta(days=1), self.on.replace(day=1) - _YEARS_3
            )
            span = (self.on - datetime.timedelta(days=1) - earliest).days
            if span >= 0:
                death_date = earliest + datetime.timedelta(days=rng.randint(0, span))
        person = PersonRow(
            id_number=self._id_number(birth_date, member.sex),
            name=surname + self._given_name(member.sex, birth_date.year),
            sex=member.sex,
            birth_date=birth_date,
            village_code=village_code,
            household_number=household_number,
            relation_to_head=member.relation,
            hukou_type=hukou,
            phone=phone,
            passbook_number=passbook,
            social_security_card_number=card,
            death_date=death_date,
        )
        self.persons += 1
        if adult and death_date is None and len(self.candidates) < 2000:
            self.candidates.append(person)
        return person

    def _statuses(self, person: PersonRow, age: int) -> list[StatusRow]:
        rng = self.rng
        found = []
        for kind, rate, minimum_age, ended, details, source in self._status_rules:
            if rng.random() >= rate or age < minimum_age:
                continue
            earliest = max(person.birth_date + datetime.timedelta(days=365), self.on - _YEARS_12)
            latest = self.on - datetime.timedelta(days=30)
            if person.death_date is not None:
                latest = min(latest, person.death_date)
            if latest < earliest:
                continue
            valid_from = earliest + datetime.timedelta(
                days=rng.randint(0, (latest - earliest).days)
            )
            valid_to = None
            if rng.random() < ended:
                last = min(self.on - datetime.timedelta(days=1), latest + _YEARS_3)
                if last >= valid_from:
                    valid_to = valid_from + datetime.timedelta(
                        days=rng.randint(0, (last - valid_from).days)
                    )
            if person.death_date is not None and valid_to is None:
                valid_to = person.death_date
            detail = _weighted(rng, details)
            found.append(
                StatusRow(
                    id_number=person.id_number,
                    village_code=person.village_code,
                    kind=kind,
                    detail=detail,
                    valid_from=valid_from,
                    valid_to=valid_to,
                    source=f"{source}〔{valid_from.year}〕{rng.randint(1, 300)}号",
                )
            )
        self.statuses += len(found)
        return found

    def _duplicate(self, original: PersonRow) -> HouseholdBatch:
        """The same name and birth date registered again under another ID number (a typo in
        the order code, an old card), without a household: what the duplicates page is for."""
        copy = PersonRow(
            id_number=self._id_number(original.birth_date, original.sex),
            name=original.name,
            sex=original.sex,
            birth_date=original.birth_date,
            village_code=original.village_code,
            household_number="",
            relation_to_head="",
            hukou_type=original.hukou_type,
            phone="",
            passbook_number="",
            social_security_card_number="",
            death_date=None,
        )
        self.persons += 1
        self.duplicates += 1
        return HouseholdBatch(household=None, persons=[copy])

    # -- small draws

    def _pick(self, cumulative: list[float]) -> int:
        return bisect.bisect_right(cumulative, self.rng.random() * cumulative[-1])

    def _surname(self) -> str:
        return _SURNAMES[self._pick(_SURNAME_CUMULATIVE)]

    def _given_name(self, sex: str, birth_year: int) -> str:
        era = 0 if birth_year < 1965 else 1 if birth_year < 1990 else 2
        characters = _GIVEN_CHARACTERS[(sex, era)]
        rng = self.rng
        if rng.random() < 0.3:
            return characters[rng.randrange(len(characters))]
        return (
            characters[rng.randrange(len(characters))] + characters[rng.randrange(len(characters))]
        )

    def _birth_date(self, age: int) -> datetime.date:
        """A birth date that makes the person ``age`` on ``self.on``."""
        try:
            last_birthday = self.on.replace(year=self.on.year - age)
        except ValueError:  # 29 February
            last_birthday = self.on.replace(year=self.on.year - age, day=28)
        back = self.rng.randint(0, 364)
        birth_date = last_birthday - datetime.timedelta(days=back)
        return birth_date

    def _id_number(self, birth_date: datetime.date, sex: str) -> str:
        """A valid, unused ID number: the county's address code, the birth date, an order code
        whose last digit is odd for men and even for women, the check character."""
        rng = self.rng
        parity = 1 if sex == MALE else 0
        base = int(f"{self.county_code}{birth_date:%Y%m%d}") * 1000
        while True:
            order = rng.randrange(500) * 2 + parity
            key = base + order
            if key not in self.used_ids:
                self.used_ids.add(key)
                first17 = str(key)
                return first17 + check_character(first17)


_BLOOD_RELATIONS = frozenset({"户主", "子", "女", "孙子", "孙女", "父亲"})
_YEARS_3 = datetime.timedelta(days=3 * 365)
_YEARS_12 = datetime.timedelta(days=12 * 365)


def _clamp_age(age: int, minimum: int = 0) -> int:
    return max(minimum, min(100, age))


def _weighted(rng: random.Random, choices: Sequence[tuple[str, int]]) -> str:
    total = sum(weight for _, weight in choices)
    draw = rng.random() * total
    for value, weight in choices:
        draw -= weight
        if draw < 0:
            return value
    return choices[-1][0]


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


def generate_people(
    *, villages: Sequence[Village], people: int, seed: int, on: datetime.date, county_code: str
) -> Iterator[HouseholdBatch]:
    """The households and persons of a county, deterministic for (villages, people, seed, on)."""
    generator = PeopleGenerator(rng=random.Random(f"people-{seed}"), on=on, county_code=county_code)
    return generator.generate(villages, people)


def rows_digest(batches: Iterable[HouseholdBatch]) -> str:
    """SHA-256 over every generated row: equal digests mean identical demo data."""
    digest = hashlib.sha256()
    for batch in batches:
        if batch.household is not None:
            digest.update(repr(astuple(batch.household)).encode())
        for row in itertools.chain(batch.persons, batch.statuses):
            digest.update(repr(astuple(row)).encode())
    return digest.hexdigest()


# --------------------------------------------------------------------------- writing


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Bulk-insert plain rows: COPY on PostgreSQL, ``executemany`` elsewhere. The one vendor
    switch of the generator and the benchmark's bare baseline."""
    count = 0
    column_list = ", ".join(connection.ops.quote_name(column) for column in columns)
    table_name = connection.ops.quote_name(table)
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            with cursor.copy(f"COPY {table_name} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count
    rows = list(rows)
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table_name} ({column_list}) VALUES ({placeholders})", rows
        )
    return len(rows)


def _date(value):
    return connection.ops.adapt_datefield_value(value) if value is not None else None


@dataclass
class DemoResult:
    county: Region
    created: bool
    regions: int = 0
    villages: int = 0
    households: int = 0
    persons: int = 0
    statuses: int = 0
    duplicates: int = 0
    accounts: list[DemoAccount] = field(default_factory=list)
    existing_persons: int = 0


class CountyNotEmpty(Exception):
    def __init__(self, county_code: str, persons: int, households: int):
        super().__init__(county_code)
        self.persons = persons
        self.households = households
        self.message = (
            f"区划 {county_code} 已有 {persons} 名参保人、{households} 户；"
            "演示数据只写入空的县。加 --if-empty 可在已有数据时直接跳过。"
        )


def county_population(county_code: str) -> tuple[int, int]:
    persons = Person.objects.filter(village__pk__startswith=county_code).count()
    households = Household.objects.filter(village__pk__startswith=county_code).count()
    return persons, households


def ensure_regions(county_code: str, *, seed: int) -> tuple[Region, list[Village], int]:
    """The county's tree: kept as it is if it already has villages; else province, city and
    county are loaded from the national code list (``load_counties``, audited there) and the
    demo townships and villages created. Returns (county, villages, regions created)."""
    existing = list(
        Region.objects.filter(level=RegionLevel.VILLAGE, code__startswith=county_code)
        .select_related("parent")
        .order_by("code")
    )
    created = 0
    if not existing:
        load_counties(province_or_county_codes=[county_code], acting_user=None)
        plan = [
            row
            for row in plan_regions(county_code, random.Random(f"regions-{seed}"))
            if row.level >= RegionLevel.TOWNSHIP
        ]
        present = set(
            Region.objects.filter(code__in=[row.code for row in plan]).values_list(
                "code", flat=True
            )
        )
        new = [
            Region(code=row.code, name=row.name, level=row.level, parent_id=row.parent_code)
            for row in plan
            if row.code not in present
        ]
        Region.objects.bulk_create(new, batch_size=500)
        created = len(new)
        existing = list(
            Region.objects.filter(level=RegionLevel.VILLAGE, code__startswith=county_code)
            .select_related("parent")
            .order_by("code")
        )
    villages = [
        Village(
            code=region.code,
            name=region.name,
            township_name=region.parent.name if region.parent else "",
            is_community=region.name.endswith("社区"),
        )
        for region in existing
    ]
    county = Region.objects.get(code=county_code + "0" * 6)
    return county, villages, created


def demo_generate(
    *,
    county_code: str,
    people: int,
    seed: int,
    on: datetime.date | None = None,
    if_empty: bool = False,
    progress=None,
) -> DemoResult:
    """Build the demo county in one transaction (see the module docstring).

    Raises ``CountyNotEmpty`` if the county already has persons or households, unless
    ``if_empty``, which returns ``created=False`` and changes nothing. ``progress`` is an
    optional tqdm-like bar (``update(n)``).
    """
    on = on or timezone.localdate()
    with transaction.atomic():
        persons, households = county_population(county_code)
        if persons or households:
            if if_empty:
                county = Region.objects.get(code=county_code + "0" * 6)
                return DemoResult(county=county, created=False, existing_persons=persons)
            raise CountyNotEmpty(county_code, persons, households)
        county, villages, regions_created = ensure_regions(county_code, seed=seed)
        generator = PeopleGenerator(
            rng=random.Random(f"people-{seed}"), on=on, county_code=county_code
        )
        writer = _Writer(progress=progress)
        writer.write(generator.generate(villages, people))
        accounts = _create_accounts(county_code, villages)
        result = DemoResult(
            county=county,
            created=True,
            regions=regions_created,
            villages=len(villages),
            households=generator.households,
            persons=generator.persons,
            statuses=generator.statuses,
            duplicates=generator.duplicates,
            accounts=accounts,
        )
        audit.record(
            actor=None,
            action="demo.generate",
            obj=county,
            after={
                "county": county_code,
                "people": people,
                "seed": seed,
                "on": on,
                "regions_created": regions_created,
                "villages": len(villages),
                "households": result.households,
                "persons": result.persons,
                "special_statuses": result.statuses,
                "duplicates": result.duplicates,
                "accounts": [account.username for account in accounts],
            },
        )
    return result


class _Writer:
    """Writes generated batches in chunks: households, then persons (with household ids),
    then statuses (with person ids). Ids of new rows are read back once per chunk."""

    def __init__(self, *, progress=None):
        self.progress = progress
        self.now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {Household._meta.db_table}")
            self.last_household = cursor.fetchone()[0]
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {Person._meta.db_table}")
            self.last_person = cursor.fetchone()[0]

    def write(self, batches: Iterable[HouseholdBatch]) -> None:
        chunk: list[HouseholdBatch] = []
        size = 0
        for batch in batches:
            chunk.append(batch)
            size += len(batch.persons)
            if size >= CHUNK_PERSONS:
                self._flush(chunk, size)
                chunk, size = [], 0
        self._flush(chunk, size)

    def _flush(self, chunk: list[HouseholdBatch], size: int) -> None:
        if not chunk:
            return
        household_ids = self._households([b.household for b in chunk if b.household])
        person_ids = self._persons(chunk, household_ids)
        statuses = [status for batch in chunk for status in batch.statuses]
        if statuses:
            insert_rows(
                SpecialStatus._meta.db_table,
                (
                    "person_id",
                    "village_id",
                    "kind",
                    "detail",
                    "valid_from",
                    "valid_to",
                    "source",
                    "created_at",
                ),
                (
                    (
                        person_ids[s.id_number],
                        s.village_code,
                        s.kind,
                        s.detail,
                        _date(s.valid_from),
                        _date(s.valid_to),
                        s.source,
                        self.now,
                    )
                    for s in statuses
                ),
            )
        if self.progress is not None:
            self.progress.update(size)

    def _households(self, households: list[HouseholdRow]) -> dict[tuple[str, str], int]:
        table = Household._meta.db_table
        insert_rows(
            table,
            ("village_id", "number", "address", "created_at"),
            ((h.village_code, h.number, h.address, self.now) for h in households),
        )
        ids = {}
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, village_id, number FROM {table} WHERE id > %s", [self.last_household]
            )
            for pk, village_code, number in cursor.fetchall():
                ids[(village_code, number)] = pk
                self.last_household = max(self.last_household, pk)
        return ids

    def _persons(
        self, chunk: list[HouseholdBatch], household_ids: dict[tuple[str, str], int]
    ) -> dict[str, int]:
        table = Person._meta.db_table
        insert_rows(
            table,
            (
                "id_number",
                "name",
                "sex",
                "birth_date",
                "village_id",
                "household_id",
                "relation_to_head",
                "hukou_type",
                "phone",
                "passbook_number",
                "social_security_card_number",
                "death_date",
                "created_at",
                "updated_at",
            ),
            (
                (
                    p.id_number,
                    p.name,
                    p.sex,
                    _date(p.birth_date),
                    p.village_code,
                    household_ids.get((p.village_code, p.household_number)),
                    p.relation_to_head,
                    p.hukou_type,
                    p.phone,
                    p.passbook_number,
                    p.social_security_card_number,
                    _date(p.death_date),
                    self.now,
                    self.now,
                )
                for batch in chunk
                for p in batch.persons
            ),
        )
        ids = {}
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, id_number FROM {table} WHERE id > %s", [self.last_person])
            for pk, id_number in cursor.fetchall():
                ids[id_number] = pk
                self.last_person = max(self.last_person, pk)
        return ids


def _create_accounts(county_code: str, villages: Sequence[Village]) -> list[DemoAccount]:
    """One login per role; an account that already exists is left as it is."""
    first_village = villages[0].code
    scopes = {
        "county": county_code + "0" * 6,
        "township": first_village[:9] + "000",
        "village": first_village,
    }
    accounts = demo_accounts(county_code)
    existing = set(
        User.objects.filter(username__in=[a.username for a in accounts]).values_list(
            "username", flat=True
        )
    )
    for account in accounts:
        if account.username in existing:
            continue
        user = User(
            username=account.username,
            full_name=account.full_name,
            role=account.role,
            region_id=scopes[account.scope],
            is_active=True,
        )
        validate_password(account.password, user)
        user.set_password(account.password)
        user.password_changed_at = timezone.now()
        user.save()
    return accounts
