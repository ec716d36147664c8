"""factory_boy factories shared by every app's tests (and usable from a Django shell)."""

import datetime
import random
from dataclasses import dataclass

import factory

from jumin.core.models import Region, RegionLevel, Role, User
from jumin.people.models import Household, Person, SpecialStatus, SpecialStatusKind
from jumin.people.rules import check_character

TEST_PASSWORD = "Jumin-test-2026"


def make_id_number(
    *, address_code: str = "341125", birth_date: datetime.date, sequence: int, sex: str = "male"
) -> str:
    """A valid 18-character ID number; ``sequence`` 0..499 picks the 3-digit order code."""
    order = (sequence % 500) * 2 + (1 if sex == "male" else 0)
    first17 = f"{address_code}{birth_date:%Y%m%d}{order:03d}"
    return first17 + check_character(first17)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"341125{n + 1:03d}000")
    name = factory.Sequence(lambda n: f"乡镇{n}")
    level = RegionLevel.TOWNSHIP


@dataclass
class Tree:
    province: Region
    city: Region
    county: Region
    township_a: Region
    township_b: Region
    village_a1: Region
    village_a2: Region
    village_b1: Region
    village_b2: Region


class RegionTreeFactory:
    @staticmethod
    def build_tree() -> Tree:
        province = RegionFactory(code="340000000000", name="安徽省", level=RegionLevel.PROVINCE)
        city = RegionFactory(
            code="341100000000", name="滁州市", level=RegionLevel.CITY, parent=province
        )
        county = RegionFactory(
            code="341125000000", name="定远县", level=RegionLevel.COUNTY, parent=city
        )
        township_a = RegionFactory(
            code="341125100000", name="定城镇", level=RegionLevel.TOWNSHIP, parent=county
        )
        township_b = RegionFactory(
            code="341125101000", name="炉桥镇", level=RegionLevel.TOWNSHIP, parent=county
        )
        return Tree(
            province=province,
            city=city,
            county=county,
            township_a=township_a,
            township_b=township_b,
            village_a1=RegionFactory(
                code="341125100001", name="东门村", level=RegionLevel.VILLAGE, parent=township_a
            ),
            village_a2=RegionFactory(
                code="341125100002", name="西门村", level=RegionLevel.VILLAGE, parent=township_a
            ),
            village_b1=RegionFactory(
                code="341125101001", name="桥南村", level=RegionLevel.VILLAGE, parent=township_b
            ),
            village_b2=RegionFactory(
                code="341125101002", name="桥北村", level=RegionLevel.VILLAGE, parent=township_b
            ),
        )


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    full_name = factory.Sequence(lambda n: f"经办员{n}")
    role = Role.TOWNSHIP_CLERK
    region = None
    is_active = True
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华玉兰桂珍"


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    village = None
    number = factory.Sequence(lambda n: f"H{n:06d}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    class Params:
        sequence = factory.Sequence(lambda n: n)

    sex = factory.LazyFunction(lambda: random.choice(["male", "female"]))
    birth_date = factory.Sequence(
        # 700 steps of 37 days span 1950-2020: never a future birth date, however many
        # persons a test session makes (with the 500 order codes: unique for 3500 persons)
        lambda n: datetime.date(1950, 1, 1) + datetime.timedelta(days=37 * (n % 700))
    )
    id_number = factory.LazyAttribute(
        lambda o: make_id_number(birth_date=o.birth_date, sequence=o.sequence, sex=o.sex)
    )
    name = factory.Sequence(lambda n: _SURNAMES[n % len(_SURNAMES)] + _GIVEN[(n * 7) % len(_GIVEN)])
    village = None
    phone = factory.Sequence(lambda n: f"139{n:08d}")


class SpecialStatusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpecialStatus

    person = factory.SubFactory(PersonFactory)
    village = factory.LazyAttribute(lambda o: o.person.village)
    kind = SpecialStatusKind.SEVERE_DISABILITY
    detail = "1"
    valid_from = datetime.date(2020, 1, 1)
    valid_to = None
