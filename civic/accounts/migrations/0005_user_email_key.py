"""The comparison key of each address (civic.accounts.emails), unique in the database.

Existing accounts get their key in creation order. Two accounts whose addresses are the
same under the new rule are both kept: the older one gets the key, the newer one none,
and both are reported here and by `manage.py report_email_collisions` for the Régie to
resolve with the people concerned. Nothing is merged or deleted.
"""

from django.db import migrations, models


def fill_keys(apps, schema_editor):
    from civic.accounts.emails import email_key

    User = apps.get_model("accounts", "User")
    owners = {}
    collisions = []
    for user in User.objects.order_by("pk").only("pk", "email").iterator():
        key = email_key(user.email)
        if key in owners:
            collisions.append((owners[key], user.pk, key))
            continue
        owners[key] = user.pk
        User.objects.filter(pk=user.pk).update(email_key=key)
    for kept, other, key in collisions:
        print(
            f"\n  accounts: account {other} has the same address as account {kept} ({key}); "
            "left without a key, see `manage.py report_email_collisions`."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_inactivity_warning"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_key",
            field=models.CharField(editable=False, max_length=254, null=True, unique=True),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=False),
    ]
