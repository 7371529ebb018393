"""The privacy page (public), the register of processing (staff) and optional phones."""

import csv
import io

import pytest

from civic.accounts.models import User
from civic.volunteering.admin_forms import OfflineVolunteerForm

pytestmark = pytest.mark.django_db

PAGE = "/confidentialite/"
REGISTER = "/confidentialite/registre/"
REGISTER_CSV = "/confidentialite/registre.csv"


def test_the_page_says_what_why_how_long_rights_and_whom_to_write_to(
    client, regie, settings, site_tree
):
    settings.PRIVACY_INACTIVE_ACCOUNT_DAYS = 400
    settings.PRIVACY_ROSTER_RETENTION_DAYS = 200
    response = client.get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("400 jours", "200 jours", "Rectification", "Effacement", "Opposition"):
        assert text in page
    assert "www.cnil.fr" in page
    assert regie.name in page and f"mailto:{regie.email}" in page
    assert "<code>creneaux_benevoles</code>" in page  # the export's keys, explained


def test_the_contact_falls_back_to_the_setting(client, settings, db):
    settings.PRIVACY_CONTACT_EMAIL = "dpo@example.org"
    assert "mailto:dpo@example.org" in client.get(PAGE).content.decode()


def test_linked_from_the_footer_and_the_sign_up_form(client, site_tree, tilleuls):
    assert f'href="{PAGE}"' in client.get("/comptes/signup/").content.decode()
    assert f'href="{PAGE}"' in client.get(PAGE).content.decode()  # footer of every page


def test_the_register_is_for_staff_only(client, resident, editor):
    assert client.get(REGISTER).status_code == 302  # to the login page
    client.force_login(resident)
    assert client.get(REGISTER).status_code == 403
    assert client.get(REGISTER_CSV).status_code == 403
    client.force_login(editor)
    page = client.get(REGISTER).content.decode()
    assert "Registre des traitements" in page and "Actions bénévoles" in page
    assert "Base légale" in page and "Mesures de sécurité" in page


def test_the_register_exports_as_csv(client, editor, settings):
    settings.PRIVACY_ROSTER_RETENTION_DAYS = 180
    client.force_login(editor)
    response = client.get(REGISTER_CSV)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0][:3] == ["Traitement", "Finalité", "Base légale"]
    assert len(rows) > 5 and all(len(row) == 8 for row in rows)
    assert any("180 jours" in row[6] for row in rows[1:])
    assert not any(cell[:1] in "=+-@" for row in rows for cell in row if cell)


def test_the_admin_menu_links_the_register_for_staff(client, editor):
    client.force_login(editor)
    assert REGISTER in client.get("/admin/").content.decode()


def test_the_profile_works_without_a_phone(client, resident, tilleuls):
    client.force_login(resident)
    page = client.get("/mon-compte/").content.decode()
    assert "téléphone (facultatif)" in page.lower()
    response = client.post(
        "/mon-compte/",
        {
            "display_name": "Amina B.",
            "neighbourhood": tilleuls.pk,
            "phone": "",
            "preferred_language": "fr",
            "email_notifications": "on",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(pk=resident.pk).phone == ""


def test_the_desk_registers_someone_without_a_phone(manager):
    from civic.volunteering import services

    assert OfflineVolunteerForm.base_fields["phone"].required is False
    guest = services.register_offline_volunteer(actor=manager, name="Mme Diallo", consent=True)
    assert guest.phone == ""
