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
    title="湖北省绿色制造名单开放数据接口",
    version="1",
    description="绿色制造名单与公示的公开数据，只读，无需登录。",
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
    errors: dict[str, list[str]] = Field(description="参数名 → 错误信息")


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
        page: int = Field(1, ge=1, description="页码，从 1 开始")
        page_size: int = Field(
            PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"每页条数，默认 {PAGE_SIZE}，最多 {MAX_PAGE_SIZE}"
        )

    class Output(Schema):
        count: int = Field(description="符合条件的总条数")
        page: int
        page_size: int
        next: int | None = Field(description="下一页页码，没有则为 null")
        previous: int | None = Field(description="上一页页码，没有则为 null")
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
    description = str(filter_.label)
    if isinstance(filter_, ModelChoiceFilter):
        description += "：" + str(filter_.queryset.model._meta.pk.verbose_name)
    elif isinstance(filter_, ChoiceFilter):
        description += "：" + "，".join(f"{value}（{label}）" for value, label in filter_.extra["choices"])
    elif filter_.lookup_expr == "icontains":
        description += "，包含即匹配"
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
    organisation_name: str = Field(description="单位名称")
    organisation_credit_code: str = Field(description="统一社会信用代码（尚未认领的单位为空）")
    region_code: str = Field(description="行政区划代码（市州待定时为空）")
    region_name: str = Field(description="地区")
    category: str
    category_label: str = Field(description="类别")
    product_name: str = Field(description="产品名称（绿色设计产品）")
    level: str
    level_label: str = Field(description="级别")
    year: int = Field(description="批次年度")
    document_number: str = Field(description="文号")
    listed_on: date = Field(description="入选日期")
    next_review_on: date = Field(description="下次复核日期")
    review_status: str
    review_status_label: str = Field(description="复核状态")

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
    organisation_name: str = Field(description="单位名称")
    region_name: str = Field(description="地区")
    category_label: str = Field(description="类别")
    product_name: str = Field(description="产品名称")

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
    starts_on: date = Field(description="公示开始")
    ends_on: date = Field(description="公示截止")
    day_kind: str
    day_kind_label: str = Field(description="计算方式")
    is_open: bool = Field(description="公示尚未结束")
    issuer: str = Field(description="发布单位")
    units: list[NoticeUnitOut] = Field(description="公示对象")

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
    summary="绿色制造名单",
    tags=["名单"],
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
    "/lists/{int:unit_id}/", response={200: ListedUnitOut, 404: MessageOut}, summary="名单单位", tags=["名单"]
)
@decorate_view(public_page(LISTS))
def listed_unit(request, unit_id: int):
    return get_object_or_404(ListedUnit.objects.public(), pk=unit_id)


@api.get("/notices/", response=list[NoticeOut], summary="公示", tags=["公示"])
@paginate(Pages)
@decorate_view(public_page(PUBLICITY, LISTS))
def notices(request):
    return _notices()


@api.get(
    "/notices/{int:notice_id}/", response={200: NoticeOut, 404: MessageOut}, summary="公示详情", tags=["公示"]
)
@decorate_view(public_page(PUBLICITY, LISTS))
def notice(request, notice_id: int):
    return get_object_or_404(_notices(), pk=notice_id)
