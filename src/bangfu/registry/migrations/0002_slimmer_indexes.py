"""Drop single-column indexes that composite indexes already lead with (docs/benchmarks.md,
Registry import): every index is one more B-tree insert per person on each import.

The foreign keys lose `db_index` in the model state only; the database side drops the indexes by
name, so SQLite does not rebuild the tables (Django's AlterField would copy each table twice)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0001_initial"),
        ("registry", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="memberversion",
            name="registry_version_lookup_idx",
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "{table}" ("{column}")',
                )
                for name, table, column in (
                    ("registry_household_county_id_8edb1277", "registry_household", "county_id"),
                    ("registry_household_village_id_79724fcd", "registry_household", "village_id"),
                    ("registry_member_county_id_402a4cdf", "registry_member", "county_id"),
                    ("registry_member_village_id_42fa2c24", "registry_member", "village_id"),
                    ("registry_memberversion_county_id_15d6e22e", "registry_memberversion", "county_id"),
                    ("registry_memberversion_member_id_4163e148", "registry_memberversion", "member_id"),
                    (
                        "registry_memberversion_recorded_by_id_d11e0b4c",
                        "registry_memberversion",
                        "recorded_by_id",
                    ),
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="household",
                    name="county",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="registry_households",
                        to="areas.area",
                        verbose_name="县",
                    ),
                ),
                migrations.AlterField(
                    model_name="household",
                    name="village",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="areas.area",
                        verbose_name="行政村",
                    ),
                ),
                migrations.AlterField(
                    model_name="member",
                    name="county",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="areas.area",
                        verbose_name="县",
                    ),
                ),
                migrations.AlterField(
                    model_name="member",
                    name="village",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="areas.area",
                        verbose_name="行政村",
                    ),
                ),
                migrations.AlterField(
                    model_name="memberversion",
                    name="county",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="areas.area",
                    ),
                ),
                migrations.AlterField(
                    model_name="memberversion",
                    name="member",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="versions",
                        to="registry.member",
                    ),
                ),
                migrations.AlterField(
                    model_name="memberversion",
                    name="recorded_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
    ]
