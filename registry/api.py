"""开放数据接口: the public lists and 公示 notices as read-only JSON, anonymous, at /api/.

The list endpoint takes its rows from ``filters.public_units``, the function behind /lists/ and its export,
so the three agree row for row and in the same order for the same query parameters.
"""

from datetime import date
from typing import Any

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _
from django_filters import ChoiceFilter, ModelChoiceFilter
from ninja import Field, NinjaAPI, Query, Schema
from ninja.decorators import decorate_view
from ninja.errors import HttpError, ValidationError
from ninja.pagination import PaginationBase, paginate
from ninja.renderers import JSONRenderer
from pydantic import create_model

from applications.models import Declaration
from greenmfg.generations import LISTS, PUBLICITY
from greenmfg.public_cache import public_page

from .filters import ListedUnitFilter, public_units
from .models import ListedUnit, Publicity

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class ReadableJSONRenderer(JSONRenderer):
    """Chinese as characters, not \\u escapes: people open these URLs in a browser."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="Hubei green manufacturing lists: open data API",
    version="1",
    description="Public data of the green manufacturing lists and their publicity notices: read-only, no sign-in.",
    urls_namespace="api",
    openapi_url="/schema/",
    docs_url=None,
    renderer=ReadableJSONRenderer(),
)


class InvalidQuery(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


class QueryErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(description="parameter name → error messages")


class MessageOut(Schema):
    detail: str


def _bad_request(request, errors):
    return api.create_response(request, {"detail": _("查询参数有误。"), "errors": errors}, status=400)


@api.exception_handler(InvalidQuery)
def invalid_filter(request, exc):
    return _bad_request(request, exc.errors)


@api.exception_handler(ValidationError)
def invalid_parameter(request, exc):
    """Page parameters fail in pydantic, whose messages are English: answer 400 in Chinese, like the filters."""
    messages = {
        "page": _("页码须为正整数。"),
        "page_size": _("每页条数须为 1 至 %(max)d 之间的整数。") % {"max": MAX_PAGE_SIZE},
    }
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        name = str(error["loc"][-1])
        errors.setdefault(name, []).append(messages.get(name, error["msg"]))
    return _bad_request(request, errors)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": _("未找到。")}, status=404)


class Pages(PaginationBase):
    """Numbered pages as on /lists/: ``count``, the ``next`` and ``previous`` page numbers, ``results``."""

    class Input(Schema):
        page: int = Field(1, ge=1, description="page number, from 1")
        page_size: int = Field(
            PAGE_SIZE,
            ge=1,
            le=MAX_PAGE_SIZE,
            description=f"rows per page, {PAGE_SIZE} by default, at most {MAX_PAGE_SIZE}",
        )

    class Output(Schema):
        count: int = Field(description="number of matching rows")
        page: int
        page_size: int
        next: int | None = Field(description="next page number, null on the last page")
        previous: int | None = Field(description="previous page number, null on the first page")
        results: list[Any]

    items_attribute = "results"

    def paginate_queryset(self, queryset, pagination, request, **params):
        try:
            page = Paginator(queryset, pagination.page_size).page(pagination.page)
        except EmptyPage as error:
            raise HttpError(404, _("页码超出范围。")) from error
        return {
            "count": page.paginator.count,
            "page": page.number,
            "page_size": pagination.page_size,
            "next": page.next_page_number() if page.has_next() else None,
            "previous": page.previous_page_number() if page.has_previous() else None,
            "results": page.object_list,
        }


def _describe(filter_) -> str:
    """The filter's label and values in English: the OpenAPI document is for developers, in English."""
    with translation.override("en"):
        description = str(filter_.label)
        if isinstance(filter_, ModelChoiceFilter):
            description += ": " + str(filter_.queryset.model._meta.pk.verbose_name)
        elif isinstance(filter_, ChoiceFilter):
            description += ": " + ", ".join(f"{value} ({label})" for value, label in filter_.extra["choices"])
        elif filter_.lookup_expr == "icontains":
            description += ", matches any part"
    return description


# Only documents the parameters in /api/schema/: the values reach ListedUnitFilter through request.GET, exactly as
# on /lists/, so they are strings here and the filter's own validation (and its Chinese messages) decides.
ListedUnitFilters = create_model(
    "ListedUnitFilters",
    __base__=Schema,
    **{
        name: (str | None, Field(None, description=_describe(filter_)))
        for name, filter_ in ListedUnitFilter.base_filters.items()
    },
)


