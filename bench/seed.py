"""Fill a separate PostgreSQL database with data at the scale domain.md asks us to design for.

    createdb -h 127.0.0.1 -U postgres greenmfg_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/greenmfg_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py demo_data
    .venv/bin/python bench/seed.py --declarations 100000 --audit 1000000 --listed 20000

The demo accounts (``manage.py demo_data``) are kept and used by ``bench/pages.py``; the bulk rows come on top:
organisations in the 17 cities with valid credit codes, one applicant user and membership each, a city official
per city, approved evaluators with rosters, batches 2021-2024 (2025 and 2026 come from the demo data),
declarations in a realistic mix of states, accepted commissions, an audit trail on the declarations, listed
units with publications and re-review cases, and one open 公示.

Big tables are written with PostgreSQL ``COPY`` through psycopg (rows of plain values, no model instances, no
signals), small ones with ``bulk_create``; everything in one transaction, then ``VACUUM ANALYZE`` so the planner
sees the real sizes. Random choices use a fixed seed, so the same arguments give the same data.
"""

import argparse
import itertools
import json
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenmfg.settings")

import django  # noqa: E402

django.setup()

from dateutil.relativedelta import relativedelta  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from psycopg.types.json import Jsonb  # noqa: E402

from applications import workflow  # noqa: E402
from applications.models import (  # noqa: E402
    Batch,
    BatchCategory,
    Declaration,
    IndicatorTemplate,
    Membership,
    Organisation,
)
from greenmfg import audit  # noqa: E402
from greenmfg.identifiers import credit_code_check_character  # noqa: E402
from greenmfg.models import AuditEntry, Region, User  # noqa: E402
from greenmfg.roles import Role  # noqa: E402
from registry.models import ListedUnit, ListPublication, Publicity, ReReviewCase  # noqa: E402
from reviews.models import Commission, Evaluator, Project, StaffMember  # noqa: E402

S = Declaration.State
BENCH_PASSWORD = "greenmfg-bench"
LAST_SEED = Path(__file__).resolve().parent / "last_seed.json"  # read by bench/pages.py for results.md

# Relative weight of each city: roughly its 2025 targets (附件3), so 武汉 carries about a quarter.
REGION_WEIGHTS = {
    "420100": 62,
    "420200": 25,
    "420300": 25,
    "420500": 34,
    "420600": 34,
    "420700": 9,
    "420800": 25,
    "420900": 25,
    "421000": 25,
    "421100": 24,
    "421200": 24,
    "421300": 9,
    "422800": 9,
    "429004": 5,
    "429005": 5,
    "429006": 5,
    "429021": 1,
}
ENTERPRISE_CATEGORIES = (["factory", "product", "supply_chain"], [40, 48, 12])
NAME_PARTS = (
    [
        "华新",
        "长江",
        "楚天",
        "东风",
        "江汉",
        "荆楚",
        "鄂东",
        "汉江",
        "三峡",
        "光谷",
        "九州",
        "宏达",
        "金鹰",
        "绿源",
    ],
    ["机械", "新材料", "电子", "化工", "汽车零部件", "纺织", "食品", "医药", "钢铁", "建材", "光电", "装备"],
    ["有限公司", "股份有限公司", "集团有限公司", "科技有限公司"],
)
PRODUCTS = ["永磁同步电机", "节能变压器", "水性涂料", "再生纸", "陶瓷砖", "LED 灯具", "光伏组件", "动力电池"]
INDUSTRY = {"factory": "C3811", "product": "C3811", "supply_chain": "C3011", "park": "S"}

# States of the current batch (under way) and of past batches (finished, except the listed share set by --listed).
CURRENT_MIX = {
    S.DRAFT: 25,
    S.SELF_EVALUATED: 10,
    S.UNDER_EVALUATION: 10,
    S.EVALUATED: 8,
    S.CITY_REVIEW: 20,
    S.RETURNED: 5,
    S.NOT_RECOMMENDED: 4,
    S.PROVINCE_REVIEW: 10,
    S.REVIEW_PASSED: 4,
    S.IN_PUBLICITY: 2,
    S.WITHDRAWN: 2,
}
PAST_UNLISTED_MIX = {S.REJECTED: 25, S.NOT_RECOMMENDED: 30, S.WITHDRAWN: 15, S.DRAFT: 30}

