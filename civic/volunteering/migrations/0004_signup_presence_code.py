"""Short presence codes for volunteer sign-ups: every existing sign-up gets one, unique
on its shift, before the column becomes required and the constraint is added."""

from django.db import migrations, models

import civic.codes


def give_codes(apps, schema_editor):
    Signup = apps.get_model("volunteering", "Signup")
    civic.codes.fill_missing_codes(Signup.objects.all(), occasion_field="shift")


class Migration(migrations.Migration):
    dependencies = [
        ("volunteering", "0003_anonymised_contributions"),
    ]

    operations = [
        migrations.AddField(
            model_name="signup",
            name="presence_code",
            field=models.CharField(
                editable=False, max_length=6, null=True, verbose_name="code de présence"
            ),
        ),
        migrations.RunPython(give_codes, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="signup",
            name="presence_code",
            field=models.CharField(
                default=civic.codes.new_code,
                editable=False,
                max_length=6,
                verbose_name="code de présence",
            ),
        ),
        migrations.AddConstraint(
            model_name="signup",
            constraint=models.UniqueConstraint(
                fields=("shift", "presence_code"), name="one_presence_code_per_shift"
            ),
        ),
    ]
