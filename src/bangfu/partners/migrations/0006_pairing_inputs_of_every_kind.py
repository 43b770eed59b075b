from decimal import Decimal

from django.db import migrations, models


class Migration(migrations.Migration):
    """Pairing inputs of every kind: the one `funds` column becomes the direct input (直接投入), its
    rows kept as they are; the other sources and figures are added below."""

    dependencies = [
        ("partners", "0005_visit_compliance_covering_index"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="pairingfigures", name="figures_amounts_not_negative"),
        migrations.RenameField(model_name="pairingfigures", old_name="funds", new_name="funds_direct"),
        migrations.AlterModelOptions(
            name="pairingfigures",
            options={
                "ordering": ["pairing", "month"],
                "verbose_name": "月度帮扶投入",
                "verbose_name_plural": "月度帮扶投入",
            },
        ),
        migrations.AddField(
            model_name="pairingfigures",
            name="cadres_seconded",
            field=models.PositiveIntegerField(default=0, verbose_name="选派挂职干部（人）"),
        ),
        migrations.AddField(
            model_name="pairingfigures",
            name="funds_in_kind",
            field=models.DecimalField(
                decimal_places=2, default=Decimal("0"), max_digits=14, verbose_name="捐物折价（元）"
            ),
        ),
        migrations.AddField(
            model_name="pairingfigures",
            name="funds_introduced",
            field=models.DecimalField(
                decimal_places=2, default=Decimal("0"), max_digits=14, verbose_name="引进资金（元）"
            ),
        ),
        migrations.AddField(
            model_name="pairingfigures",
            name="specialists_seconded",
            field=models.PositiveIntegerField(default=0, verbose_name="选派专技人才（人）"),
        ),
        migrations.AddField(
            model_name="pairingfigures",
            name="training_sessions",
            field=models.PositiveIntegerField(default=0, verbose_name="培训期数"),
        ),
        migrations.AlterField(
            model_name="pairingfigures",
            name="funds_direct",
            field=models.DecimalField(
                decimal_places=2, default=Decimal("0"), max_digits=14, verbose_name="直接投入资金（元）"
            ),
        ),
        migrations.AlterField(
            model_name="pairingfigures",
            name="people_trained",
            field=models.PositiveIntegerField(default=0, verbose_name="培训人次"),
        ),
        migrations.AddConstraint(
            model_name="pairingfigures",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("funds_direct__gte", 0),
                    ("funds_in_kind__gte", 0),
                    ("funds_introduced__gte", 0),
                    ("consumption__gte", 0),
                    ("investment__gte", 0),
                ),
                name="figures_amounts_not_negative",
            ),
        ),
    ]
