"""The six roles of the portal. Each is a Django group; the group names are what admins see."""

from django.db import models


class Role(models.TextChoices):
    APPLICANT = "申报单位", "申报单位"
    EVALUATOR = "第三方评价机构", "第三方评价机构"
    CITY = "市州经信局", "市州经信局"
    EXPERT = "评审专家", "评审专家"
    PROVINCE = "省经信厅", "省经信厅"
    ADMIN = "系统管理员", "系统管理员"
