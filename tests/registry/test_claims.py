"""认领: an enterprise registering under the name a published list gave it is proposed as that unclaimed unit;
its city confirms, the unit's history becomes the enterprise's, and a wrong match is undone, all audited."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.models import Exclusion, Organisation
from applications.services import exclude
from greenmfg.models import AuditEntry
from registry.models import Claim, ListedUnit, ListImport, ReReviewCase

from ..factories import valid_credit_code
from . import published_files as files

pytestmark = pytest.mark.django_db


def import_list(client, *rows):
    content = files.xlsx(["2022年度绿色工厂名单"], ["序号", "地区", "单位名称"], *rows)
    response = client.post(
        "/lists/import/",
        {
            "year": 2022,
            "listed_on": "2022-12-01",
            "level": "national",
            "file": SimpleUploadedFile("名单.xlsx", content),
        },
    )
    client.post(response["Location"], {"confirm": "1"})


def register(client, name, code, region="420100"):
    client.logout()
    response = client.post(
        "/accounts/register/",
        {
            "organisation_name": name,
            "kind": "enterprise",
            "credit_code": code,
            "region": region,
            "username": f"u{code[-6:]}",
            "full_name": "王五",
            "password1": "a-long-password-9",
            "password2": "a-long-password-9",
        },
    )
    assert response.status_code == 302
    return Organisation.objects.get(credit_code=code)


def wuhan_listing():
    return ListedUnit.objects.exclude(organisation__name="黄石待补码有限公司").get()


@pytest.fixture
def unclaimed(cast, login):
    import_list(
        login(cast.province), [1, "湖北", "武汉认领示范（集团）有限公司"], [2, "黄石", "黄石待补码有限公司"]
    )
    unit = Organisation.objects.get(name="武汉认领示范（集团）有限公司")
    exclude(unit, reason="测试不得申报", starts_on=date(2024, 1, 1), ends_on=date(2026, 12, 31))
    listing = unit.listings.get()
    ReReviewCase.objects.create(listed_unit=listing, due_on=listing.next_review_on)
    return unit


def test_registration_proposes_the_match_and_the_city_confirms_the_history_moves(
    cast, login, client, unclaimed
):
    code = valid_credit_code("420100")
    registered = register(client, "武汉认领示范(集团) 有限公司", code)

    claim = Claim.objects.get()
    assert (claim.unclaimed, claim.claimant, claim.status) == (unclaimed, registered, "proposed")
    list_import = ListImport.objects.get()
    page = login(cast.province).get(f"/lists/import/{list_import.pk}/").content.decode()
    assert "导入新建的单位已有认领记录，不能撤销" in page
    assert wuhan_listing().organisation == unclaimed  # nothing moves before the city confirms
    huangshi = login(cast.huangshi_official).get("/claims/").content.decode()
    assert "武汉认领示范（集团）有限公司" not in huangshi
    province = login(cast.province).get("/claims/").content.decode()
    assert "单位认领由注册单位所在市州的经信局确认" in province  # the button is there, disabled, with why
    wuhan = login(cast.wuhan_official)
    assert "武汉认领示范（集团）有限公司" in wuhan.get("/claims/").content.decode()

    wuhan.post("/claims/", {"claim": claim.pk, "confirm": "1"})

    listing = wuhan_listing()
    assert (listing.organisation, listing.region_id) == (registered, "420100")  # 市州待定 → the city
    assert listing.rereviews.get().listed_unit.organisation == registered
    assert Exclusion.objects.get().organisation == registered
    assert not registered.former_names.exists()  # one name spelled two ways is not a former name
    unclaimed.refresh_from_db()
    assert unclaimed.merged_into == registered
    assert [e.action for e in AuditEntry.for_object(Claim.objects.get())] == [
        "propose_claim",
        "confirm_claim",
    ]

    # A later list under the published name now matches the registered organisation.
    import_list(login(cast.province), [1, "湖北", "武汉认领示范（集团）有限公司"])
    assert (
        ListedUnit.objects.filter(organisation=registered).count() == 1
    )  # same year and list: already there


def test_a_wrong_match_is_undone_by_the_city_and_everything_goes_back(cast, login, client, unclaimed):
    registered = register(client, "武汉认领示范（集团）有限公司", valid_credit_code("420100"))
    claim = Claim.objects.get()
    wuhan = login(cast.wuhan_official)
    wuhan.post("/claims/", {"claim": claim.pk, "confirm": "1"})

    assert (
        "请填写撤销认领的原因"
        in wuhan.post("/claims/", {"claim": claim.pk, "undo": "1"}, follow=True).content.decode()
    )
    wuhan.post("/claims/", {"claim": claim.pk, "undo": "1", "reason": "同名不同企业"})

    claim.refresh_from_db()
    assert claim.status == "undone"
    listing = wuhan_listing()
    assert (listing.organisation, listing.region_id) == (unclaimed, None)
    assert Exclusion.objects.get().organisation == unclaimed
    assert not registered.former_names.exists()
    unclaimed.refresh_from_db()
    assert unclaimed.merged_into is None
    assert AuditEntry.for_object(claim).filter(action="undo_claim", opinion="同名不同企业").exists()


def test_another_city_or_the_province_cannot_confirm(cast, login, client, unclaimed):
    register(client, "武汉认领示范（集团）有限公司", valid_credit_code("420100"))
    claim = Claim.objects.get()

    for user in (cast.huangshi_official, cast.province, cast.applicant):
        login(user).post("/claims/", {"claim": claim.pk, "confirm": "1"})

    claim.refresh_from_db()
    assert claim.status == "proposed"
    assert wuhan_listing().organisation == unclaimed


def test_a_city_official_records_the_code_of_an_unclaimed_unit_of_its_city(cast, login, unclaimed):
    unit = Organisation.objects.get(name="黄石待补码有限公司")
    code = valid_credit_code("420200")

    assert (
        login(cast.wuhan_official).post("/claims/", {"unit": unit.pk, "credit_code": code}).status_code == 200
    )
    unit.refresh_from_db()
    assert unit.credit_code is None

    login(cast.huangshi_official).post("/claims/", {"unit": unit.pk, "credit_code": code})

    unit.refresh_from_db()
    assert unit.credit_code == code and not unit.is_unclaimed
    assert (
        AuditEntry.for_object(unit).filter(action="record_credit_code", actor=cast.huangshi_official).exists()
    )
