"""The Régie's to-do on the Wagtail dashboard: each panel with real rows and its links,
who sees which panel (and who sees none), the one-click news editor, no third-party
avatar, and a query count that does not grow with the rows."""

from datetime import datetime
from types import SimpleNamespace
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone
from wagtail.users.models import UserProfile

from civic.proposals.models import Comment, Report
from cms import avatars, dashboard
from tests.assemblies_factories import AssemblyFactory, ParticipantFactory
from tests.factories import ActionFactory, ProposalFactory, ShiftFactory, UserFactory

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/"

PANEL_IDS = {
    "moderation": "ideas-to-moderate-section",
    "reports": "reports-section",
    "unanswered": "unanswered-ideas-section",
    "shifts": "short-shifts-section",
    "assembly": "next-assembly-section",
}


def staff_with(*perms, name):
    """Régie staff reaching the admin with only the given permissions (app.codename)."""
    group = Group.objects.create(name=name)
    wanted = [("wagtailadmin", "access_admin"), *(p.split(".") for p in perms)]
    for app_label, codename in wanted:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return UserFactory(groups=[name])


def dashboard_html(client, user):
    client.force_login(user)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    return response.content.decode()


def days_ago(days):
    return timezone.now() - timezone.timedelta(days=days)


# --- Panels with real data ----------------------------------------------------------------------


def test_ideas_waiting_for_moderation_link_to_their_decision_page(client, manager, tilleuls):
    first = ProposalFactory(status="submitted", published_at=None, title="Un banc au square")
    ProposalFactory(status="submitted", published_at=None, title="Des poubelles de tri")
    ProposalFactory(title="Déjà publiée")
    ProposalFactory(status="submitted", published_at=None, is_hidden=True, title="Masquée")

    html = dashboard_html(client, manager)

    assert "2 idées attendent la modération" in html
    assert f'href="{reverse("proposals_admin:decision", args=[first.pk])}"' in html
    assert "Un banc au square" in html and "Des poubelles de tri" in html
    assert "Déjà publiée" not in html and "Masquée" not in html


def test_reported_ideas_and_comments_link_to_their_form_in_the_queue(client, manager, resident):
    idea = ProposalFactory(title="Idée signalée")
    comment = Comment.objects.create(proposal=idea, author=resident, body="Un commentaire vexant")
    for reporter in (UserFactory(), UserFactory()):
        Report.objects.create(reporter=reporter, comment=comment, reason="Insultant")
    Report.objects.create(reporter=resident, proposal=idea, reason="Publicité")
    Report.objects.create(
        reporter=UserFactory(), proposal=idea, reason="Déjà vu", resolved_at=timezone.now()
    )

    html = dashboard_html(client, manager)

    queue = reverse("reports_admin:index")
    assert "2 signalements à traiter" in html  # one comment, one idea
    assert f'href="{queue}#reason-commentaire-{comment.pk}"' in html
    assert f'href="{queue}#reason-idee-{idea.pk}"' in html
    assert "Commentaire «\u00a0Un commentaire vexant\u00a0»" in html
    assert "Idée «\u00a0Idée signalée\u00a0»" in html
    # A hidden comment still reported: the queue's row has no hide form to land on.
    hidden = Comment.objects.create(
        proposal=idea, author=resident, body="Déjà masqué", is_hidden=True
    )
    Report.objects.create(reporter=UserFactory(), comment=hidden, reason="Spam")
    html = dashboard_html(client, manager)
    assert "3 signalements à traiter" in html
    assert f"#reason-commentaire-{hidden.pk}" not in html
    assert "déjà masqué, signalements à clore" in html
    # The queue has the form the link lands on.
    client.force_login(manager)
    queue_html = client.get(queue).content.decode()
    assert f'id="reason-commentaire-{comment.pk}"' in queue_html
    assert f'id="reason-idee-{idea.pk}"' in queue_html