class ListedUnitOut(Schema):
    id: int
    organisation_name: str = Field(description="organisation name")
    organisation_credit_code: str = Field(
        description="unified social credit code (empty for a unit not yet claimed)"
    )
    region_code: str = Field(
        description="administrative division code of the city (empty while the city is undetermined)"
    )
    region_name: str = Field(description="city (region) name")
    category: str
    category_label: str = Field(description="category label")
    product_name: str = Field(description="product name (green design products)")
    level: str
    level_label: str = Field(description="level label")
    year: int = Field(description="year of the batch")
    document_number: str = Field(description="document number of the publication")
    listed_on: date = Field(description="date listed")
    next_review_on: date = Field(description="date of the next three-yearly re-review")
    review_status: str
    review_status_label: str = Field(description="re-review status label")

    @staticmethod
    def resolve_organisation_name(unit):
        return unit.organisation.name

    @staticmethod
    def resolve_organisation_credit_code(unit):
        return unit.organisation.credit_code or ""

    @staticmethod
    def resolve_region_code(unit):
        return unit.region_id or ""

    @staticmethod
    def resolve_region_name(unit):
        return unit.region.name if unit.region_id else _("市州待定")

    @staticmethod
    def resolve_category_label(unit):
        return unit.get_category_display()

    @staticmethod
    def resolve_level_label(unit):
        return unit.get_level_display()

    @staticmethod
    def resolve_review_status_label(unit):
        return unit.get_review_status_display()


class NoticeUnitOut(Schema):
    organisation_name: str = Field(description="organisation name")
    region_name: str = Field(description="city (region) name")
    category_label: str = Field(description="category label")
    product_name: str = Field(description="product name")

    @staticmethod
    def resolve_organisation_name(declaration):
        return declaration.organisation.name

    @staticmethod
    def resolve_region_name(declaration):
        return declaration.region.name

    @staticmethod
    def resolve_category_label(declaration):
        return declaration.get_category_display()


class NoticeOut(Schema):
    id: int
    title: str
    starts_on: date = Field(description="first day of the notice")
    ends_on: date = Field(description="last day of the notice")
    day_kind: str
    day_kind_label: str = Field(description="how the length is counted (working or calendar days)")
    is_open: bool = Field(description="the notice is still open")
    issuer: str = Field(description="issuing office")
    units: list[NoticeUnitOut] = Field(description="units on the notice")

    @staticmethod
    def resolve_day_kind_label(notice):
        return notice.get_day_kind_display()

    @staticmethod
    def resolve_units(notice):
        return notice.declarations.all()


def _notices():
    """Newest first, each with its units in one prefetch: three queries for a page, however long it is."""
    units = Declaration.objects.select_related("organisation", "region").order_by("region__order", "pk")
    return Publicity.objects.order_by("-starts_on", "-pk").prefetch_related(
        Prefetch("declarations", queryset=units)
    )


@api.get(
    "/lists/",
    response={200: list[ListedUnitOut], 400: QueryErrorOut},
    summary="Green manufacturing lists",
    tags=["lists"],
)
@paginate(Pages)
@decorate_view(public_page(LISTS))
def listed_units(request, filters: Query[ListedUnitFilters]):
    """The rows /lists/ shows for the same query parameters, in the same order; removed units are not listed."""
    filterset = public_units(request.GET)
    if not filterset.is_valid():
        raise InvalidQuery({name: list(messages) for name, messages in filterset.errors.items()})
    return filterset.qs


@api.get(
    "/lists/{int:unit_id}/",
    response={200: ListedUnitOut, 404: MessageOut},
    summary="A listed unit",
    tags=["lists"],
)
@decorate_view(public_page(LISTS))
def listed_unit(request, unit_id: int):
    return get_object_or_404(ListedUnit.objects.public(), pk=unit_id)


@api.get("/notices/", response=list[NoticeOut], summary="Publicity notices", tags=["notices"])
@paginate(Pages)
@decorate_view(public_page(PUBLICITY, LISTS))
def notices(request):
    return _notices()


@api.get(
    "/notices/{int:notice_id}/",
    response={200: NoticeOut, 404: MessageOut},
    summary="A publicity notice",
    tags=["notices"],
)
@decorate_view(public_page(PUBLICITY, LISTS))
def notice(request, notice_id: int):
    return get_object_or_404(_notices(), pk=notice_id)