# The audit trail a declaration leaves on its way to each state: (action, from, to, actor kind).
_START = [
    ("create", "", S.DRAFT, "applicant"),
    ("edit", "", "", "applicant"),
    ("attest", "", "", "applicant"),
    ("self_evaluate", "", "", "applicant"),
    ("upload", "", "", "applicant"),
    ("upload", "", "", "applicant"),
]
_STEPS = {
    S.SELF_EVALUATED: [
        ("submit_self_evaluation", S.DRAFT, S.SELF_EVALUATED, "applicant"),
        ("request_commission", "", "", "applicant"),
    ],
    S.UNDER_EVALUATION: [("commission", S.SELF_EVALUATED, S.UNDER_EVALUATION, "evaluator")],
    S.EVALUATED: [("submit_evaluation", S.UNDER_EVALUATION, S.EVALUATED, "evaluator")],
    S.CITY_REVIEW: [("submit_to_city", S.EVALUATED, S.CITY_REVIEW, "applicant")],
    S.PROVINCE_REVIEW: [("recommend", S.CITY_REVIEW, S.PROVINCE_REVIEW, "city")],
    S.REVIEW_PASSED: [("pass_review", S.PROVINCE_REVIEW, S.REVIEW_PASSED, "province")],
    S.IN_PUBLICITY: [("open_publicity", S.REVIEW_PASSED, S.IN_PUBLICITY, "province")],
    S.LISTED: [("list", S.IN_PUBLICITY, S.LISTED, "province")],
}
_CHAIN = workflow.MAIN_ROAD[1:]


def trail(state):
    """The audit rows (without time and actor) of a declaration now in ``state``."""

    def up_to(last):
        rows = list(_START)
        for step in _CHAIN[: _CHAIN.index(last) + 1]:
            rows += _STEPS[step]
        return rows

    if state == S.DRAFT:
        return list(_START)
    if state in _CHAIN:
        return up_to(state)
    if state == S.RETURNED:
        return [*up_to(S.CITY_REVIEW), ("return_for_revision", S.CITY_REVIEW, S.RETURNED, "city")]
    if state == S.NOT_RECOMMENDED:
        return [*up_to(S.CITY_REVIEW), ("not_recommend", S.CITY_REVIEW, S.NOT_RECOMMENDED, "city")]
    if state == S.REJECTED:
        return [*up_to(S.PROVINCE_REVIEW), ("fail_review", S.PROVINCE_REVIEW, S.REJECTED, "province")]
    if state == S.WITHDRAWN:
        return [*up_to(S.SELF_EVALUATED), ("withdraw", S.SELF_EVALUATED, S.WITHDRAWN, "applicant")]
    raise ValueError(state)


# States whose trail passed through an evaluator's acceptance, so they have an accepted commission.
COMMISSIONED = {state for state in S if any(step[0] == "commission" for step in trail(state))}
OPINIONS = {
    "return_for_revision": "材料不全，请补充近三年能耗数据。",
    "not_recommend": "指标未达到本市推荐要求。",
    "recommend": "同意推荐。",
    "pass_review": "专家评审通过。",
    "fail_review": "专家评审未通过。",
}


# COPY ------------------------------------------------------------------------------------------------------------


def _default(field):
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if isinstance(field, models.CharField | models.TextField | models.FileField):
        return ""
    return _Missing(field)


class _Missing:
    def __init__(self, field):
        self.field = field


