"""The Régie's management (Wagtail's Moderators group, civic.accounts.roles.MANAGERS) sets
its name, logo, icons and colour; editors do not."""

from django.db import migrations

MANAGERS = "Moderators"


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="identity", model="regieidentity"
    )
    change, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="change_regieidentity",
        defaults={"name": "Can change identité de la Régie"},
    )
    group, _ = Group.objects.get_or_create(name=MANAGERS)
    group.permissions.add(change)


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for permission in Permission.objects.filter(
        content_type__app_label="identity", codename="change_regieidentity"
    ):
        for group in Group.objects.filter(name=MANAGERS):
            group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0001_initial"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
