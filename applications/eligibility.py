"""基本条件 per category and the 近三年不得申报 items the applicant attests (domain.md)."""

from django.utils.translation import gettext_lazy as _

from .models import Category

CONDITIONS = {
    Category.FACTORY: [
        ("legal_manufacturer", _("具有独立法人资格，从事实际生产制造活动")),
        ("law_abiding", _("遵守国家法律法规、政策和标准")),
        ("leading_performance", _("能耗、水耗、污染物排放等指标处于行业领先水平")),
        ("management_systems", _("建立并运行质量、职业健康安全、环境、安全生产和能源管理体系")),
    ],
    Category.PRODUCT: [
        ("clean_production", _("生产企业清洁生产水平行业领先，污染物排放达到国家或地方标准")),
        ("product_standards", _("产品质量、安全、能效等满足相关标准要求")),
        ("evaluation_standard", _("产品满足相应绿色设计产品评价技术规范的要求")),
    ],
    Category.SUPPLY_CHAIN: [
        ("legal_person", _("具有独立法人资格")),
        ("industry_influence", _("具有较强的行业影响力，盈利能力处于行业领先水平")),
        ("management_systems", _("建立并运行质量、环境、能源等管理体系")),
        ("green_strategy", _("制定绿色供应链管理战略并有明确目标")),
        ("supplier_management", _("供应商数量较多，建立了供应商管理体系")),
    ],
    Category.PARK: [
        ("provincial_park", _("省级以上工业园区，具有法定边界和唯一管理机构")),
        ("targets_met", _("完成上级下达的能耗和污染物减排目标，碳排放强度持续下降")),
        ("environment_quality", _("园区环境质量达到国家或地方规定的环境功能区环境质量标准")),
        ("green_body", _("设有专门的绿色发展管理机构并配备专职人员")),
    ],
}

# 近三年不得申报: the three items the applicant attests itself; (3) removal from a list is known to the software.
SELF_DECLARED_EXCLUSIONS = [
    ("operated_normally", _("近三年正常生产经营，未出现停产、半停产等非正常经营情形")),
    ("no_major_accident", _("近三年未发生较大及以上安全、质量事故或较大（III级）及以上突发环境事件")),
    (
        "no_inspection_problem",
        _("近三年未被国务院督查发现严重问题、未列入节能监察整改名单未整改、不是失信被执行人"),
    ),
]


def items_for(category) -> list[tuple[str, str]]:
    return [*CONDITIONS[category], *SELF_DECLARED_EXCLUSIONS]


def missing_items(category, attested: list[str]) -> list[str]:
    """The labels of the items not yet attested, in order."""
    return [str(label) for code, label in items_for(category) if code not in set(attested or [])]
