"""What a declaration looked like when submitted, and what changed between two submissions."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from .forms import declared_fields
from .models import DeclarationVersion


def snapshot(declaration) -> dict:
    """A JSON-able picture of everything the applicant declared, keyed by a Chinese label."""
    picture = dict(declared_fields(declaration))
    picture[_("已确认的基本条件")] = ", ".join(declaration.attested_items)
    picture[_("自评分")] = str(declaration.self_score or "")
    for answer in declaration.answers.select_related("indicator").order_by("indicator__order"):
        met = {True: _("符合"), False: _("不符合"), None: _("未填")}[answer.met]
        values = " / ".join(str(v) for v in answer.values if v not in (None, ""))
        picture[f"{answer.indicator.code} {answer.indicator.name}"] = values or str(met)
    files = {}
    for attachment in declaration.attachments.order_by("slot", "uploaded_at", "pk"):
        uploaded = timezone.localtime(attachment.uploaded_at).strftime("%Y-%m-%d %H:%M")
        files.setdefault(f"{_('附件')}：{attachment.get_slot_display()}", []).append(
            _("%(name)s（%(at)s上传）") % {"name": attachment.original_name, "at": uploaded}
        )
    picture.update({slot: "；".join(names) for slot, names in files.items()})
    return picture


def record_version(declaration, user) -> DeclarationVersion:
    last = declaration.versions.order_by("-number").first()
    return DeclarationVersion.objects.create(
        declaration=declaration,
        number=(last.number + 1) if last else 1,
        snapshot=snapshot(declaration),
        created_by=user,
    )


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


def changes(declaration) -> list[Change]:
    """What differs between the last two submitted versions (empty when there is only one)."""
    latest = list(declaration.versions.order_by("-number")[:2])
    if len(latest) < 2:
        return []
    after, before = latest[0].snapshot, latest[1].snapshot
    return [
        Change(label, before.get(label, ""), after.get(label, ""))
        for label in dict.fromkeys([*before, *after])
        if before.get(label, "") != after.get(label, "")
    ]
