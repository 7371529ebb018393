"""The default themes, and the moderation permission for the Régie staff groups."""

from django.db import migrations

THEMES = [
    ("proprete", "Propreté"),
    ("espaces-verts", "Espaces verts"),
    ("cadre-de-vie", "Cadre de vie"),
    ("animation", "Animation"),
    ("solidarite", "Solidarité"),
    ("mobilite", "Mobilité"),
    ("autre", "Autre"),
]
STAFF_GROUPS = ["Editors", "Moderators"]


def forwards(apps, schema_editor):
    Theme = apps.get_model("proposals", "Theme")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")

    for position, (slug, name) in enumerate(THEMES):
        Theme.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})

    proposal_type, _ = ContentType.objects.get_or_create(app_label="proposals", model="proposal")
    moderate, _ = Permission.objects.get_or_create(
        content_type=proposal_type,
        codename="moderate_proposal",
        defaults={"name": "Peut modérer les idées et leur répondre"},
    )
    for name in STAFF_GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(moderate)


def backwards(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(
        content_type__app_label="proposals", codename="moderate_proposal"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
