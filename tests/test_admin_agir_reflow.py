"""The staff lists under /admin/agir/ load the phone layout of their tables (static files,
through Wagtail's global admin hooks); the browser check is e2e/test_admin_reflow.py."""

from django.urls import reverse

from tests.factories import UserFactory


def test_the_agir_lists_load_the_stacked_rows_for_phones(client, db):
    client.force_login(UserFactory(email="admin@example.org", is_superuser=True, is_staff=True))
    html = client.get(reverse("volunteering_actions:index")).content.decode()
    assert "css/admin-agir.css" in html
    assert "js/admin-agir.js" in html