def test_ideas_published_long_ago_without_an_answer(client, manager, settings):
    old = ProposalFactory(title="Oubliée depuis 40 jours", published_at=days_ago(40))
    ProposalFactory(title="Publiée il y a 10 jours", published_at=days_ago(10))
    ProposalFactory(
        title="Répondue",
        published_at=days_ago(60),
        last_answered_at=days_ago(50),
    )
    ProposalFactory(title="À l'étude", status="under_study", published_at=days_ago(60))

    html = dashboard_html(client, manager)
    assert "1 idée sans réponse depuis plus de 30 jours" in html
    assert f'href="{reverse("proposals_admin:decision", args=[old.pk])}"' in html
    assert "publiée il y a 40 jours" in html
    assert "Publiée il y a 10 jours" not in html and "Répondue" not in html

    settings.DASHBOARD_UNANSWERED_IDEA_DAYS = 7
    html = dashboard_html(client, manager)
    assert "2 idées sans réponse depuis plus de 7 jours" in html
    assert "Publiée il y a 10 jours" in html


def test_shifts_of_the_week_short_of_people(client, manager):
    soon = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    soon += timezone.timedelta(days=2)
    short = ShiftFactory(
        action=ActionFactory(title="Nettoyage du square"),
        starts_at=soon,
        ends_at=soon + timezone.timedelta(hours=2),
        capacity=5,
        seats_taken=2,
    )
    ShiftFactory(action=ActionFactory(title="Complet"), capacity=3, seats_taken=3)
    ShiftFactory(action=ActionFactory(title="Annulé"), is_cancelled=True)
    ShiftFactory(action=ActionFactory(title="Brouillon", is_published=False))
    later = soon + timezone.timedelta(days=9)
    ShiftFactory(
        action=ActionFactory(title="Dans dix jours"),
        starts_at=later,
        ends_at=later + timezone.timedelta(hours=2),
    )

    html = dashboard_html(client, manager)

    assert "1 créneau de la semaine manque de monde" in html
    assert f'href="{reverse("volunteering_staff:roster", args=[short.pk])}"' in html
    assert "3 places libres sur\u00a05" in html
    assert dashboard.day_and_hour(short.starts_at) in html
    for absent in ("Complet", "Annulé", "Brouillon", "Dans dix jours"):
        assert absent not in html


def test_dates_and_times_read_the_french_way():
    paris = ZoneInfo("Europe/Paris")
    assert dashboard.day_and_hour(datetime(2026, 12, 8, 9, 0, tzinfo=paris)) == (
        "mardi 8 décembre, 9\u00a0h"
    )
    assert dashboard.day_and_hour(datetime(2026, 7, 4, 14, 30, tzinfo=paris)) == (
        "samedi 4 juillet, 14\u00a0h\u00a030"
    )


def test_the_next_assembly_its_registrations_and_doors(client, manager, tilleuls):
    AssemblyFactory(neighbourhood=tilleuls, title="Plus tard", starts_at=days_ago(-30))
    assembly = AssemblyFactory(neighbourhood=tilleuls, title="Assemblée de décembre")
    ParticipantFactory(assembly=assembly)
    ParticipantFactory(assembly=assembly, checked_in_at=timezone.now())

    html = dashboard_html(client, manager)

    assert "Prochaine assemblée\u00a0: 2 personnes inscrites" in html
    assert "Assemblée de décembre" in html and "Plus tard" not in html
    for name in ("assemblies:chair", "assemblies:checkin", "assemblies_admin:edit"):
        assert f'href="{reverse(name, args=[assembly.pk])}"' in html


def test_empty_panels_say_all_is_done(client, manager):
    html = dashboard_html(client, manager)

    assert "Aucune idée à modérer\u00a0: tout est fait." in html
    assert "Aucun signalement ouvert\u00a0: tout est traité." in html
    assert "Toutes les idées publiées ont reçu une réponse à temps." in html
    assert "Tous les créneaux des 7 prochains jours sont complets." in html
    assert "Aucune assemblée n" in html and "est prévue pour l" in html
    assert f'href="{reverse("assemblies_admin:add")}"' in html


