"""A populated portal and every URL pattern instantiated with real ids, for the tests that probe it from outside.

The world is the demo data (three applicants in three cities, an evaluator, three city officials, six experts,
the province, the administrator, declarations from draft to listed) plus what makes it adversarial: a second
member of an enterprise, a second evaluator that declined a commission, an expert replaced after a conflict,
a second provincial official and a second of each of the three administrators. Unique markers are planted in
private data.
"""

import io
import re
import subprocess
from dataclasses import dataclass, field

from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import load_workbook

from applications import services as applications
from applications.models import (
    Attachment,
    Batch,
    Declaration,
    Exclusion,
    Invitation,
    Organisation,
)
from greenmfg.models import Notification, User
from greenmfg.roles import Role
from registry.models import (
    CultivationCandidate,
    ListedUnit,
    ListExport,
    ListImport,
    ListPublication,
    NationalRecommendation,
    Objection,
    Publicity,
    RereviewAssignment,
    ReReviewCase,
)
from reviews import experts, services
from reviews.models import Assignment, Ban, Commission, Evaluation, Evaluator, Evidence, StaffMember

from ..factories import EvaluatorFactory, make_user


def declaration_marker(pk):
    return f"LKD{pk}Z"


def attachment_marker(pk):
    return f"LKA{pk}Z"


def evaluation_marker(pk):
    return f"LKV{pk}Z"


def organisation_marker(pk):
    return f"LKO{pk}Z"


MARKER = re.compile(r"LK([DAVO])(\d+)Z")


def build(settings):
    """The demo world, made adversarial, with markers planted."""
    settings.DEBUG = True
    call_command("demo_data")
    settings.DEBUG = False
    users = {u.username: u for u in User.objects.all()}

    wuhan = Organisation.objects.get(memberships__user=users["qiye_wuhan"])
    member = make_user(Role.APPLICANT, username="qiye_wuhan2")
    wuhan.memberships.create(user=member)
    make_user(Role.PROVINCE, username="shengting2")
    make_user(Role.SECURITY, username="anquan2")
    make_user(Role.AUDITOR, username="shenji2")
    admin2 = make_user(Role.ADMIN, username="admin2")
    User.objects.filter(pk=admin2.pk).update(is_staff=True, is_superuser=True)

    # A second evaluator declines a commission for 黄石's product declaration, which the first then holds.
    second = EvaluatorFactory(name="第二评价中心")
    staff2 = make_user(Role.EVALUATOR, username="pingjia2")
    staff2.groups.add(second.staff_group)
    huangshi = users["qiye_huangshi"]
    declined = applications.create_declaration(
        organisation=Organisation.objects.get(memberships__user=huangshi),
        user=huangshi,
        batch=Batch.objects.order_by("-year").first(),
        category="product",
        product_name="节能电机 LK-1",
    )
    from registry.management.commands.demo_data import fill_in

    fill_in(declined, huangshi)
    applications.transition(declined.pk, "submit_self_evaluation", user=huangshi)
    commission = services.request_commission(declined, second, user=huangshi)
    services.decline_commission(commission.pk, user=staff2, reason="人手不足")

    # An expert on the park declaration declares a conflict and is replaced.
    row = Assignment.objects.filter(status=Assignment.Status.ACTIVE).select_related("expert__user").first()
    experts.declare_conflict(row, user=row.expert.user, reason="曾为该园区提供咨询")

    for declaration in Declaration.objects.all():
        Declaration.objects.filter(pk=declaration.pk).update(contact_name=declaration_marker(declaration.pk))
    for attachment in Attachment.objects.all():
        Attachment.objects.filter(pk=attachment.pk).update(
            original_name=f"{attachment_marker(attachment.pk)}.pdf"
        )
    for evaluation in Evaluation.objects.all():
        Evaluation.objects.filter(pk=evaluation.pk).update(highlights=evaluation_marker(evaluation.pk))
    for organisation in Organisation.objects.all():
        for membership in organisation.memberships.select_related("user"):
            User.objects.filter(pk=membership.user_id).update(
                full_name=f"{membership.user.username}{organisation_marker(organisation.pk)}"
            )
    return {u.username: u for u in User.objects.all()}


