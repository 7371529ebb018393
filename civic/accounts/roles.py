"""The platform's roles, as Django groups.

- resident: every person who signs up (group ``RESIDENTS``);
- Régie staff: Wagtail's own "Editors" (write and submit for moderation) and
  "Moderators" (approve and publish) groups, created by Wagtail's migrations together with
  the "Moderators approval" workflow. We keep Wagtail's names so that its later migrations,
  which look these groups up by name, keep working;
- partner (collectivité or bailleur): group ``PARTNERS``, read access to reports.
"""

from django.contrib.auth.models import Group

RESIDENTS = "Habitants"
EDITORS = "Editors"
MANAGERS = "Moderators"
PARTNERS = "Partenaires"

STAFF_GROUPS = (EDITORS, MANAGERS)


def add_to_group(user, group_name):
    group, _ = Group.objects.get_or_create(name=group_name)
    user.groups.add(group)


def is_staff_member(user):
    """Staff of the Régie: may use the Wagtail admin."""
    return user.is_authenticated and (
        user.is_superuser or user.has_perm("wagtailadmin.access_admin")
    )


def is_manager(user):
    return user.is_authenticated and (
        user.is_superuser or user.groups.filter(name=MANAGERS).exists()
    )


def is_partner(user):
    return user.is_authenticated and user.has_perm("accounts.view_participation_reports")
