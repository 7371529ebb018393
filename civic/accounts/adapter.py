"""allauth adapter: where allauth asks the project for its decisions.

Enabled with ``ACCOUNT_ADAPTER = "civic.accounts.adapter.AccountAdapter"``.
"""

from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.urls import reverse

from civic.accounts import roles


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