def replaced_expert() -> str:
    """The expert who declared a conflict on the park's declaration and was replaced."""
    return (
        Assignment.objects.filter(status="withdrawn").values_list("expert__user__username", flat=True).first()
    )


# Who has a relationship with what, written from the domain's rules (not from the code under test).


def entitled_declarations(user) -> set[int]:
    everything = set(Declaration.objects.values_list("pk", flat=True))
    if user is None:
        return set()
    if user.is_provincial or user.is_superuser or user.has_role(Role.ADMIN):
        return everything
    mine = set(Declaration.objects.filter(organisation__members=user).values_list("pk", flat=True))
    if user.is_city_official:
        mine |= set(Declaration.objects.filter(region_id=user.city_id).values_list("pk", flat=True))
    evaluator = Evaluator.objects.filter(staff_group__user=user).first()
    if evaluator:
        for commission in evaluator.commissions.select_related("declaration"):
            if commission.status == "accepted" or (
                commission.status == "requested" and commission.declaration.state == "self_evaluated"
            ):
                mine.add(commission.declaration_id)
    mine |= set(
        Assignment.objects.filter(expert__user=user)
        .exclude(status="withdrawn")
        .values_list("declaration_id", flat=True)
    )
    return mine


def entitled_markers(user) -> set[str]:
    declarations = entitled_declarations(user)
    markers = {declaration_marker(pk) for pk in declarations}
    markers |= {
        attachment_marker(pk)
        for pk in Attachment.objects.filter(declaration__in=declarations).values_list("pk", flat=True)
    }
    markers |= {
        evaluation_marker(pk)
        for pk in Evaluation.objects.filter(commission__declaration__in=declarations).values_list(
            "pk", flat=True
        )
    }
    organisations = set(
        Declaration.objects.filter(pk__in=declarations).values_list("organisation_id", flat=True)
    )
    if user is not None:
        organisations |= set(user.organisations.values_list("pk", flat=True))
        if user.is_city_official:
            organisations |= set(
                Organisation.objects.filter(region_id=user.city_id).values_list("pk", flat=True)
            )
        if user.is_provincial or user.is_superuser or user.has_role(Role.ADMIN):
            organisations |= set(Organisation.objects.values_list("pk", flat=True))
        evaluator = Evaluator.objects.filter(staff_group__user=user).first()
        if evaluator:
            # Its own evaluations stay on its page, whatever the declaration's fate.
            markers |= {
                evaluation_marker(pk)
                for pk in Evaluation.objects.filter(commission__evaluator=evaluator).values_list(
                    "pk", flat=True
                )
            }
    markers |= {organisation_marker(pk) for pk in organisations}
    if user is not None and user.has_role(Role.AUDITOR):
        # The audit trail names who acted (people's names) and which file was downloaded, never what a
        # declaration or an evaluation says.
        markers |= {organisation_marker(pk) for pk in Organisation.objects.values_list("pk", flat=True)}
        markers |= {attachment_marker(pk) for pk in Attachment.objects.values_list("pk", flat=True)}
    return markers


# The URLconf, walked and instantiated with ids of real objects.


