"""factory-boy factories: a user of each role, organisations with valid credit codes, batches, declarations."""

import itertools
from datetime import timedelta

import factory
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from applications.models import Batch, BatchCategory, Category, Declaration, IndicatorTemplate, Organisation
from greenmfg.identifiers import credit_code_check_character
from greenmfg.models import Region, User
from greenmfg.roles import Role
from reviews.models import Evaluator

PASSWORD = "test-password-123"
_serial = itertools.count(1)


def valid_credit_code(region_code="420100") -> str:
    body = f"91{region_code}MA{next(_serial):07d}"
    return body + credit_code_check_character(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=Role(extracted).value))
        self.save()


def make_user(role, city=None, **kwargs):
    return UserFactory(role=role, city=Region.objects.get(pk=city) if city else None, **kwargs)


def backup_code(user) -> str:
    """A fresh single-use backup code for ``user`` (enrolling the backup-code device if needed)."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="备用码")
    return device.token_set.create(token=StaticToken.random_token()).token


def force_login_verified(client, user):
    """``client.force_login`` with the second factor done, as the login form and the code would leave it."""
    client.force_login(user)
    device, _ = StaticDevice.objects.get_or_create(user=user, name="备用码")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"湖北测试制造有限公司{n}")
    kind = Organisation.Kind.ENTERPRISE
    region_id = "420100"
    credit_code = factory.LazyAttribute(lambda o: valid_credit_code(o.region_id))


def enterprise_of(user, region_id="420100"):
    """Another enterprise, in the same city by default, with ``user`` as its admin: a second declaration in one
    category and batch must come from another organisation (one per organisation, category and batch)."""
    organisation = OrganisationFactory(region_id=region_id)
    organisation.memberships.create(user=user, is_admin=True)
    return organisation


class BatchFactory(factory.django.DjangoModelFactory):
    """A batch accepting all four categories with the shipped indicator templates."""

    class Meta:
        model = Batch
        django_get_or_create = ("year",)
        skip_postgeneration_save = True

    year = 2026
    title = factory.LazyAttribute(lambda b: f"{b.year}年度绿色制造申报")
    submission_deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    recommendation_deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=60))

    @factory.post_generation
    def requires_third_party(self, create, extracted, **kwargs):
        required = True if extracted is None else extracted
        for category in Category.values:
            BatchCategory.objects.update_or_create(
                batch=self,
                category=category,
                defaults={
                    "requires_third_party": required,
                    "template": IndicatorTemplate.objects.filter(category=category).order_by("code").first(),
                },
            )


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def ready_to_submit(declaration, user):
    """Fill what submit_self_evaluation asks for, as the demo data does (every item met, both files)."""
    from registry.management.commands.demo_data import fill_in

    fill_in(declaration, user)
    return declaration


class EvaluatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evaluator

    name = factory.Sequence(lambda n: f"湖北评价中心{n}")
    credit_code = factory.LazyFunction(valid_credit_code)
    legal_representative = factory.Sequence(lambda n: f"评价法人{n}")
    office_address = "武汉市洪山区珞喻路1号"
    financial_statement = "财务制度健全，近三年审计报告无保留意见。"
    categories = factory.LazyFunction(lambda: list(Category.values))
    cnca_approval_number = "CNCA-R-2019-001"
    status = "approved"


class DeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Declaration

    organisation = factory.SubFactory(OrganisationFactory)
    region_id = factory.SelfAttribute("organisation.region_id")
    batch = factory.SubFactory(BatchFactory)
    category = Category.FACTORY
    created_by = factory.SubFactory(UserFactory)
