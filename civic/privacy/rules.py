"""Who may do what with the privacy pages (one function per permission)."""

from civic.accounts import roles


def can_view_register(user):
    """The register of processing: Régie staff (those who may use the Wagtail admin)."""
    return roles.is_staff_member(user)


def can_export_own_data(user):
    """Anyone logged in, for their own data only (the view passes ``request.user``)."""
    return user.is_authenticated
