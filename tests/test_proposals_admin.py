"""The staff admin for proposals (Wagtail): listing, export, decisions, merging, hiding,
supports, the moderation queue, themes, and who may reach any of it."""

import csv
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import ModelLogEntry

from civic.proposals import services
from civic.proposals.lifecycle import Status
from civic.proposals.models import Comment, Proposal, Report, StatusChange, Support, Theme
from tests.factories import ProposalFactory, ThemeFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"proposals_admin:{name}", args=args)


def queue_url():
    return reverse("reports_admin:index")


def action_url(kind, pk):
    return reverse("reports_admin:action", args=[kind, pk])


THEMES_URL = "/admin/snippets/proposals/theme/"


@pytest.fixture
def theme():
    return ThemeFactory(slug="proprete", name="Propreté")


@pytest.fixture
def staff_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def supporters(n):
    return [UserFactory() for _ in range(n)]


def support(proposal, users):
    for user in users:
        Support.objects.create(proposal=proposal, resident=user)


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Menu and listing --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["manager", "editor"])
def test_staff_see_the_ideas_menu(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    assert url("index") in html
    assert queue_url() in html
    assert THEMES_URL in html


def test_staff_without_moderation_permission_see_no_menu_and_are_turned_away(client, tilleuls):
    # Admin access, but no moderate_proposal (e.g. a news-only group).
    writers = Group.objects.create(name="Rédaction seule")
    writers.permissions.add(Permission.objects.get(codename="access_admin"))
    writer = UserFactory(groups=["Rédaction seule"], neighbourhood=tilleuls)
    proposal = ProposalFactory(status=Status.SUBMITTED)
    client.force_login(writer)

    html = client.get("/admin/").content.decode()
    assert url("index") not in html
    assert queue_url() not in html

    for target in (url("index"), url("decision", proposal.pk), queue_url(), THEMES_URL):
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")
    client.post(url("decision", proposal.pk), {"to_status": "published"})
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED


@pytest.mark.parametrize("persona", ["manager", "editor"])
def test_list_shows_columns_support_counts_and_filters(client, request, persona, theme, bel_air):
    client.force_login(request.getfixturevalue(persona))
    popular = ProposalFactory(title="Des bancs place des Tilleuls", theme=theme)
    support(popular, supporters(3))
    waiting = ProposalFactory(title="Un composteur", status=Status.SUBMITTED, theme=theme)
    hidden = ProposalFactory(title="Texte insultant", is_hidden=True, theme=theme)
    elsewhere = ProposalFactory(
        title="Un marché à Bel-Air", neighbourhood=bel_air, theme=ThemeFactory()
    )

    response = client.get(url("index"))
    assert response.status_code == 200
    html = response.content.decode()
    for heading in ("Titre", "Quartier", "Thème", "État", "Soutiens", "Déposée le", "Masquée"):
        assert heading in html
    assert "Des bancs place des Tilleuls" in html
    assert "En attente de modération" in html
    counts = {p.pk: p.support_count for p in response.context["object_list"]}
    assert counts[popular.pk] == 3
    assert counts[waiting.pk] == 0
    # Staff never create ideas here: no "add" button.
    assert "/admin/idees/new/" not in html
    # Each row links to its decision page.
    assert url("decision", popular.pk) in html

    def listed(query):
        response = client.get(url("index"), query)
        assert response.status_code == 200
        return {p.pk for p in response.context["object_list"]}

    assert listed({"status": "submitted"}) == {waiting.pk}
    assert listed({"neighbourhood": bel_air.pk}) == {elsewhere.pk}
    assert listed({"theme": theme.pk}) == {popular.pk, waiting.pk, hidden.pk}
    assert listed({"is_hidden": "true"}) == {hidden.pk}
    assert listed({"q": "composteur"}) == {waiting.pk}
    by_support = client.get(url("index"), {"ordering": "-support_count"})
    assert by_support.context["object_list"][0] == popular


def test_list_runs_a_constant_number_of_queries(staff_client, theme):
    def queries_for(n_proposals):
        Proposal.objects.all().delete()
        for i in range(n_proposals):
            proposal = ProposalFactory(
                theme=theme, status=Status.PUBLISHED if i % 2 else "submitted"
            )
            support(proposal, supporters(i % 3))
        staff_client.get(url("index"))  # warm caches (content types, site)
        with CaptureQueriesContext(connection) as captured:
            response = staff_client.get(url("index"))
        assert response.status_code == 200
        assert len(response.context["object_list"]) == n_proposals
        return len(captured)

    few, many = queries_for(3), queries_for(15)
    assert few == many
    assert many < 30


# --- Export ------------------------------------------------------------------------------------


def read_csv(response):
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8")
    return content, list(csv.reader(io.StringIO(content)))


def test_csv_export_has_rows_counts_status_labels_and_no_emails(
    staff_client, resident, other_resident, theme
):
    proposal = ProposalFactory(author=resident, title="Des bancs", theme=theme)
    support(proposal, [other_resident, *supporters(1)])
    ProposalFactory(author=other_resident, title="Un composteur", status=Status.SUBMITTED)
    ProposalFactory(title='=HYPERLINK("http://mal.example")', theme=theme)

    content, rows = read_csv(staff_client.get(url("index"), {"export": "csv"}))
    header, *data = rows
    assert header[:2] == ["Numéro", "Titre"]
    assert "Soutiens" in header and "État" in header and "Quartier" in header
    by_title = {row[1]: dict(zip(header, row, strict=True)) for row in data}
    assert by_title["Des bancs"]["Soutiens"] == "2"
    assert by_title["Des bancs"]["État"] == "Publiée"
    assert by_title["Des bancs"]["Quartier"] == "Les Tilleuls"
    assert by_title["Un composteur"]["État"] == "En attente de modération"
    assert by_title["Des bancs"]["Masquée"] == "non"
    # A resident's text never runs as a spreadsheet formula.
    assert '\'=HYPERLINK("http://mal.example")' in by_title
    # No one's email, and no email at all.
    assert "@" not in content
    for person in (resident, other_resident):
        assert person.email not in content

    # Filters apply to the export too.
    _content, rows = read_csv(
        staff_client.get(url("index"), {"export": "csv", "status": "submitted"})
    )
    assert [row[1] for row in rows[1:]] == ["Un composteur"]


def test_xlsx_export_is_available(staff_client, theme):
    ProposalFactory(theme=theme)
    response = staff_client.get(url("index"), {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


# --- Decision ----------------------------------------------------------------------------------


def decide(client, proposal, to_status, answer=""):
    return client.post(url("decision", proposal.pk), {"to_status": to_status, "answer": answer})


def test_decision_page_shows_the_idea_its_history_and_the_legal_choices(staff_client, resident):
    proposal = ProposalFactory(author=resident, status=Status.SUBMITTED, title="Des bancs")
    StatusChange.objects.create(proposal=proposal, to_status=Status.SUBMITTED)
    response = staff_client.get(url("decision", proposal.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Des bancs" in html
    assert "Historique public" in html
    assert resident.display_name in html
    assert resident.email not in html
    choices = [value for value, _label in response.context["form"].fields["to_status"].choices]
    assert choices == ["published", "refused"]


def test_decision_publishes_a_submitted_idea(staff_client, manager):
    proposal = ProposalFactory(status=Status.SUBMITTED, published_at=None)
    response = decide(staff_client, proposal, "published")
    assert response.status_code == 302
    assert response["Location"] == url("decision", proposal.pk)
    proposal.refresh_from_db()
    assert proposal.status == Status.PUBLISHED
    assert proposal.published_at is not None
    step = proposal.history.get()
    assert (step.from_status, step.to_status, step.actor) == ("submitted", "published", manager)
    followed = staff_client.get(response["Location"])
    assert any("Publiée" in m for m in messages_of(followed))
    # Staff can see who decided in the idea's admin history.
    assert ModelLogEntry.objects.filter(
        action="quartier.proposal.decision", object_id=str(proposal.pk), user=manager
    ).exists()
    history = staff_client.get(url("history", proposal.pk)).content.decode()
    assert "Nouvel état : Publiée" in history


def test_refusal_needs_a_reason_the_author_sees(staff_client):
    proposal = ProposalFactory(status=Status.SUBMITTED)
    response = decide(staff_client, proposal, "refused", "   ")
    assert response.status_code == 200
    assert response.context["form"].errors["answer"]
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED
    assert not proposal.history.exists()

    response = decide(staff_client, proposal, "refused", "Cette idée relève de la mairie.")
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Status.REFUSED
    assert proposal.history.get().answer == "Cette idée relève de la mairie."


def test_decision_walks_an_idea_through_its_study(editor_client, editor):
    proposal = ProposalFactory()
    steps = [
        ("under_study", "Nous regardons le coût."),
        ("accepted", "Retenue au budget 2027."),
        ("in_progress", "Les travaux commencent en mars."),
        ("done", "Les bancs sont posés."),
    ]
    for to_status, answer in steps:
        response = decide(editor_client, proposal, to_status, answer)
        assert response.status_code == 302, response.context and response.context["form"].errors
        proposal.refresh_from_db()
        assert proposal.status == to_status
    history = list(proposal.history.values_list("to_status", "answer", "actor"))
    assert history == [(s, a, editor.pk) for s, a in steps]
    # Done is final: no decision form any more.
    response = editor_client.get(url("decision", proposal.pk))
    assert not response.context["form"].has_targets
    assert "Aucune décision n" in response.content.decode()


def test_answer_is_required_for_a_decision(staff_client):
    proposal = ProposalFactory()
    response = decide(staff_client, proposal, "accepted", "")
    assert response.status_code == 200
    assert "réponse publique" in " ".join(response.context["form"].errors["answer"])
    proposal.refresh_from_db()
    assert proposal.status == Status.PUBLISHED
    assert not proposal.history.exists()


@pytest.mark.parametrize(
    ("status", "illegal"),
    [("published", "done"), ("submitted", "accepted"), ("done", "published"), ("published", "x")],
)
def test_an_illegal_transition_is_a_form_error_and_changes_nothing(staff_client, status, illegal):
    proposal = ProposalFactory(status=status)
    before = Proposal.objects.filter(pk=proposal.pk).values().get()
    response = decide(staff_client, proposal, illegal, "Une réponse.")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Proposal.objects.filter(pk=proposal.pk).values().get() == before
    assert not StatusChange.objects.exists()


# --- Merge -------------------------------------------------------------------------------------


def test_merge_moves_supports_without_counting_anyone_twice(staff_client, theme):
    a, b, c = supporters(3)
    duplicate = ProposalFactory(title="Des bancs (doublon)", theme=theme)
    target = ProposalFactory(title="Des bancs", theme=theme)
    support(duplicate, [a, b])
    support(target, [b, c])
    ProposalFactory(title="Encore en attente", status=Status.SUBMITTED)
    ProposalFactory(title="Déjà masquée", is_hidden=True)

    response = staff_client.get(url("merge", duplicate.pk))
    assert response.status_code == 200
    offered = set(response.context["form"].fields["into"].queryset.values_list("title", flat=True))
    assert offered == {"Des bancs"}

    response = staff_client.post(
        url("merge", duplicate.pk), {"into": target.pk, "answer": "Même demande."}
    )
    assert response.status_code == 302
    assert response["Location"] == url("decision", target.pk)
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED
    assert duplicate.merged_into == target
    assert set(target.supports.values_list("resident", flat=True)) == {a.pk, b.pk, c.pk}
    assert not duplicate.supports.exists()
    assert duplicate.history.get().answer == "Même demande."


def test_merge_refuses_itself_and_unfit_targets(staff_client):
    duplicate = ProposalFactory()
    hidden = ProposalFactory(is_hidden=True)
    for into in (duplicate.pk, hidden.pk, 999999):
        response = staff_client.post(url("merge", duplicate.pk), {"into": into})
        assert response.status_code == 200
        assert response.context["form"].errors["into"]
    duplicate.refresh_from_db()
    assert duplicate.status == Status.PUBLISHED


def test_an_idea_already_decided_cannot_be_merged(staff_client):
    done = ProposalFactory(status=Status.DONE)
    target = ProposalFactory()
    response = staff_client.get(url("merge", done.pk))
    assert not response.context["can_merge"]
    response = staff_client.post(url("merge", done.pk), {"into": target.pk})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    done.refresh_from_db()
    assert done.status == Status.DONE


# --- Hide, restore, supports, reclassify ---------------------------------------------------------


def test_hide_needs_a_reason_then_restore(staff_client, resident):
    proposal = ProposalFactory()
    services.report(reporter=resident, proposal=proposal, reason="Propos injurieux")

    response = staff_client.post(url("hide", proposal.pk), {"reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    proposal.refresh_from_db()
    assert not proposal.is_hidden

    response = staff_client.post(url("hide", proposal.pk), {"reason": "Propos injurieux"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.is_hidden and proposal.hidden_reason == "Propos injurieux"
    assert not Proposal.objects.public().filter(pk=proposal.pk).exists()
    assert not Report.objects.filter(resolved_at__isnull=True).exists()

    response = staff_client.post(url("restore", proposal.pk), {"reason": "Texte corrigé"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert not proposal.is_hidden
    assert Proposal.objects.public().filter(pk=proposal.pk).exists()


def test_close_and_reopen_supports(staff_client):
    proposal = ProposalFactory()
    assert staff_client.get(url("supports", proposal.pk)).status_code == 405
    staff_client.post(url("supports", proposal.pk), {"is_open": "0"})
    proposal.refresh_from_db()
    assert not proposal.support_open
    staff_client.post(url("supports", proposal.pk), {"is_open": "1"})
    proposal.refresh_from_db()
    assert proposal.support_open


def test_the_edit_form_reclassifies_but_never_changes_state_or_supports(staff_client, theme):
    proposal = ProposalFactory(theme=theme, title="Des bancs")
    other_theme = ThemeFactory(name="Mobilité", slug="mobilite")
    response = staff_client.get(url("edit", proposal.pk))
    assert response.status_code == 200
    assert set(response.context["form"].fields) == {
        "theme",
        "neighbourhood",
        "latitude",
        "longitude",
    }

    response = staff_client.post(
        url("edit", proposal.pk),
        {
            "theme": other_theme.pk,
            "neighbourhood": proposal.neighbourhood_id,
            "status": "done",
            "support_open": "",
            "is_hidden": "on",
            "title": "Autre titre",
        },
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.theme == other_theme
    assert (proposal.status, proposal.support_open, proposal.is_hidden, proposal.title) == (
        "published",
        True,
        False,
        "Des bancs",
    )


def test_no_create_delete_or_copy_pages(staff_client):
    proposal = ProposalFactory()
    for path in ("/admin/idees/new/", f"/admin/idees/delete/{proposal.pk}/"):
        assert staff_client.get(path).status_code == 404
    assert staff_client.post(f"/admin/idees/delete/{proposal.pk}/").status_code == 404
    assert Proposal.objects.filter(pk=proposal.pk).exists()


# --- Moderation queue --------------------------------------------------------------------------


@pytest.fixture
def reported(resident, other_resident):
    proposal = ProposalFactory(title="Idée signalée")
    comment = Comment.objects.create(
        proposal=proposal, author=resident, body="Un commentaire désagréable"
    )
    services.report(reporter=other_resident, comment=comment, reason="Insultant")
    services.report(reporter=UserFactory(), comment=comment, reason="Hors sujet")
    services.report(reporter=resident, proposal=proposal, reason="Publicité")
    return proposal, comment


def test_queue_lists_open_reports_with_reporter_counts(staff_client, reported):
    proposal, comment = reported
    response = staff_client.get(queue_url())
    assert response.status_code == 200
    items = response.context["items"]
    assert [(i.kind, i.target.pk, i.reporter_count) for i in items] == [
        ("commentaire", comment.pk, 2),
        ("idee", proposal.pk, 1),
    ]
    html = response.content.decode()
    assert "Un commentaire désagréable" in html
    assert "Insultant" in html and "Hors sujet" in html and "Publicité" in html
    assert "2 personnes" in html


def test_queue_hides_a_comment_with_a_reason(staff_client, reported):
    _proposal, comment = reported
    response = staff_client.post(action_url("commentaire", comment.pk), {"action": "hide"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert not comment.is_hidden  # a reason is required
    assert Report.objects.filter(comment=comment, resolved_at__isnull=True).count() == 2

    staff_client.post(
        action_url("commentaire", comment.pk), {"action": "hide", "reason": "Injurieux"}
    )
    comment.refresh_from_db()
    assert comment.is_hidden and comment.hidden_reason == "Injurieux"
    assert not comment.is_visible
    assert not Report.objects.filter(comment=comment, resolved_at__isnull=True).exists()
    response = staff_client.get(queue_url())
    assert [i.kind for i in response.context["items"]] == ["idee"]
    assert comment in response.context["hidden_comments"]

    staff_client.post(action_url("commentaire", comment.pk), {"action": "restore"})
    comment.refresh_from_db()
    assert comment.is_visible


def test_queue_hides_a_proposal_or_dismisses_its_reports(staff_client, reported, manager):
    proposal, _comment = reported
    staff_client.post(action_url("idee", proposal.pk), {"action": "dismiss"})
    proposal.refresh_from_db()
    assert not proposal.is_hidden
    report = Report.objects.get(proposal=proposal)
    assert report.resolved_at is not None and report.resolved_by == manager

    other = ProposalFactory()
    services.report(reporter=UserFactory(), proposal=other, reason="Doublon agressif")
    staff_client.post(action_url("idee", other.pk), {"action": "hide", "reason": "Agressif"})
    other.refresh_from_db()
    assert other.is_hidden
    assert not Proposal.objects.public().filter(pk=other.pk).exists()
    staff_client.post(action_url("idee", other.pk), {"action": "restore"})
    other.refresh_from_db()
    assert not other.is_hidden


# --- Themes ------------------------------------------------------------------------------------


def test_staff_edit_themes_but_cannot_delete_one_in_use(editor_client, theme):
    response = editor_client.get(THEMES_URL)
    assert response.status_code == 200
    assert "Propreté" in response.content.decode()

    response = editor_client.post(
        THEMES_URL + "add/",
        {"name": "Jardins", "slug": "jardins", "position": "3", "is_active": "on"},
    )
    assert response.status_code == 302
    jardins = Theme.objects.get(slug="jardins")

    ProposalFactory(theme=theme)
    response = editor_client.post(f"{THEMES_URL}delete/{theme.pk}/")
    assert response.status_code == 302
    assert Theme.objects.filter(pk=theme.pk).exists()
    assert any("ne peut pas" in m for m in messages_of(editor_client.get(response["Location"])))

    response = editor_client.post(f"{THEMES_URL}delete/{jardins.pk}/")
    assert response.status_code == 302
    assert not Theme.objects.filter(pk=jardins.pk).exists()


def test_the_moderation_permission_is_offered_in_the_group_editor():
    from wagtail.users.forms import GroupForm

    codenames = set(GroupForm().fields["permissions"].queryset.values_list("codename", flat=True))
    assert "moderate_proposal" in codenames
    assert not {"add_proposal", "delete_proposal", "add_theme"} & codenames


# --- Who may reach all this --------------------------------------------------------------------


def every_admin_request(proposal, target, comment, theme):
    """(method, url, data) for every admin URL of this module."""
    return [
        ("get", url("index"), {}),
        ("get", url("index"), {"export": "csv"}),
        ("get", url("index_results"), {}),
        ("get", url("edit", proposal.pk), {}),
        (
            "post",
            url("edit", proposal.pk),
            {"theme": theme.pk, "neighbourhood": proposal.neighbourhood_id},
        ),
        ("get", url("history", proposal.pk), {}),
        ("get", url("decision", proposal.pk), {}),
        ("post", url("decision", proposal.pk), {"to_status": "published"}),
        ("get", url("merge", proposal.pk), {}),
        ("post", url("merge", proposal.pk), {"into": target.pk}),
        ("get", url("hide", target.pk), {}),
        ("post", url("hide", target.pk), {"reason": "Par un habitant"}),
        ("get", url("restore", target.pk), {}),
        ("post", url("restore", target.pk), {}),
        ("post", url("supports", target.pk), {"is_open": "0"}),
        ("get", queue_url(), {}),
        ("post", action_url("commentaire", comment.pk), {"action": "hide", "reason": "x"}),
        ("post", action_url("idee", target.pk), {"action": "hide", "reason": "x"}),
        ("post", action_url("idee", target.pk), {"action": "dismiss"}),
        ("get", THEMES_URL, {}),
        ("get", THEMES_URL + "add/", {}),
        ("post", THEMES_URL + "add/", {"name": "Piraté", "slug": "pirate", "position": "1"}),
        (
            "post",
            f"{THEMES_URL}edit/{theme.pk}/",
            {"name": "Piraté", "slug": "pirate", "position": "1"},
        ),
        ("post", f"{THEMES_URL}delete/{theme.pk}/", {}),
    ]


def snapshot():
    return {
        "proposals": list(Proposal.objects.order_by("pk").values()),
        "comments": list(Comment.objects.order_by("pk").values()),
        "reports": list(Report.objects.order_by("pk").values()),
        "themes": list(Theme.objects.order_by("pk").values()),
        "supports": list(Support.objects.order_by("pk").values()),
        "history": StatusChange.objects.count(),
    }


@pytest.mark.parametrize("persona", ["anonymous", "resident", "partner"])
def test_residents_partners_and_visitors_are_turned_away_everywhere(
    client, request, persona, theme
):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    reporter = UserFactory()
    proposal = ProposalFactory(status=Status.SUBMITTED, theme=theme)
    target = ProposalFactory(theme=theme)
    comment = Comment.objects.create(proposal=target, author=reporter, body="Bonjour")
    services.report(reporter=reporter, proposal=target, reason="Spam")
    services.report(reporter=reporter, comment=comment, reason="Spam")
    unused_theme = ThemeFactory(name="Sans idée", slug="sans-idee")
    before = snapshot()

    for method, path, data in every_admin_request(proposal, target, comment, unused_theme):
        response = getattr(client, method)(path, data)
        assert response.status_code == 302, (method, path)
        assert response["Location"].startswith(reverse("account_login")), (method, path)
        assert b"Des bancs" not in response.content

    assert snapshot() == before


def test_every_admin_url_works_for_an_editor(editor_client, theme):
    """The same list of URLs, as staff: none of them is forbidden (a guard for the test above)."""
    reporter = UserFactory()
    proposal = ProposalFactory(status=Status.SUBMITTED, theme=theme)
    target = ProposalFactory(theme=theme)
    comment = Comment.objects.create(proposal=target, author=reporter, body="Bonjour")
    unused_theme = ThemeFactory(name="Sans idée", slug="sans-idee")
    for method, path, data in every_admin_request(proposal, target, comment, unused_theme):
        response = getattr(editor_client, method)(path, data)
        assert response.status_code in (200, 302), (method, path, response.status_code)
        if response.status_code == 302:
            assert not response["Location"].startswith(reverse("account_login")), (method, path)
            assert response["Location"] != reverse("wagtailadmin_home"), (method, path)