def test_a_long_list_shows_five_and_links_to_all(client, manager):
    ProposalFactory.create_batch(7, status="submitted", published_at=None)

    html = dashboard_html(client, manager)

    assert "7 idées attendent la modération" in html
    assert html.count('href="/admin/idees/decision/') == 5
    assert "Tout voir (7)" in html
    assert f'href="{reverse("proposals_admin:index")}?status=submitted"' in html


# --- Who sees what --------------------------------------------------------------------------------


@pytest.fixture
def something_in_every_panel(tilleuls):
    ProposalFactory(status="submitted", published_at=None, title="À modérer")
    idea = ProposalFactory(title="Sans réponse", published_at=days_ago(45))
    Report.objects.create(reporter=UserFactory(), proposal=idea, reason="Doublon")
    ShiftFactory(action=ActionFactory(title="Créneau à pourvoir"))
    AssemblyFactory(neighbourhood=tilleuls, title="Assemblée prochaine")


SECRETS = ("À modérer", "Sans réponse", "Créneau à pourvoir", "Assemblée prochaine")


@pytest.mark.parametrize("persona", ["manager", "editor"])
def test_regie_staff_see_every_panel(client, request, persona, something_in_every_panel):
    html = dashboard_html(client, request.getfixturevalue(persona))

    for panel_id in PANEL_IDS.values():
        assert f'id="{panel_id}"' in html
    for text in SECRETS:
        assert text in html


@pytest.mark.parametrize(
    ("perm", "shown"),
    [
        ("proposals.moderate_proposal", {"moderation", "reports", "unanswered"}),
        ("volunteering.manage_volunteering", {"shifts"}),
        ("assemblies.manage_assemblies", {"assembly"}),
    ],
)
def test_each_panel_only_for_staff_who_act_on_it(client, perm, shown, something_in_every_panel):
    html = dashboard_html(client, staff_with(perm, name="Une seule mission"))

    for key, panel_id in PANEL_IDS.items():
        assert (f'id="{panel_id}"' in html) is (key in shown), key


def test_staff_without_those_permissions_see_no_panel_nor_count(client, something_in_every_panel):
    writer = staff_with(name="Rédaction seule")

    html = dashboard_html(client, writer)

    for panel_id in PANEL_IDS.values():
        assert f'id="{panel_id}"' not in html
    for text in (*SECRETS, "attendent la modération", "à traiter", "inscrite", "manque"):
        assert text not in html


def test_a_partner_given_the_admin_sees_no_panel(client, partner, something_in_every_panel):
    partner.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )

    html = dashboard_html(client, partner)

    for panel_id in PANEL_IDS.values():
        assert f'id="{panel_id}"' not in html
    for text in SECRETS:
        assert text not in html
    assert "Nouvelle actualité" not in html  # no right on the news pages either


@pytest.mark.parametrize("persona", ["resident", "partner"])
def test_residents_and_partners_do_not_reach_the_dashboard(
    client, request, persona, something_in_every_panel
):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(DASHBOARD, follow=True)

    html = response.content.decode()
    assert "wagtailadmin/home.html" not in {t.name for t in response.templates}
    for text in SECRETS:
        assert text not in html


# --- Nouvelle actualité in one click ---------------------------------------------------------


@pytest.mark.parametrize("persona", ["manager", "editor"])
def test_new_article_opens_the_news_editor_in_one_click(client, request, persona, news_index):
    user = request.getfixturevalue(persona)
    html = dashboard_html(client, user)

    add_url = reverse("wagtailadmin_pages:add", args=["cms", "newspage", news_index.pk])
    assert f'href="{add_url}"' in html
    assert "Nouvelle actualité" in html

    editor_page = client.get(add_url)
    assert editor_page.status_code == 200
    assert editor_page.context["page"].__class__.__name__ == "NewsPage"
    assert editor_page.context["parent_page"].pk == news_index.pk


