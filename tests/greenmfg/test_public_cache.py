"""Public pages come from the cache until an event changes what they show: one test per event, through HTTP.

Each test caches a page (a revalidation with its ETag answers 304), runs the event as the portal runs it (its
page or its service, committed), and asks again with the old ETag: the answer must be a new page showing the
change, never the stale copy.
"""

from datetime import date

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from applications.services import rename_organisation
from greenmfg import public_cache
from greenmfg.public_cache import StoredPublicPageMiddleware
from registry import rereviews
from registry.models import ListedUnit, ListImport, Objection, Plan, Publicity, ReReviewCase
from registry.services import handle_objection
from reviews import services as reviews
from reviews.models import Evaluator

from ..factories import BatchFactory, EvaluatorFactory, OrganisationFactory
from ..registry.test_import import sheet, upload  # noqa: F401 (fixture)
from ..registry.test_publicity import objection, passed_review
from ..workflow.test_journey import publicity_form, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor():
    return Client()


def cached(visitor, url):
    """Fetch ``url`` anonymously and show it is served from the cache; its ETag and text."""
    first = visitor.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    again = visitor.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert visitor.get(url).content == first.content
    return etag, first.content.decode()


def fresh(visitor, url, etag):
    response = visitor.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200, "a stale copy survived the change"
    assert response["ETag"] != etag
    return response.content.decode()


def unit(name, **fields):
    return ListedUnit.objects.create(
        organisation=OrganisationFactory(name=name, region_id="420100"),
        region_id="420100",
        category="factory",
        level="provincial",
        year=2026,
        listed_on=date(2026, 6, 1),
        **fields,
    )


def test_anonymous_pages_carry_validators_and_signed_in_users_get_their_own_page(cast, login, visitor):
    unit("武汉缓存验证有限公司")
    etag, text = cached(visitor, "/lists/")
    assert "武汉缓存验证有限公司" in text
    response = visitor.get("/lists/")
    assert response["Last-Modified"] and "no-cache" in response["Cache-Control"]
    signed_in = login(cast.province).get("/lists/", HTTP_IF_NONE_MATCH=etag)
    assert signed_in.status_code == 200
    assert "退出" in signed_in.content.decode()  # the signed-in header, not the anonymous copy


def test_a_cached_page_costs_one_round_trip_to_the_cache_and_no_query(
    visitor, request, django_assert_num_queries
):
    """The generations and the copy are read together: a hit is one ``get_many``, nothing else."""
    unit("武汉往返计数有限公司")
    cached(visitor, "/lists/")
    calls = request.getfixturevalue("cache_calls")
    with django_assert_num_queries(0):
        response = visitor.get("/lists/")
    assert response.status_code == 200 and "武汉往返计数有限公司" in response.content.decode()
    assert calls == ["get_many"]


def test_a_visitor_without_a_session_gets_the_copy_before_the_rest_of_the_middleware(visitor, monkeypatch):
    """The copy leaves at ``StoredPublicPageMiddleware``, with every header a response carries; a visitor whose
    browser holds a session cookie gets the same copy from the view's decorator."""
    unit("武汉前置缓存有限公司")
    rendered = visitor.get("/lists/")
    served = []
    original = StoredPublicPageMiddleware._stored
    monkeypatch.setattr(
        StoredPublicPageMiddleware,
        "_stored",
        staticmethod(lambda request: served.append(original(request)) or served[-1]),
    )
    early = visitor.get("/lists/")
    assert served and served[-1] is not None, "the copy was not served by the middleware"
    assert early.content == rendered.content and early["ETag"] == rendered["ETag"]
    for header in ("X-Frame-Options", "Content-Security-Policy", "Permissions-Policy", "Content-Language"):
        assert early.has_header(header) and early[header] == rendered[header], header
    assert "Cookie" in early["Vary"]

    with_session = Client()
    with_session.cookies[settings.SESSION_COOKIE_NAME] = "a-session-that-is-not-signed-in"
    served.clear()
    late = with_session.get("/lists/")
    assert served == []  # not asked: a session may be a signed-in user's
    assert late.content == rendered.content and late["ETag"] == rendered["ETag"]


