"""The roles of the portal. Each is a Django group; the group names are what admins see.

The last three are 等保2.0's 三员分立: the system administrator configures (templates, batches), the security
administrator manages accounts (roles, unlocks, second-factor resets), the audit administrator only reads the
audit trail. One account never holds two of them (``ADMINISTRATORS``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "申报单位", _("申报单位")
    EVALUATOR = "第三方评价机构", _("第三方评价机构")
    CITY = "市州经信局", _("市州经信局")
    EXPERT = "评审专家", _("评审专家")
    PROVINCE = "省经信厅", _("省经信厅")
    ADMIN = "系统管理员", _("系统管理员")
    SECURITY = "安全管理员", _("安全管理员")
    AUDITOR = "审计管理员", _("审计管理员")


ADMINISTRATORS = (Role.ADMIN, Role.SECURITY, Role.AUDITOR)
# Each evaluator's staff share a group named after its credit code (its object permissions, django-guardian).
EVALUATOR_STAFF_GROUP = "评价机构:"
