"""Hubei's 17 city-level units and the 2025 targets (附件3), as shipped."""

import pytest
from django.db.models import Sum

from greenmfg.models import Region
from registry.models import Target

pytestmark = pytest.mark.django_db

# code, name, 产品, 工厂, 供应链, 园区 — 附件3 of 鄂经信办节能〔2022〕8号
TARGETS_2025 = [
    ("420100", "武汉市", 30, 21, 8, 3),
    ("420200", "黄石市", 15, 7, 2, 1),
    ("420300", "十堰市", 15, 7, 2, 1),
    ("420500", "宜昌市", 18, 10, 4, 2),
    ("420600", "襄阳市", 18, 10, 4, 2),
    ("420700", "鄂州市", 5, 3, 1, 0),
    ("420800", "荆门市", 15, 7, 2, 1),
    ("420900", "孝感市", 15, 7, 2, 1),
    ("421000", "荆州市", 15, 7, 2, 1),
    ("421100", "黄冈市", 15, 7, 1, 1),
    ("421200", "咸宁市", 15, 7, 1, 1),
    ("421300", "随州市", 5, 3, 1, 0),
    ("422800", "恩施土家族苗族自治州", 7, 1, 0, 1),
    ("429004", "仙桃市", 4, 1, 0, 0),
    ("429005", "潜江市", 4, 1, 0, 0),
    ("429006", "天门市", 4, 1, 0, 0),
    ("429021", "神农架林区", 0, 0, 0, 0),
]


def test_the_17_city_level_units_with_their_division_codes():
    assert list(Region.objects.values_list("code", "name")) == [(row[0], row[1]) for row in TARGETS_2025]


@pytest.mark.parametrize("row", TARGETS_2025, ids=[row[1] for row in TARGETS_2025])
def test_every_citys_2025_targets(row):
    code, _name, product, factory, supply_chain, park = row
    targets = dict(
        Target.objects.filter(region_id=code, plan__last_year=2025).values_list("category", "count")
    )
    assert targets == {"product": product, "factory": factory, "supply_chain": supply_chain, "park": park}


def test_the_2025_totals_are_200_100_30_15():
    totals = dict(
        Target.objects.filter(plan__last_year=2025)
        .values("category")
        .annotate(n=Sum("count"))
        .values_list("category", "n")
    )
    assert totals == {"product": 200, "factory": 100, "supply_chain": 30, "park": 15}


def test_the_six_roles_exist_as_groups():
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {
        "申报单位",
        "第三方评价机构",
        "市州经信局",
        "评审专家",
        "省经信厅",
        "系统管理员",
    }