def test_no_news_button_without_the_right_to_write_news(client, news_index):
    html = dashboard_html(client, staff_with(name="Sans actualités"))

    assert "Nouvelle actualité" not in html
    assert "/admin/pages/add/cms/newspage/" not in html


# --- No third-party avatars --------------------------------------------------------------------


def test_the_dashboard_fetches_no_gravatar_and_shows_initials(
    client, manager, something_in_every_panel
):
    html = dashboard_html(client, manager)

    assert "gravatar" not in html.lower()
    assert "default-user-avatar" not in html
    # « Nadia (Régie) »: an inline picture with her initials, no request anywhere.
    assert 'src="data:image/svg+xml,' in html
    assert ">NR</text>" in unquote(html)


@pytest.mark.parametrize(
    "display_name, email, expected",
    [
        ("Nadia (Régie)", "n@example.org", "NR"),
        ("Jean-Pierre Martin", "jp@example.org", "JP"),
        ("amina", "a@example.org", "A"),
        ("", "marcel.dupont@example.org", "MD"),
        ("<script>", "x@example.org", "S"),
        ("  ", "", "?"),
    ],
)
def test_initials_of_a_name_or_an_email(display_name, email, expected):
    user = SimpleNamespace(display_name=display_name, email=email)
    assert avatars.initials(user) == expected


def test_an_uploaded_avatar_is_kept(manager):
    profile = UserProfile.get_for_user(manager)
    profile.avatar = "avatar_images/nadia.png"
    profile.save()
    manager.refresh_from_db()
    assert avatars.avatar_url(manager) is None


# --- Queries ----------------------------------------------------------------------------------------


def fill_every_panel(tilleuls, n):
    ProposalFactory.create_batch(n, status="submitted", published_at=None)
    old_ideas = ProposalFactory.create_batch(n, published_at=days_ago(45))
    for idea in old_ideas:
        comment = Comment.objects.create(proposal=idea, author=idea.author, body="Hors sujet")
        Report.objects.create(reporter=UserFactory(), proposal=idea, reason="Doublon")
        Report.objects.create(reporter=UserFactory(), comment=comment, reason="Vexant")
    ShiftFactory.create_batch(n)
    assembly = AssemblyFactory(neighbourhood=tilleuls)
    ParticipantFactory.create_batch(n, assembly=assembly)


def count_dashboard_queries(client, user, django_assert_max_num_queries, bound):
    client.force_login(user)
    client.get(DASHBOARD)  # warm the per-process caches (content types, site)
    with django_assert_max_num_queries(bound) as captured:
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    return len(captured)


# The session, the user and their permissions, Wagtail's own panels and summary, then two
# queries per to-do panel (three for the reports, one for the assembly).
MAX_DASHBOARD_QUERIES = 35


def test_dashboard_queries_do_not_grow_with_the_rows(
    client, manager, tilleuls, news_index, django_assert_max_num_queries
):
    fill_every_panel(tilleuls, 2)
    few = count_dashboard_queries(
        client, manager, django_assert_max_num_queries, MAX_DASHBOARD_QUERIES
    )

    fill_every_panel(tilleuls, 8)
    many = count_dashboard_queries(
        client, manager, django_assert_max_num_queries, MAX_DASHBOARD_QUERIES
    )

    assert many == few


# --- Wagtail's own panels -------------------------------------------------------------------------


def test_articles_awaiting_review_are_kept_below_the_todo(client, editor, manager, news_index):
    from cms.models import NewsPage

    article = NewsPage(title="Fête des voisins", lead="Repas partagé dans la cour.", live=False)
    news_index.add_child(instance=article)
    article.save_revision(user=editor)
    article.get_workflow().start(article, editor)

    html = dashboard_html(client, manager)

    assert 'id="awaiting-review-section"' in html
    assert "Fête des voisins" in html
    assert html.index('id="ideas-to-moderate-section"') < html.index('id="awaiting-review-section"')
