"""Régie staff (Wagtail's Editors and Moderators groups) manage volunteer actions."""

from django.db import migrations

STAFF_GROUPS = ["Editors", "Moderators"]


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    action_type, _ = ContentType.objects.get_or_create(app_label="volunteering", model="action")
    manage, _ = Permission.objects.get_or_create(
        content_type=action_type,
        codename="manage_volunteering",
        defaults={"name": "Peut gérer les actions bénévoles"},
    )
    for name in STAFF_GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(manage)


def backwards(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(
        content_type__app_label="volunteering", codename="manage_volunteering"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("volunteering", "0001_initial"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
