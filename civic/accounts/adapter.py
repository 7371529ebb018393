"""allauth adapter: where allauth asks the project for its decisions.

Enabled with ``ACCOUNT_ADAPTER = "civic.accounts.adapter.AccountAdapter"``.
"""

from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.urls import reverse

from civic.accounts import roles
from civic.accounts.emails import normalise_email
from civic.accounts.models import User


def is_admin_url(url):
    return urlsplit(url).path.startswith(reverse("wagtailadmin_home"))


class AccountAdapter(DefaultAccountAdapter):
    def is_safe_url(self, url):
        """Never send a logged-in person back to an administration they may not use.

        Wagtail sends residents and partners who open /admin/ to the login page with
        ``next=/admin/``; allauth would send them straight back, in an endless loop. They
        land on their account page instead, where Wagtail's "no permission" message shows.
        """
        if not super().is_safe_url(url):
            return False
        request = context.request
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and is_admin_url(url):
            return roles.is_staff_member(user)
        return True

    def clean_email(self, email):
        """Every address typed into allauth (sign-up, added address, reset) in one form.

        Look-alike letters before the "@" are refused (civic.accounts.emails). When an
        account already has this address under the rule, allauth is handed that
        account's own spelling, so its exact lookups find it and it answers as for any
        address in use: a notice to the owner, the same page to the visitor.
        """
        email = normalise_email(super().clean_email(email))
        existing = User.objects.by_email(email).values_list("email", flat=True).first()
        return existing or email
