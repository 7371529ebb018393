"""Régie staff (Wagtail's Editors and Moderators groups) organise and chair assemblies."""

from django.db import migrations

STAFF_GROUPS = ["Editors", "Moderators"]


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    assembly_type, _ = ContentType.objects.get_or_create(app_label="assemblies", model="assembly")
    manage, _ = Permission.objects.get_or_create(
        content_type=assembly_type,
        codename="manage_assemblies",
        defaults={"name": "Peut organiser et présider les assemblées"},
    )
    for name in STAFF_GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(manage)


def backwards(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(
        content_type__app_label="assemblies", codename="manage_assemblies"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assemblies", "0001_initial"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