def test_a_visitor_who_chose_english_is_not_served_the_chinese_copy(visitor):
    chinese_etag, chinese = cached(visitor, "/lists/")
    english_visitor = Client()
    english_visitor.post("/language/", {"language": "en", "next": "/lists/"})  # no CSRF token on public pages
    english = fresh(english_visitor, "/lists/", chinese_etag)
    assert english != chinese and 'lang="en"' in english
    assert cached(english_visitor, "/lists/")[1] == english


def test_publishing_a_list_and_opening_and_closing_a_publicity_refresh_the_pages(
    cast, login, visitor, django_capture_on_commit_callbacks
):
    batch = BatchFactory(requires_third_party=False)
    declaration = passed_review(cast, batch=batch)
    province = login(cast.province)
    notices_etag, notices = cached(visitor, "/publicity/")
    api_etag, api = cached(visitor, "/api/notices/")
    home_etag, _home = cached(visitor, "/")
    title = publicity_form(batch, [declaration])["title"]
    assert title not in notices and title not in api

    with django_capture_on_commit_callbacks(execute=True):
        province.post("/publicity/new/", publicity_form(batch, [declaration]))  # 公示 opened
    assert title in fresh(visitor, "/publicity/", notices_etag)
    assert title in fresh(visitor, "/api/notices/", api_etag)
    assert title in fresh(visitor, "/", home_etag)

    publicity = Publicity.objects.get()
    api_etag, api = cached(visitor, "/api/notices/")
    assert '"is_open": true' in api
    with django_capture_on_commit_callbacks(execute=True):
        province.post(f"/publicity/{publicity.pk}/close/", {"early_reason": "提前结束的理由"})  # closed
    assert '"is_open": false' in fresh(visitor, "/api/notices/", api_etag)

    lists_etag, lists = cached(visitor, "/lists/")
    assert cast.wuhan_org.name not in lists
    with django_capture_on_commit_callbacks(execute=True):
        publish(province, ListedUnit.objects.get(declaration=declaration))  # list publication
    assert cast.wuhan_org.name in fresh(visitor, "/lists/", lists_etag)


def test_an_objections_outcome_refreshes_the_notice_in_the_api(
    cast, visitor, login, django_capture_on_commit_callbacks
):
    batch = BatchFactory(requires_third_party=False)
    declaration = passed_review(cast, batch=batch)
    login(cast.province).post("/publicity/new/", publicity_form(batch, [declaration]))
    publicity = Publicity.objects.get()
    Client().post(f"/publicity/{publicity.pk}/", objection(declaration))
    url = f"/api/notices/{publicity.pk}/"
    etag, text = cached(visitor, url)
    assert cast.wuhan_org.name in text

    with django_capture_on_commit_callbacks(execute=True):
        handle_objection(Objection.objects.get(), user=cast.province, upheld=True, note="异议属实")
    # The notice still names the unit (it was in the 公示); what counts is that the copy from before is gone.
    assert cast.wuhan_org.name in fresh(visitor, url, etag)


def test_an_import_refreshes_the_lists(cast, login, visitor, sheet, django_capture_on_commit_callbacks):  # noqa: F811
    province = login(cast.province)
    upload(province, sheet["content"])
    etag, text = cached(visitor, "/api/lists/?year=2023")
    assert "恩施硒谷茶业有限公司" not in text
    with django_capture_on_commit_callbacks(execute=True):
        province.post(f"/lists/import/{ListImport.objects.get().pk}/", {"confirm": "1"})
    assert "恩施硒谷茶业有限公司" in fresh(visitor, "/api/lists/?year=2023", etag)


def test_a_removal_after_the_re_review_refreshes_the_lists(cast, visitor, django_capture_on_commit_callbacks):
    removed = unit("武汉将被移出有限公司")
    case = ReReviewCase.objects.create(
        listed_unit=removed, due_on=timezone.localdate(), status=ReReviewCase.Status.CITY_REPORTED
    )
    etag, text = cached(visitor, "/lists/")
    assert "武汉将被移出有限公司" in text
    with django_capture_on_commit_callbacks(execute=True):
        rereviews.decide(case, user=cast.province, retain=False, expert_opinion="不再符合", reason="能耗超标")
    assert "武汉将被移出有限公司" not in fresh(visitor, "/lists/", etag)


