"""Short presence codes for assembly participants: every existing registration gets one,
unique in its assembly, before the column becomes required and the constraint is added."""

from django.db import migrations, models

import civic.codes


def give_codes(apps, schema_editor):
    Participant = apps.get_model("assemblies", "Participant")
    civic.codes.fill_missing_codes(Participant.objects.all(), occasion_field="assembly")


class Migration(migrations.Migration):
    dependencies = [
        ("assemblies", "0002_staff_permission"),
    ]

    operations = [
        migrations.AddField(
            model_name="participant",
            name="presence_code",
            field=models.CharField(
                editable=False, max_length=6, null=True, verbose_name="code de présence"
            ),
        ),
        migrations.RunPython(give_codes, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="participant",
            name="presence_code",
            field=models.CharField(
                default=civic.codes.new_code,
                editable=False,
                max_length=6,
                verbose_name="code de présence",
            ),
        ),
        migrations.AddConstraint(
            model_name="participant",
            constraint=models.UniqueConstraint(
                fields=("assembly", "presence_code"), name="one_presence_code_per_assembly"
            ),
        ),
    ]
