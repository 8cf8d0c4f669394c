"""Demo users, organisations and declarations in various states, for trying the portal locally."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from applications import eligibility
from applications import services as applications
from applications.answers import year_labels
from applications.forms import COMMITMENT_TEXT
from applications.models import (
    Batch,
    BatchCategory,
    Category,
    Declaration,
    IndicatorTemplate,
    Membership,
    Organisation,
)
from applications.scoring import Answer, own_reference
from greenmfg.accounts import PRIVILEGED_ROLES
from greenmfg.identifiers import credit_code_check_character
from greenmfg.models import Region, User
from greenmfg.roles import Role
from greenmfg.second_factor import new_backup_codes
from registry import rereview_experts, rereviews
from registry import services as registry
from registry.models import ListedUnit, ReReviewCase
from reviews import city as city_review
from reviews import experts
from reviews import services as reviews
from reviews.models import Assignment, Evaluator, Expert, Project, StaffMember

DEMO_PASSWORD = "greenmfg-demo"

# username, full name, role, city code
USERS = [
    ("qiye_wuhan", "张敏（武汉绿源机械）", Role.APPLICANT, None),
    ("qiye_huangshi", "李强（黄石华新新材料）", Role.APPLICANT, None),
    ("yuanqu_yichang", "王芳（宜昌高新区管委会）", Role.APPLICANT, None),
    ("pingjia", "赵磊（湖北绿色低碳评价中心）", Role.EVALUATOR, None),
    ("shizhou_wuhan", "武汉市经信局 陈静", Role.CITY, "420100"),
    ("shizhou_huangshi", "黄石市经信局 刘洋", Role.CITY, "420200"),
    ("shizhou_yichang", "宜昌市经信局 周杰", Role.CITY, "420500"),
    ("zhuanjia", "评审专家 孙立", Role.EXPERT, None),
    ("zhuanjia2", "评审专家 钱丽", Role.EXPERT, None),
    ("zhuanjia3", "评审专家 郑华", Role.EXPERT, None),
    ("zhuanjia4", "评审专家 冯雪", Role.EXPERT, None),
    ("zhuanjia5", "评审专家 褚卫", Role.EXPERT, None),
    ("zhuanjia6", "评审专家 蒋勇", Role.EXPERT, None),
    ("shengting", "省经信厅 节能处 吴涛", Role.PROVINCE, None),
    ("admin", "系统管理员（应急超级用户）", Role.ADMIN, None),
    ("anquan", "安全管理员 何平", Role.SECURITY, None),
    ("shenji", "审计管理员 许宁", Role.AUDITOR, None),
]
# Every account that needs a second factor gets these backup codes, each usable once per account, so every role
# can be tried at once without an authenticator app.
DEMO_BACKUP_CODES = [f"2025{n:04d}" for n in range(1, 11)]

# credit-code body (17 characters), name, kind, city code, member username
ORGANISATIONS = [
    ("91420100MA4KX0001", "武汉绿源机械有限公司", Organisation.Kind.ENTERPRISE, "420100", "qiye_wuhan"),
    (
        "91420200MA4KX0002",
        "黄石华新新材料股份有限公司",
        Organisation.Kind.ENTERPRISE,
        "420200",
        "qiye_huangshi",
    ),
    (
        "11420500MB1YC0003",
        "宜昌高新技术产业开发区管理委员会",
        Organisation.Kind.PARK,
        "420500",
        "yuanqu_yichang",
    ),
]


DECLARED_COMMON = {
    "address": "湖北省武汉市东湖新技术开发区高新大道 1 号",
    "nature": "private",
    "registration_authority": "市场监督管理局",
    "legal_representative": "张建国",
    "contact_name": "张敏",
    "contact_phone": "027-87654321",
    "contact_mobile": "13800138000",
    "contact_email": "greenmfg@example.cn",
    "summary": "演示数据：主要从事相关产品的研发与制造，已建立质量、环境、能源管理体系。",
}
ADDRESSES = {
    "qiye_wuhan": {"address": "湖北省武汉市东湖新技术开发区高新大道 1 号", "legal_representative": "张建国"},
    "qiye_huangshi": {
        "address": "湖北省黄石市下陆区团城山街道新材料产业园 8 号",
        "legal_representative": "李华新",
    },
    "yuanqu_yichang": {"address": "湖北省宜昌市西陵区发展大道 57 号", "legal_representative": "王宏"},
}
DECLARED = {
    Category.FACTORY: {**DECLARED_COMMON, "industry_code": "C3811"},
    Category.PRODUCT: {
        **DECLARED_COMMON,
        "industry_code": "C3811",
        "product_model": "YE5-132M-4",
        "evaluation_standard": "T/CEEIA 280-2017",
    },
    Category.SUPPLY_CHAIN: {
        **DECLARED_COMMON,
        "industry_code": "C3011",
        "supplier_count": 320,
        "green_supplier_count": 85,
        "supplier_management_system": "建立供应商准入、年度审核与绩效评估制度。",
    },
    Category.PARK: {
        **DECLARED_COMMON,
        "industry_code": "S",
        "nature": "public",
        "park_level": "national",
        "park_area": 128.5,
        "park_boundary": "东至长江，西至沪渝高速，南至柏临河，北至峡州大道。",
        "park_management_body": "宜昌高新技术产业开发区管理委员会",
    },
}
DEMO_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# A motor factory's year (GB/T 36132-2025 indicators are computed from it; scored against the 示例 tables).
DEMO_RAW = {
    "output": "20000",
    "energy.electricity": "360",
    "unit.electricity": "万kWh",
    "energy.natural_gas": "20",
    "unit.natural_gas": "万m³",
    "water": "30000",
    "waste_generated": "800",
    "waste_reused": "720",
    "land_area": "60000",
    "floor_area": "84000",
    "output_value": "60000",
}


def all_met_answers(declaration):
    """Every indicator answered as met; a value where one is asked (the 引领值, else the 基准值)."""
    template = declaration.setting.template
    references = declaration.indicator_references()
    answers = {}
    for indicator in template.indicators.exclude(kind="group"):
        reference = references.get(indicator.pk) or own_reference(indicator)
        if indicator.formula:
            continue
        if reference is not None:
            value = reference.leading if reference.leading is not None else reference.benchmark
            answers[indicator.pk] = Answer(None, [str(value)] * template.years_of_data)
        else:
            answers[indicator.pk] = Answer(True, [])
    return answers


def demo_raw(declaration):
    """The demo year of raw data, for templates that compute indicators from it."""
    template = declaration.setting.template
    if not template.indicators.exclude(formula="").exists():
        return None
    return {year: dict(DEMO_RAW) for year in year_labels(template, declaration.batch.year)}


def fill_in(declaration, user):
    """Attest every item, answer every indicator as met, and upload the two required files."""
    applications.attest(
        declaration,
        user=user,
        items=[code for code, _label in eligibility.items_for(declaration.category)],
        commitment_text=str(COMMITMENT_TEXT),
        ip_address="127.0.0.1",
    )
    applications.save_self_evaluation(
        declaration, user=user, answers=all_met_answers(declaration), raw=demo_raw(declaration)
    )
    for slot, name in (("self_evaluation_report", "自评价报告.pdf"), ("commitment_scan", "承诺书.pdf")):
        upload = SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf")
        applications.add_attachment(declaration, user=user, slot=slot, uploaded=upload, kind="pdf")


def evaluate(commission, staff):
    """The evaluator scores every indicator as met, attaches its report and submits."""
    reviews.save_evaluation(
        commission,
        user=staff,
        answers=all_met_answers(commission.declaration),
        raw=demo_raw(commission.declaration),
        fields={
            "onsite_date": timezone.localdate(),
            "basic_requirements_met": True,
            "highlights": "能源管理中心运行良好，余热回收利用率高。",
            "commitment_accepted": True,
        },
        report=SimpleUploadedFile("第三方评价报告.pdf", DEMO_PDF, content_type="application/pdf"),
        report_kind="pdf",
    )
    reviews.submit_evaluation(commission, user=staff)


def credit_code(body: str) -> str:
    return body + credit_code_check_character(body)


ALL_TICKED = [code for code, _label in city_review.CHECKLIST]


class Command(BaseCommand):
    help = "创建演示账号、单位和各状态的申报（仅供本地试用；可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="在非调试环境也运行（不建议用于生产）")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("演示数据只用于本地试用；生产环境请勿运行（确需运行请加 --force）。")
        with transaction.atomic():
            users = self.users()
            organisations = self.organisations(users)
            evaluator = self.evaluator(users["pingjia"])
            batch = self.batch()
            self.expert_pool(users)
            if Declaration.objects.filter(organisation__in=organisations.values()).exists():
                self.stdout.write("演示申报已存在，未重复创建。")
            else:
                self.declarations(users, organisations, evaluator, batch)
        self.stdout.write(self.style.SUCCESS(f"演示数据就绪：{len(USERS)} 个账号，密码均为 {DEMO_PASSWORD}"))

    def users(self):
        users = {}
        for username, full_name, role, city in USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"full_name": full_name, "city": Region.objects.get(pk=city) if city else None},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                if role == Role.ADMIN:
                    user.is_staff = user.is_superuser = True
                if role == Role.SECURITY:
                    user.is_staff = True  # creates accounts in /admin/
                user.save()
            user.groups.add(Group.objects.get(name=role.value))
            if role in PRIVILEGED_ROLES:
                new_backup_codes(user, DEMO_BACKUP_CODES)
            users[username] = user
        return users

    def expert_pool(self, users):
        pool = [
            ("zhuanjia", "武汉理工大学", "420600"),
            ("zhuanjia2", "湖北省节能监测中心", "420300"),
            ("zhuanjia3", "长江大学", "421000"),
            ("zhuanjia4", "湖北工业大学", "420900"),
            ("zhuanjia5", "黄冈师范学院", "421100"),
            ("zhuanjia6", "三峡大学", "420500"),
        ]
        for username, employer, region in pool:
            Expert.objects.get_or_create(
                user=users[username],
                defaults={"categories": list(Category.values), "employer": employer, "region_id": region},
            )

    def organisations(self, users):
        organisations = {}
        for body, name, kind, city, member in ORGANISATIONS:
            organisation, _ = Organisation.objects.get_or_create(
                credit_code=credit_code(body), defaults={"name": name, "kind": kind, "region_id": city}
            )
            Membership.objects.get_or_create(
                organisation=organisation, user=users[member], defaults={"is_admin": True}
            )
            organisations[member] = organisation
        return organisations

    def evaluator(self, staff):
        evaluator, created = Evaluator.objects.get_or_create(
            credit_code=credit_code("91420100MA4PJ0009"),
            defaults={
                "name": "湖北绿色低碳评价中心有限公司",
                "legal_representative": "周明远",
                "region_id": "420100",
                "office_address": "武汉市洪山区珞喻路 1037 号科技大厦 12 层",
                "financial_statement": "财务管理制度健全，近三年经审计无保留意见。",
                "categories": list(Category.values),
                "cnca_approval_number": "CNCA-R-2021-512",
                "contact_phone": "027-88886666",
                "status": Evaluator.Status.APPROVED,
                "review_opinion": "资质材料齐全，同意纳入名录。",
            },
        )
        if created:
            fields = ["energy", "environment", "ecology", "low_carbon", "life_cycle", "energy"]
            for n in range(12):
                title = "senior" if n < 3 else "associate_senior" if n < 7 else "intermediate"
                StaffMember.objects.create(
                    evaluator=evaluator, name=f"评价员{n + 1:02d}", title=title, field=fields[n % len(fields)]
                )
            for year, client, category in (
                (2023, "湖北某汽车零部件公司", "factory"),
                (2024, "襄阳某园区", "park"),
            ):
                Project.objects.create(
                    evaluator=evaluator,
                    year=year,
                    client=client,
                    category=category,
                    description="绿色制造评价",
                )
        staff.groups.add(evaluator.staff_group)
        return evaluator

    def batch(self, year=None):
        now = timezone.now()
        year = year or now.year
        batch, _ = Batch.objects.get_or_create(
            year=year,
            defaults={
                "title": f"{year}年度湖北省绿色制造体系申报",
                "submission_deadline": now + timedelta(days=60),
                "recommendation_deadline": now + timedelta(days=90),
            },
        )
        for category in Category.values:
            template = IndicatorTemplate.objects.filter(category=category).order_by("-code").first()
            BatchCategory.objects.get_or_create(
                batch=batch, category=category, defaults={"template": template}
            )
        return batch

    def declarations(self, users, organisations, evaluator, batch):
        wuhan, huangshi, yichang = users["qiye_wuhan"], users["qiye_huangshi"], users["yuanqu_yichang"]

        def declare(user, category, product_name="", batch=batch):
            declaration = applications.create_declaration(
                organisation=organisations[user.username],
                user=user,
                batch=batch,
                category=category,
                **{**DECLARED[category], **ADDRESSES[user.username]},
                product_name=product_name,
            )
            fill_in(declaration, user)
            return declaration

        def to_city(declaration, user):
            applications.transition(declaration.pk, "submit_self_evaluation", user=user)
            commission = reviews.request_commission(declaration, evaluator, user=user)
            reviews.accept_commission(
                commission.pk, user=users["pingjia"], independence_declaration="与申报单位无利益关系。"
            )
            evaluate(commission, users["pingjia"])
            applications.transition(declaration.pk, "submit_to_city", user=user)
            return declaration

        # Last year's batch, already through: a supply-chain leader of 武汉 reviewed by experts and listed.
        last_year = self.batch(year=batch.year - 1)
        listed = to_city(declare(wuhan, Category.SUPPLY_CHAIN, batch=last_year), wuhan)
        city_review.record_review(
            listed,
            user=users["shizhou_wuhan"],
            decision="recommend",
            opinion="同意推荐。",
            checklist=ALL_TICKED,
        )
        city_review.rank(last_year, listed.region, user=users["shizhou_wuhan"], order=[listed.pk])
        city_review.submit_recommendation(
            last_year, listed.region, user=users["shizhou_wuhan"], opinion="同意推荐。"
        )
        experts.assign_automatically([Declaration.objects.get(pk=listed.pk)], user=users["shengting"])
        for assignment in Assignment.objects.filter(declaration=listed).select_related("expert__user"):
            experts.save_scores(
                assignment,
                user=assignment.expert.user,
                answers=all_met_answers(listed),
                comments={},
                comment="供应商管理体系完善，同意通过。",
                submit=True,
            )
        experts.decide([listed.pk], user=users["shengting"], passed=True, note="省级评审会议：同意通过。")
        publicity = registry.open_publicity(
            [listed.pk],
            user=users["shengting"],
            title=f"{last_year.year}年度湖北省绿色制造名单公示",
            batch=last_year,
            day_kind="calendar",
            starts_on=timezone.localdate() - timedelta(days=30),
        )
        registry.close_publicity(publicity.pk, user=users["shengting"])
        registry.publish_list(
            ListedUnit.objects.filter(declaration=listed),
            user=users["shengting"],
            level=ListedUnit.Level.PROVINCIAL,
            year=last_year.year,
            document_number=f"鄂经信节能〔{last_year.year}〕68号",
        )
        Batch.objects.filter(pk=last_year.pk).update(
            submission_deadline=timezone.now() - timedelta(days=200),
            recommendation_deadline=timezone.now() - timedelta(days=170),
        )

        # This year's batch, under way.
        declare(wuhan, Category.FACTORY)  # 草稿
        to_city(declare(wuhan, Category.PRODUCT, "高效节能永磁同步电机 YE5-132M"), wuhan)  # 市州初审
        returned = to_city(declare(huangshi, Category.FACTORY), huangshi)
        city_review.record_review(
            returned,
            user=users["shizhou_huangshi"],
            decision="return",
            opinion="材料不全。",
            items_to_fix="请补充近三年能耗数据。",
        )
        waiting = declare(huangshi, Category.SUPPLY_CHAIN)
        applications.transition(waiting.pk, "submit_self_evaluation", user=huangshi)
        reviews.request_commission(waiting, evaluator, user=huangshi)  # 待评价机构接受

        park = to_city(declare(yichang, Category.PARK), yichang)
        city_review.record_review(
            park,
            user=users["shizhou_yichang"],
            decision="recommend",
            opinion="同意推荐。",
            checklist=ALL_TICKED,
        )
        city_review.rank(batch, park.region, user=users["shizhou_yichang"], order=[park.pk])
        city_review.submit_recommendation(
            batch, park.region, user=users["shizhou_yichang"], opinion="同意推荐。"
        )
        experts.assign_automatically([Declaration.objects.get(pk=park.pk)], user=users["shengting"])
        self.rereview_with_experts(users, park.organisation)

    def rereview_with_experts(self, users, organisation):
        """A unit listed three years ago, re-reviewed on site by its city, now with experts (zhuanjia among them)."""
        today = timezone.localdate()
        unit = ListedUnit.objects.create(
            organisation=organisation,
            region_id=organisation.region_id,
            category=Category.PARK,
            level=ListedUnit.Level.PROVINCIAL,
            year=today.year - 3,
            listed_on=today - relativedelta(years=3),
        )
        rereviews.open_due_rereviews(today)
        case = ReReviewCase.objects.get(listed_unit=unit)
        rereviews.report_onsite(
            case,
            user=users["shizhou_yichang"],
            onsite_date=today - timedelta(days=5),
            findings="现场核查：能源管理体系运行正常，近三年单位产值能耗逐年下降。",
            conclusion=ReReviewCase.CityConclusion.QUALIFIED,
        )
        rereview_experts.assign_experts(case, user=users["shengting"], count=3, other_cities_only=True)