def patterns(resolver=None, prefix=""):
    """(route, name, pattern) for every URL pattern, admin included."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.name, entry


PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")

# The segment before an id says what it identifies; a new kind of id fails the walk until it is named here.
OWNERS = {
    ("declarations", "pk"): Declaration,
    ("attachments", "attachment_pk"): Attachment,
    ("batches", "pk"): Batch,
    ("batches", "batch_pk"): Batch,
    ("city", "batch_pk"): Batch,
    ("exclusions", "pk"): Exclusion,
    ("invitations", "pk"): Invitation,
    ("notifications", "pk"): Notification,
    ("evaluators", "pk"): Evaluator,
    ("evidence", "evidence_pk"): Evidence,
    ("bans", "pk"): Ban,
    ("commissions", "pk"): Commission,
    ("lists", "pk"): ListedUnit,
    ("national", "pk"): NationalRecommendation,
    ("import", "pk"): ListImport,
    (
        "exports",
        "pk",
    ): ListExport,  # the public list's background exports: anyone may follow and download them
    ("rereviews", "pk"): ReReviewCase,
    ("cultivation", "pk"): CultivationCandidate,
    ("publicity", "pk"): Publicity,
    ("objections", "pk"): Objection,
    ("lists", "unit_id"): ListedUnit,
    ("notices", "notice_id"): Publicity,
    ("publications", "pk"): ListPublication,
    ("experts", "pk"): RereviewAssignment,
    ("unlock", "pk"): AccessAttempt,
    ("users", "pk"): User,
}
SLUGS = {
    ("transition", "name"): ["withdraw", "submit_to_city", "recommend"],
    ("join", "token"): lambda: (
        list(Invitation.objects.values_list("token", flat=True)[:2]) or ["no-such-token"]
    ),
    ("mine", "kind"): ["staff"],
    ("<slug:kind>", "row_pk"): lambda: list(StaffMember.objects.values_list("pk", flat=True)[:1]),
}


@dataclass
class Instance:
    route: str
    name: str
    url: str
    objects: dict = field(default_factory=dict)  # parameter → (model, pk)


def _segment_before(route, start):
    before = route[:start].rstrip("/").split("/")
    return before[-1] if before else ""


def instances(*, include_admin=False, per_pattern=None):
    """Every pattern with ids of real objects (a few of each kind), as URLs."""
    found = []
    for route, name, _entry in patterns():
        if route.startswith("admin/") and not include_admin:
            continue
        params = list(PARAMETER.finditer(route))
        choices = [[]]
        for match in params:
            param = match.group(2)
            key = (_segment_before(route, match.start()), param)
            if key in OWNERS:
                model = OWNERS[key]
                queryset = model.objects.order_by("pk")
                if model is Attachment:
                    values = None  # chosen with its declaration below
                else:
                    values = [(model, pk) for pk in queryset.values_list("pk", flat=True)]
            elif key in SLUGS:
                source = SLUGS[key]
                values = [(None, v) for v in (source() if callable(source) else source)]
            else:
                raise LookupError(
                    f"{route}: say in tests/security/world.py what <{param}> after {key[0]!r} names"
                )
            extended = []
            for chosen in choices:
                if values is None:
                    declaration = dict(chosen).get("pk")
                    pks = Attachment.objects.filter(declaration_id=declaration[1]).values_list(
                        "pk", flat=True
                    )
                    options = [(Attachment, pk) for pk in list(pks)[:2]]
                else:
                    options = values
                extended += [[*chosen, (param, option)] for option in options]
            choices = extended
        for chosen in choices[:per_pattern] if per_pattern else choices:
            url = "/" + route
            for match, (_param, (_model, value)) in zip(params, chosen, strict=True):
                url = url.replace(match.group(0), str(value), 1)
            found.append(Instance(route, name, url, {param: option for param, option in chosen}))
    return found


# What a response says, whatever its format.


def text_of(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    headers = " ".join(f"{k}: {v}" for k, v in response.items())
    kind = response.get("Content-Type", "")
    if body.startswith(b"%PDF-"):
        done = subprocess.run(["pdftotext", "-", "-"], input=body, capture_output=True, timeout=30)
        text = done.stdout.decode("utf-8", "replace")
    elif body.startswith(b"PK\x03\x04") and "sheet" in kind:
        workbook = load_workbook(io.BytesIO(body), read_only=True)
        text = " ".join(
            str(cell)
            for sheet in workbook
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell
        )
    else:
        text = body.decode("utf-8", "replace")
    return f"{headers}\n{text}"