def copy_rows(model, rows):
    """COPY rows (dicts keyed by attname; missing fields take the field's default) into the model's table."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.attname not in first)]
    defaults = {f.attname: _default(f) for f in fields}
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    names = [f.attname for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for item in itertools.chain([first], rows):
            values = []
            for name in names:
                value = item.get(name, defaults[name])
                if isinstance(value, _Missing):
                    raise ValueError(f"{model.__name__}.{name} needs a value")
                values.append(Jsonb(value) if name in json_fields and value is not None else value)
            copy.write_row(values)
            count += 1
    return count


def reset_sequence(model):
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))",
            [table],
        )


def next_id(model):
    return (model.objects.aggregate(m=models.Max("id"))["m"] or 0) + 1


# Data ------------------------------------------------------------------------------------------------------------


def credit_code(region, kind, serial):
    body = f"91{region}{kind}{serial:07d}"
    return body + credit_code_check_character(body)


def aware(day, seconds=0):
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=seconds)


class Seeder:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.now = datetime.now(UTC)
        self.today = self.now.date()
        self.regions = list(Region.objects.order_by("order"))
        self.region_codes = [r.code for r in self.regions]
        self.region_names = {r.code: r.name for r in self.regions}
        self.region_weights = [REGION_WEIGHTS.get(c, 5) for c in self.region_codes]
        self.timings = []

    def step(self, label, function):
        start = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - start
        self.timings.append((label, elapsed, result))
        print(f"  {label:<32} {result if result is not None else '':>10}  {elapsed:7.1f} s", flush=True)
        return result

    def run(self):
        self.province = User.objects.get(username="shengting")
        self.step("batches", self.batches)
        self.step("city officials", self.city_officials)
        self.step("evaluators", self.evaluators)
        self.step("organisations + users", self.organisations)
        self.step("declarations", self.declarations)
        self.step("commissions", self.commissions)
        self.step("listed units", self.listed_units)
        self.step("re-review cases", self.rereview_cases)
        self.step("publicity", self.publicity)
        self.step("audit entries", self.audit_entries)

    # Batches: 2021-2024 here, 2025 (past) and the current year from demo_data.
    def batches(self):
        for year in range(2021, self.today.year - 1):
            deadline = aware(date(year, 6, 30))
            batch, _ = Batch.objects.get_or_create(
                year=year,
                defaults={
                    "title": f"{year}年度湖北省绿色制造体系申报",
                    "submission_deadline": deadline,
                    "recommendation_deadline": deadline + timedelta(days=30),
                },
            )
            for category in ("factory", "product", "supply_chain", "park"):
                template = IndicatorTemplate.objects.filter(category=category).order_by("code").first()
                BatchCategory.objects.get_or_create(
                    batch=batch, category=category, defaults={"template": template}
                )
        self.batch_list = list(Batch.objects.order_by("year"))
        self.current = self.batch_list[-1]
        self.past = self.batch_list[:-1]
        return len(self.batch_list)

    def _users(self, specs, group_names):
        """COPY users (username, full name, city) with one shared password hash; returns their ids."""
        first = next_id(User)
        password = self.password_hash
        joined = self.now - timedelta(days=400)
        ids = list(range(first, first + len(specs)))
        copy_rows(
            User,
            (
                {
                    "id": pk,
                    "username": username,
                    "full_name": full_name,
                    "city_id": city,
                    "password": password,
                    "date_joined": joined,
                    "is_active": True,
                }
                for pk, (username, full_name, city) in zip(ids, specs, strict=True)
            ),
        )
        reset_sequence(User)
        groups = {name: Group.objects.get(name=name).pk for name in set(group_names)}
        copy_rows(
            User.groups.through,
            ({"user_id": pk, "group_id": groups[name]} for pk, name in zip(ids, group_names, strict=True)),
        )
        return ids

    def city_officials(self):
        self.password_hash = make_password(BENCH_PASSWORD)
        existing = {u.city_id: u.pk for u in User.objects.filter(groups__name=Role.CITY.value)}
        missing = [r for r in self.regions if r.code not in existing]
        ids = self._users(
            [(f"bench_city_{r.code}", f"{r.name}经信局 工作人员", r.code) for r in missing],
            [Role.CITY.value] * len(missing),
        )
        existing.update({r.code: pk for r, pk in zip(missing, ids, strict=True)})
        self.city_official = existing
        return len(ids)

    def evaluators(self):
        count = self.args.evaluators
        groups = Group.objects.bulk_create(
            [Group(name=f"评价机构:bench{n:04d}") for n in range(count)], batch_size=1000
        )
        evaluators = []
        for n, group in enumerate(groups):
            region = self.rng.choices(self.region_codes, self.region_weights)[0]
            evaluators.append(
                Evaluator(
                    name=f"湖北{self.rng.choice(NAME_PARTS[0])}绿色评价中心{n:03d}有限公司",
                    credit_code=credit_code(region, "PJ", n),
                    legal_representative=f"法人{n}",
                    region_id=region,
                    office_address=f"{region} 某路 {n} 号",
                    financial_statement="财务管理制度健全，近三年经审计无保留意见。",
                    categories=["factory", "product", "supply_chain", "park"],
                    cnca_approval_number=f"CNCA-R-2021-{n:03d}",
                    staff_group=group,
                    status=Evaluator.Status.APPROVED,
                )
            )
        evaluators = Evaluator.objects.bulk_create(evaluators)
        titles = ["senior"] * 3 + ["associate_senior"] * 4 + ["intermediate"] * 5
        fields = ["energy", "environment", "ecology", "low_carbon", "life_cycle", "energy"]
        StaffMember.objects.bulk_create(
            [
                StaffMember(evaluator=e, name=f"评价员{i + 1:02d}", title=t, field=fields[i % len(fields)])
                for e in evaluators
                for i, t in enumerate(titles)
            ],
            batch_size=5000,
        )
        Project.objects.bulk_create(
            [
                Project(
                    evaluator=e,
                    year=y,
                    client="湖北某制造企业",
                    category="factory",
                    description="绿色工厂评价",
                )
                for e in evaluators
                for y in (2023, 2024)
            ]
        )
        staff = self._users(
            [(f"bench_eval_{n:04d}", f"评价员 {n}", None) for n in range(count)],
            [Role.EVALUATOR.value] * count,
        )
        Group.user_set.through.objects.bulk_create(
            [
                Group.user_set.through(user_id=pk, group_id=e.staff_group_id)
                for pk, e in zip(staff, evaluators, strict=True)
            ]
        )
        self.evaluator_ids = [e.pk for e in evaluators]
        self.evaluator_staff = dict(zip(self.evaluator_ids, staff, strict=True))
        return count

    def organisations(self):
        count = self.args.organisations or max(50, self.args.declarations * 2 // 5)
        rng = self.rng
        first = next_id(Organisation)
        orgs = []
        for n in range(count):
            region = rng.choices(self.region_codes, self.region_weights)[0]
            park = rng.random() < 0.03
            name = (
                f"{self.region_names[region]}第{n}号工业园区管理委员会"
                if park
                else f"{rng.choice(NAME_PARTS[0])}{rng.choice(NAME_PARTS[1])}{n}{rng.choice(NAME_PARTS[2])}"
            )
            orgs.append((first + n, region, park, name))
        copy_rows(
            Organisation,
            (
                {
                    "id": pk,
                    "kind": "park" if park else "enterprise",
                    "name": name,
                    "credit_code": credit_code(region, "BN", pk),
                    "region_id": region,
                }
                for pk, region, park, name in orgs
            ),
        )
        reset_sequence(Organisation)
        users = self._users(
            [(f"bench_org_{pk}", f"申报联系人 {pk}", None) for pk, *_ in orgs], [Role.APPLICANT.value] * count
        )
        joined = self.now - timedelta(days=400)
        copy_rows(
            Membership,
            (
                {"organisation_id": pk, "user_id": user, "is_admin": True, "joined_at": joined}
                for (pk, *_), user in zip(orgs, users, strict=True)
            ),
        )
        self.orgs = orgs
        self.org_user = {pk: user for (pk, *_), user in zip(orgs, users, strict=True)}
        return count

    def declarations(self):
        args, rng = self.args, self.rng
        total = args.declarations
        n_current = round(total * 0.3)
        n_past = total - n_current
        n_listed = min(round(args.listed * 0.85), n_past // 2)
        past_states = [S.LISTED] * n_listed + rng.choices(
            list(PAST_UNLISTED_MIX), list(PAST_UNLISTED_MIX.values()), k=n_past - n_listed
        )
        rng.shuffle(past_states)
        current_states = rng.choices(list(CURRENT_MIX), list(CURRENT_MIX.values()), k=n_current)
        first = next_id(Declaration)
        self.declaration_rows = []  # (id, org, region, batch, category, product, state, created, updated)
        # One declaration per organisation, category and batch (per product), as the constraint says.
        taken = set()
        for n, state in enumerate(past_states + current_states):
            batch = self.current if n >= n_past else rng.choice(self.past)
            while True:
                pk, region, park, _name = rng.choice(self.orgs)
                category = "park" if park else rng.choices(*ENTERPRISE_CATEGORIES)[0]
                product = f"{rng.choice(PRODUCTS)} {rng.randint(100, 999)}" if category == "product" else ""
                if (pk, batch.pk, category, product) not in taken:
                    taken.add((pk, batch.pk, category, product))
                    break
            created = aware(date(batch.year, 1, 1), rng.randint(0, 150 * 86400))
            if batch is self.current:
                updated = created + timedelta(
                    seconds=rng.randint(0, max(1, int((self.now - created).total_seconds())))
                )
            else:
                updated = created + timedelta(days=rng.randint(30, 300))
            self.declaration_rows.append(
                (first + n, pk, region, batch, category, product, state, created, updated)
            )

        def rows():
            for pk, org, region, batch, category, product, state, created, updated in self.declaration_rows:
                yield {
                    "id": pk,
                    "organisation_id": org,
                    "region_id": region,
                    "batch_id": batch.pk,
                    "category": category,
                    "industry_code": INDUSTRY[category],
                    "address": "湖北省某市某区某路 1 号",
                    "nature": "private",
                    "legal_representative": "张建国",
                    "contact_name": "张敏",
                    "contact_phone": "027-87654321",
                    "contact_mobile": "13800138000",
                    "contact_email": "greenmfg@example.cn",
                    "summary": "基准测试数据。",
                    "product_name": product,
                    "attested_items": [],
                    "self_score": Decimal(rng.randint(6000, 9800)) / 100 if state != S.DRAFT else None,
                    "self_passed": state != S.DRAFT,
                    "state": state,
                    "created_by_id": self.org_user[org],
                    "created_at": created,
                    "updated_at": updated,
                }

        count = copy_rows(Declaration, rows())
        reset_sequence(Declaration)
        return count

    def commissions(self):
        rng = self.rng

        def rows():
            for (
                pk,
                org,
                _region,
                _batch,
                _category,
                _product,
                state,
                created,
                _updated,
            ) in self.declaration_rows:
                if state == S.SELF_EVALUATED and rng.random() < 0.5:
                    status, answered = Commission.Status.REQUESTED, None
                elif state in COMMISSIONED:
                    status, answered = Commission.Status.ACCEPTED, created + timedelta(days=20)
                else:
                    continue
                yield {
                    "declaration_id": pk,
                    "evaluator_id": rng.choice(self.evaluator_ids),
                    "status": status,
                    "requested_by_id": self.org_user[org],
                    "requested_at": created + timedelta(days=10),
                    "answered_at": answered,
                    "independence_declaration": "与申报单位无利益关系。" if answered else "",
                }

        return copy_rows(Commission, rows())

    def listed_units(self):
        rng = self.rng
        ListLevel = ListedUnit.Level
        publications = {}

        def publication(level, year, region):
            key = (level, year, region if level == ListLevel.MUNICIPAL else None)
            if key not in publications:
                region_part = f"{region}" if key[2] else ""
                publications[key] = ListPublication.objects.create(
                    level=level,
                    year=year,
                    region_id=key[2],
                    document_number=f"鄂经信节能〔{year}〕{region_part}{len(publications) + 1}号",
                    published_on=date(year, 12, 1),
                    published_by_id=self.city_official[region] if key[2] else self.province.pk,
                )
            return publications[key]

        listed = [row for row in self.declaration_rows if row[6] == S.LISTED]
        imported = self.args.listed - len(listed)
        units = []
        for pk, org, region, batch, category, product, *_ in listed:
            level = rng.choices(
                [ListLevel.MUNICIPAL, ListLevel.PROVINCIAL, ListLevel.NATIONAL], [30, 60, 10]
            )[0]
            units.append((pk, org, region, category, product, level, batch.year))
        for _ in range(max(0, imported)):
            pk, region, park, _name = rng.choice(self.orgs)
            category = "park" if park else rng.choices(*ENTERPRISE_CATEGORIES)[0]
            product = f"{rng.choice(PRODUCTS)} {rng.randint(100, 999)}" if category == "product" else ""
            level = rng.choices([ListLevel.MUNICIPAL, ListLevel.NATIONAL], [40, 60])[0]
            units.append((None, pk, region, category, product, level, rng.randint(2019, 2025)))
        first = next_id(ListedUnit)
        self.listed = []
        rows = []
        for n, (declaration, org, region, category, product, level, year) in enumerate(units):
            listed_on = date(year, 12, 1)
            next_review = listed_on + relativedelta(years=3)
            status = ListedUnit.ReviewStatus.CURRENT
            if next_review <= self.today:
                status = rng.choices(
                    [
                        ListedUnit.ReviewStatus.DUE,
                        ListedUnit.ReviewStatus.RETAINED,
                        ListedUnit.ReviewStatus.REMOVED,
                    ],
                    [35, 50, 15],
                )[0]
                if status == ListedUnit.ReviewStatus.RETAINED:
                    next_review += relativedelta(years=3)
            pub = publication(level, year, region)
            self.listed.append((first + n, region, status, next_review))
            rows.append(
                {
                    "id": first + n,
                    "declaration_id": declaration,
                    "organisation_id": org,
                    "region_id": region,
                    "category": category,
                    "product_name": product,
                    "level": level,
                    "year": year,
                    "document_number": pub.document_number,
                    "publication_id": pub.pk,
                    "listed_on": listed_on,
                    "next_review_on": next_review,
                    "review_status": status,
                }
            )
        count = copy_rows(ListedUnit, rows)
        reset_sequence(ListedUnit)
        return count

    def rereview_cases(self):
        rng = self.rng

        def rows():
            for pk, _region, status, next_review in self.listed:
                if status != ListedUnit.ReviewStatus.DUE:
                    continue
                reported = rng.random() < 0.3
                yield {
                    "listed_unit_id": pk,
                    "due_on": next_review,
                    "opened_at": aware(next_review),
                    "status": ReReviewCase.Status.CITY_REPORTED if reported else ReReviewCase.Status.OPEN,
                    "city_conclusion": ReReviewCase.CityConclusion.QUALIFIED if reported else "",
                    "findings": "现场复核情况良好。" if reported else "",
                }

        return copy_rows(ReReviewCase, rows())

    def publicity(self):
        in_publicity = [row[0] for row in self.declaration_rows if row[6] == S.IN_PUBLICITY]
        if not in_publicity:
            return 0
        notice = Publicity.objects.create(
            title=f"{self.current.year}年度湖北省绿色制造名单公示（基准测试）",
            batch=self.current,
            starts_on=self.today - timedelta(days=3),
            ends_on=self.today + timedelta(days=5),
            opened_by=self.province,
        )
        return copy_rows(
            Publicity.declarations.through,
            ({"publicity_id": notice.pk, "declaration_id": pk} for pk in in_publicity),
        )

    def audit_entries(self):
        """The trail each declaration's state implies, padded with edits (or cut) to exactly --audit rows."""
        rng = self.rng
        target = self.args.audit
        content_type = ContentType.objects.get_for_model(Declaration).pk
        trails = [trail(row[6]) for row in self.declaration_rows]
        natural = sum(len(t) for t in trails)
        extra, remainder = divmod(max(0, target - natural), max(1, len(trails)))
        one_more = set(rng.sample(range(len(trails)), remainder))
        keep = min(1.0, target / max(1, natural))
        evaluator_of = {}
        edit = ("edit", "", "", "applicant")

        def entry(row, step, at):
            pk, org, region = row[0], row[1], row[2]
            action, from_state, to_state, actor_kind = step
            if actor_kind == "applicant":
                actor = self.org_user[org]
            elif actor_kind == "city":
                actor = self.city_official[region]
            elif actor_kind == "province":
                actor = self.province.pk
            else:
                actor = self.evaluator_staff[evaluator_of.setdefault(pk, rng.choice(self.evaluator_ids))]
            return {
                "content_type_id": content_type,
                "object_id": pk,
                "actor_id": actor,
                "at": at,
                "action": action,
                "from_state": from_state,
                "to_state": to_state,
                "opinion": OPINIONS.get(action, ""),
            }

        def rows():
            written = 0
            for n, (row, steps) in enumerate(zip(self.declaration_rows, trails, strict=True)):
                if keep < 1.0:
                    steps = steps[: max(1, round(len(steps) * keep))]
                padding = extra + (n in one_more)
                if padding:
                    steps = [steps[0], *[edit] * padding, *steps[1:]]
                created, updated = row[7], row[8]
                span = max(1.0, (updated - created).total_seconds())
                for i, step in enumerate(steps):
                    if written == target:
                        return
                    yield entry(row, step, created + timedelta(seconds=span * i / len(steps)))
                    written += 1
            while written < target:  # only when cutting the trails rounded down
                row = rng.choice(self.declaration_rows)
                yield entry(row, edit, row[7])
                written += 1

        return copy_rows(AuditEntry, chained(rows()))


