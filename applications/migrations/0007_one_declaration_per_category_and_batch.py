"""One live declaration per organisation, category and batch (per product for products).

Existing rows are kept as they are: if a database already holds duplicates, the migration stops before adding
the constraints and names them, so that the province decides which to withdraw (no row is changed here).
"""

from django.db import migrations, models
from django.db.models import Count


def refuse_if_duplicates_exist(apps, schema_editor):
    Declaration = apps.get_model("applications", "Declaration")
    live = Declaration.objects.exclude(state="withdrawn")
    duplicates = list(
        live.exclude(category="product")
        .values("organisation_id", "batch_id", "category")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    ) + list(
        live.filter(category="product")
        .exclude(product_name="")
        .values("organisation_id", "batch_id", "product_name", "product_model")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    if duplicates:
        raise RuntimeError(
            "Declarations that break the one-per-organisation-category-batch rule must be withdrawn first: "
            + "; ".join(str(d) for d in duplicates)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0006_policy"),
    ]

    operations = [
        migrations.RunPython(refuse_if_duplicates_exist, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="declaration",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    models.Q(("state", "withdrawn"), _negated=True),
                    models.Q(("category", "product"), _negated=True),
                ),
                fields=("organisation", "batch", "category"),
                name="one_declaration_per_category_and_batch",
            ),
        ),
        migrations.AddConstraint(
            model_name="declaration",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    models.Q(("state", "withdrawn"), _negated=True),
                    ("category", "product"),
                    models.Q(("product_name", ""), _negated=True),
                ),
                fields=("organisation", "batch", "product_name", "product_model"),
                name="one_declaration_per_product_and_batch",
            ),
        ),
    ]
