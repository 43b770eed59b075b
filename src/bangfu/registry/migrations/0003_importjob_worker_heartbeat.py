from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_slimmer_indexes")]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="worker",
            field=models.CharField(blank=True, default="", max_length=200),
        ),
        migrations.AddField(
            model_name="importjob",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
