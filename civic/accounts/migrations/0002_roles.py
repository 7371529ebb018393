"""The resident and partner roles as groups. Staff roles are Wagtail's Editors and
Moderators groups (see civic/accounts/roles.py)."""

from django.db import migrations

RESIDENTS = "Habitants"
PARTNERS = "Partenaires"


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")

    Group.objects.get_or_create(name=RESIDENTS)
    partners, _ = Group.objects.get_or_create(name=PARTNERS)
    user_type, _ = ContentType.objects.get_or_create(app_label="accounts", model="user")
    view_reports, _ = Permission.objects.get_or_create(
        content_type=user_type,
        codename="view_participation_reports",
        defaults={"name": "Peut consulter les bilans de participation"},
    )
    partners.permissions.add(view_reports)


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=[RESIDENTS, PARTNERS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