def test_a_rename_refreshes_the_lists_and_the_units_page(cast, visitor, django_capture_on_commit_callbacks):
    renamed = unit("武汉旧名称有限公司")
    etag, _text = cached(visitor, "/lists/")
    unit_etag, _text = cached(visitor, f"/lists/{renamed.pk}/")
    with django_capture_on_commit_callbacks(execute=True):
        rename_organisation(
            renamed.organisation, new_name="武汉新名称有限公司", user=cast.province, source="test"
        )
    assert "武汉新名称有限公司" in fresh(visitor, "/lists/", etag)
    assert "武汉新名称有限公司" in fresh(visitor, f"/lists/{renamed.pk}/", unit_etag)


def test_an_evaluators_approval_and_ban_refresh_the_directory(
    cast, visitor, django_capture_on_commit_callbacks
):
    pending = EvaluatorFactory(name="待审核的评价机构", status=Evaluator.Status.PENDING)
    etag, text = cached(visitor, "/evaluators/")
    assert "待审核的评价机构" not in text
    with django_capture_on_commit_callbacks(execute=True):
        reviews.decide_approval(pending, user=cast.province, approve=True, opinion="材料齐全")
    etag, text = cached(visitor, "/evaluators/")
    assert "待审核的评价机构" in text and "禁入至" not in text

    with django_capture_on_commit_callbacks(execute=True):
        reviews.ban(pending, user=cast.province, reason="报告造假", starts_on=timezone.localdate())
    assert "禁入至" in fresh(visitor, "/evaluators/", etag)


@pytest.mark.parametrize("url", ["/", "/lists/", "/publicity/", "/evaluators/"])
def test_a_new_plan_refreshes_every_pages_footer(
    cast, login, visitor, url, django_capture_on_commit_callbacks
):
    etag, text = cached(visitor, url)
    assert "十五五示例实施方案" not in text
    signed_in = login(cast.province)
    assert "十五五示例实施方案" not in signed_in.get("/dashboard/").content.decode()
    year = timezone.localdate().year
    with django_capture_on_commit_callbacks(execute=True):
        Plan.objects.filter(first_year__lte=year, last_year__gte=year).update(last_year=year - 1)
        Plan.objects.create(
            name="十五五示例实施方案", first_year=year, last_year=year + 4, lists_from_year=year
        )
    assert "十五五示例实施方案" in fresh(visitor, url, etag)
    assert "十五五示例实施方案" in signed_in.get("/dashboard/").content.decode()


def _copy_and_mark(visitor, url):
    """Render ``url`` once and take its copy out of the cache again; mark it as being rendered by another request."""
    assert visitor.get(url).status_code == 200
    backend = caches["default"]
    (key,) = [key for key in backend._cache if ":public-page:" in key and not key.endswith(":rendering")]
    key = key.split(":", 2)[2]  # the key as the portal names it, without Django's prefix and version
    copy = backend.get(key)
    backend.delete(key)
    backend.add(f"{key}:rendering", True)
    return backend, key, copy


def test_a_visitor_waits_for_the_copy_another_request_is_rendering(
    visitor, monkeypatch, django_assert_num_queries
):
    """After a change everyone misses the copy at once: one request renders, the others get its copy."""
    unit("武汉同时访问有限公司")
    backend, key, copy = _copy_and_mark(visitor, "/lists/")
    monkeypatch.setattr(
        public_cache.time, "sleep", lambda seconds: backend.set(key, copy)
    )  # the other one stores
    with django_assert_num_queries(0):  # not rendered again
        response = visitor.get("/lists/")
    assert response.status_code == 200 and "武汉同时访问有限公司" in response.content.decode()


def test_a_visitor_renders_the_page_when_the_other_request_stored_nothing(visitor, monkeypatch):
    unit("武汉未存副本有限公司")
    backend, key, _copy = _copy_and_mark(visitor, "/lists/")
    waited = []
    monkeypatch.setattr(
        public_cache.time,
        "sleep",
        lambda seconds: waited.append(seconds) or backend.delete(f"{key}:rendering"),
    )
    response = visitor.get("/lists/")
    assert response.status_code == 200 and "武汉未存副本有限公司" in response.content.decode()
    assert len(waited) == 1  # no longer than the other request took
    assert backend.get(key) is not None  # and its own copy is kept
