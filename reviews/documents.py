"""Documents of the review stage: the city's 推荐汇总表 and 推荐意见, and the province's score sheet."""

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Declaration
from greenmfg import pdf, signing, xlsx

from .city import recommendation_for
from .experts import results
from .models import Commission, Evaluation

SUMMARY_COLUMNS = [
    "序号", "市州", "单位名称", "统一社会信用代码", "类别", "所属行业", "产品名称/型号",
    "第三方机构", "自评分", "第三方评分", "推荐排序", "联系人", "电话", "手机", "备注",
]  # fmt: skip


def recommended_declarations(batch, region):
    """The city's recommended declarations in rank order, with their evaluator and third-party score."""
    accepted = Commission.objects.filter(status=Commission.Status.ACCEPTED).select_related("evaluator")
    return (
        Declaration.objects.filter(batch=batch, region=region, city_review__decision="recommend")
        .select_related("organisation", "region", "city_review")
        .prefetch_related(Prefetch("commissions", queryset=accepted, to_attr="accepted_commissions"))
        .order_by("city_review__rank", "pk")
    )


def recommendation_workbook(batch, region) -> bytes:
    declarations = list(recommended_declarations(batch, region))
    scores = dict(
        Evaluation.objects.filter(
            commission__declaration__in=declarations, submitted_at__isnull=False
        ).values_list("commission__declaration_id", "score")
    )
    rows = []
    for number, d in enumerate(declarations, start=1):
        commission = d.accepted_commissions[0] if d.accepted_commissions else None
        product = " ".join(p for p in (d.product_name, d.product_model) if p)
        rows.append(
            [
                number,
                region.name,
                d.organisation.name,
                d.organisation.credit_code,
                d.get_category_display(),
                d.industry_code,
                product,
                commission.evaluator.name if commission else "",
                float(d.self_score) if d.self_score is not None else None,
                float(scores[d.pk]) if scores.get(d.pk) is not None else None,
                d.city_review.rank,
                d.contact_name,
                d.contact_phone,
                d.contact_mobile,
                "",
            ]
        )
    recommendation = recommendation_for(batch, region)
    return xlsx.workbook(
        title=_("%(region)s%(year)s年度绿色制造体系推荐汇总表") % {"region": region.name, "year": batch.year},
        header=[_(c) for c in SUMMARY_COLUMNS],
        rows=rows,
        document_number=recommendation.document_number if recommendation else "",
    )


def recommendation_pdf(batch, region) -> bytes:
    """The city's 推荐意见; signed by the city only once submitted (before, it is a draft)."""
    recommendation = recommendation_for(batch, region)
    return pdf.render(
        "reviews/recommendation_pdf.html",
        {
            "batch": batch,
            "region": region,
            "declarations": list(recommended_declarations(batch, region)),
            "recommendation": recommendation,
            "today": timezone.localdate(),
        },
        office=signing.city(region),
        reason=_("推荐意见"),
        sign=recommendation is not None,
    )


def score_workbook(batch) -> bytes:
    """One row per declaration in provincial review or decided: each expert's score, mean, trimmed mean, spread."""
    declarations = list(
        Declaration.objects.filter(batch=batch, assignments__isnull=False)
        .distinct()
        .select_related("organisation", "region")
        .order_by("region__order", "category", "pk")
    )
    by_declaration = results(declarations)
    width = max((len(live) for _agg, live in by_declaration.values()), default=0)
    header = ["序号", "市州", "单位名称", "类别"]
    header += [_("专家%(n)d") % {"n": n + 1} for n in range(width)]
    header += ["有效评分数", "平均分", "去掉最高最低后的平均分", "极差", "状态"]
    rows = []
    for number, d in enumerate(declarations, start=1):
        aggregate, live = by_declaration[d.pk]
        expert_scores = [float(a.score) if a.submitted_at and a.score is not None else None for a in live]
        expert_scores += [None] * (width - len(expert_scores))
        rows.append(
            [
                number,
                d.region.name,
                d.organisation.name,
                d.get_category_display(),
                *expert_scores,
                aggregate.count,
                float(aggregate.mean) if aggregate.mean is not None else None,
                float(aggregate.trimmed_mean) if aggregate.trimmed_mean is not None else None,
                float(aggregate.spread) if aggregate.spread is not None else None,
                d.get_state_display(),
            ]
        )
    return xlsx.workbook(
        title=_("%(batch)s专家评分汇总表") % {"batch": batch.title},
        header=[_(h) for h in header],
        rows=rows,
    )
