"""Households, persons and special statuses of a demo county as plain rows. Pure: no
database; one seeded ``random.Random`` decides everything."""

import bisect
import datetime
import hashlib
import itertools
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import astuple, dataclass, field, make_dataclass
from dataclasses import field as dataclass_field
from typing import NamedTuple

from jumin.people.demo.regions import Village
from jumin.people.fields import PERSON_FIELDS
from jumin.people.models import HukouType, Sex, SpecialStatusKind
from jumin.people.rules import check_character

MALE, FEMALE = Sex.MALE.value, Sex.FEMALE.value


@dataclass(slots=True)
class HouseholdRow:
    village_code: str
    number: str
    address: str


# A generated person: one attribute per field of the spec (``jumin.people.fields``), blank
# unless the generator draws it, so a field added there is written by the demo too.
PersonRow = make_dataclass(
    "PersonRow",
    [(f.name, object, dataclass_field(default=f.blank)) for f in PERSON_FIELDS],
    slots=True,
)
PersonRow.__module__ = __name__


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


class _StatusRule(NamedTuple):
    kind: str
    rate: float  # share of all persons
    minimum_age: int
    ended: float  # share whose status ended in the past
    details: tuple[tuple[str, int], ...]  # (detail, weight)
    source: str


_STATUS_RULES = (
    _StatusRule(
        SpecialStatusKind.SEVERE_DISABILITY.value, 0.015, 1, 0.05, (("1", 2), ("2", 3)), "县残联"
    ),
    _StatusRule(
        SpecialStatusKind.SUBSISTENCE_ALLOWANCE.value,
        0.04,
        1,
        0.25,
        (("full", 3), ("partial", 7)),
        "县民政局",
    ),
    _StatusRule(
        SpecialStatusKind.EXTREME_POVERTY.value,
        0.006,
        55,
        0.1,
        (("分散供养", 8), ("集中供养", 2)),
        "县民政局",
    ),
    _StatusRule(
        SpecialStatusKind.FAMILY_PLANNING_SPECIAL.value,
        0.002,
        49,
        0.02,
        (("独生子女死亡", 6), ("独生子女伤残", 4)),
        "县卫健委",
    ),
    _StatusRule(
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
        # The county-wide rate, turned into a rate among those old enough.
        self._status_rules = [
            rule._replace(rate=rule.rate / _ELIGIBLE_SHARE[rule.minimum_age])
            for rule in _STATUS_RULES
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
        if not villages:
            raise ValueError("该县还没有村（社区），无法生成参保人")
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
        while quota > 0:
            number += 1
            members = self._members()[:quota]
            quota -= len(members)
            household = HouseholdRow(
                village_code=village.code,
                number=f"{village.code[6:]}{number:04d}",
                address=f"{village.township_name}{village.name}{rng.randint(1, 12)}组",
            )
            hukou = self._hukou(village)
            batch = HouseholdBatch(household=household, persons=[])
            surname = self._surname()
            for member in members:
                person = self._person(
                    member,
                    village_code=village.code,
                    household_number=household.number,
                    hukou=hukou,
                    surname=surname if member.relation in _BLOOD_RELATIONS else self._surname(),
                )
                batch.persons.append(person)
                batch.statuses.extend(self._statuses(person, member.age))
            self.households += 1
            yield batch

    def _hukou(self, village: Village) -> str:
        """One hukou type for the whole household: mostly agricultural in villages, mostly
        non-agricultural or unified (居民户口) in the communities of towns and parks."""
        agricultural = 0.2 if village.is_community else 0.72
        draw = self.rng.random()
        if draw < agricultural:
            return HukouType.AGRICULTURAL.value
        if draw < agricultural + (1 - agricultural) * 0.6:
            return HukouType.UNIFIED.value
        return HukouType.NON_AGRICULTURAL.value

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
            village_id=village_code,
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
            if person.death_date is not None:  # a status ends with its holder
                valid_to = min(valid_to or person.death_date, person.death_date)
            detail = _weighted(rng, details)
            found.append(
                StatusRow(
                    id_number=person.id_number,
                    village_code=person.village_id,
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
            village_id=original.village_id,
            hukou_type=original.hukou_type,
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