def chained(rows):
    """The rows numbered and hashed after the chain's head, as ``audit.chain`` does for saved entries, so
    ``manage.py verify_audit`` finds the seeded trail intact (the seed holds the chain lock while it copies)."""
    audit.lock_chain()
    head = AuditEntry.objects.order_by("-seq").values("seq", "hash").first() or {
        "seq": 0,
        "hash": audit.GENESIS,
    }
    seq, prev_hash = head["seq"], head["hash"]
    for row in rows:
        seq += 1
        row["seq"], row["prev_hash"] = seq, prev_hash
        row["hash"] = prev_hash = audit.digest(audit.as_row(AuditEntry(**row)))
        yield row


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--declarations", type=int, default=10_000)
    parser.add_argument("--audit", type=int, default=100_000)
    parser.add_argument("--listed", type=int, default=2_000)
    parser.add_argument("--organisations", type=int, default=0, help="default: declarations × 0.4")
    parser.add_argument("--evaluators", type=int, default=80)
    parser.add_argument("--seed", type=int, default=20251)
    parser.add_argument(
        "--allow-any-database", action="store_true", help="run even if the database name has no 'bench' in it"
    )
    args = parser.parse_args()

    settings = connection.settings_dict
    if connection.vendor != "postgresql":
        sys.exit("bench/seed.py needs PostgreSQL: set DATABASE_URL=postgres://…/greenmfg_bench")
    if "bench" not in settings["NAME"] and not args.allow_any_database:
        sys.exit(
            f"Refusing to seed database {settings['NAME']!r}: its name has no 'bench' (--allow-any-database)."
        )
    if User.objects.filter(username__startswith="bench_").exists():
        sys.exit("This database is already seeded; drop and recreate it (see bench/README.md).")

    started = time.perf_counter()
    if not User.objects.filter(username="shengting").exists():
        print("demo accounts missing: running manage.py demo_data --force", flush=True)
        call_command("demo_data", force=True)
    print(
        f"seeding {settings['NAME']}: {args.declarations} declarations, {args.audit} audit rows, "
        f"{args.listed} listed units",
        flush=True,
    )
    seeder = Seeder(args)
    with transaction.atomic():
        seeder.run()
        commit_start = time.perf_counter()
    print(f"  {'commit (deferred FK checks)':<32} {'':>10}  {time.perf_counter() - commit_start:7.1f} s")
    analyse_start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"  {'VACUUM ANALYZE':<32} {'':>10}  {time.perf_counter() - analyse_start:7.1f} s")
    elapsed = time.perf_counter() - started
    print(f"seeded in {elapsed:.1f} s")
    LAST_SEED.write_text(
        json.dumps(
            {
                "database": settings["NAME"],
                "command": "bench/seed.py " + " ".join(sys.argv[1:]),
                "seconds": round(elapsed, 1),
                "steps": {label: round(seconds, 1) for label, seconds, _result in seeder.timings},
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    with connection.cursor() as cursor:
        for model in (Organisation, User, Declaration, AuditEntry, ListedUnit, Commission):
            cursor.execute(f"SELECT COUNT(*) FROM {model._meta.db_table}")
            print(f"  {model._meta.db_table:<32} {cursor.fetchone()[0]:>10}")


if __name__ == "__main__":
    main()
