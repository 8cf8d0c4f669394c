import django.db.models.deletion
from django.db import migrations, models

# The plan the shipped targets (附件3, fixtures/targets_2025.json) belong to.
PLAN_2022_2025 = {
    "name": "湖北省工业领域绿色制造体系建设实施方案（2022—2025年）",
    "document_number": "鄂经信办节能〔2022〕8号",
    "first_year": 2022,
    "last_year": 2025,
    "lists_from_year": 2021,
}


def targets_into_plans(apps, schema_editor):
    """Every target row stays: those for 2025 belong to the 2022–2025 plan; a row for another year (entered
    by hand) gets a plan of its own named for its year."""
    Plan = apps.get_model("registry", "Plan")
    Target = apps.get_model("registry", "Target")
    for year in Target.objects.order_by().values_list("year", flat=True).distinct():
        if year == PLAN_2022_2025["last_year"]:
            plan = Plan.objects.create(**PLAN_2022_2025)
        else:
            plan = Plan.objects.create(
                name=f"{year}年目标", first_year=year, last_year=year, lists_from_year=year
            )
        Target.objects.filter(year=year).update(plan=plan)
    if not Plan.objects.exists():
        Plan.objects.create(**PLAN_2022_2025)


def plans_into_years(apps, schema_editor):
    Target = apps.get_model("registry", "Target")
    for target in Target.objects.select_related("plan"):
        Target.objects.filter(pk=target.pk).update(year=target.plan.last_year)


class Migration(migrations.Migration):
    dependencies = [
        ("greenmfg", "0003_notification"),
        ("registry", "0008_unclaimed_units"),
    ]

    operations = [
        migrations.CreateModel(
            name="Plan",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200, verbose_name="名称")),
                ("document_number", models.CharField(blank=True, max_length=64, verbose_name="文号")),
                ("first_year", models.PositiveSmallIntegerField(verbose_name="起始年度")),
                ("last_year", models.PositiveSmallIntegerField(verbose_name="目标年度")),
                (
                    "lists_from_year",
                    models.PositiveSmallIntegerField(
                        help_text="目标按此年度起公布的名单统计（2022—2025年方案附件3计入2021年起的名单）。",
                        verbose_name="计入名单起始年度",
                    ),
                ),
            ],
            options={
                "verbose_name": "实施方案",
                "verbose_name_plural": "实施方案",
                "ordering": ["-last_year", "-pk"],
            },
        ),
        migrations.AddField(
            model_name="target",
            name="plan",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="targets",
                to="registry.plan",
                verbose_name="实施方案",
            ),
        ),
        migrations.RunPython(targets_into_plans, plans_into_years),
        migrations.RemoveConstraint(model_name="target", name="one_target_per_cell"),
        migrations.RemoveField(model_name="target", name="year"),
        migrations.AlterField(
            model_name="target",
            name="plan",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="targets",
                to="registry.plan",
                verbose_name="实施方案",
            ),
        ),
        migrations.AddConstraint(
            model_name="target",
            constraint=models.UniqueConstraint(fields=("plan", "region", "category"), name="one_target_per_plan_cell"),
        ),
    ]
