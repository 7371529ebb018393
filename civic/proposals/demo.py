"""Demo proposals for seed_demo: a few ideas at different steps of their life."""

from django.core.files.base import ContentFile

from civic import demo_art
from civic.proposals import services
from civic.proposals.lifecycle import Status
from civic.proposals.models import Proposal, Theme

IDEAS = [
    # author email, title, description, theme slug, steps [(status, answer)], supporters
    (
        "amina@demo.quartier-commun.fr",
        "Des bancs autour de l'aire de jeux",
        "Les parents et les anciens restent debout pendant que les enfants jouent.\n"
        "Deux ou trois bancs à l'ombre suffiraient.",
        "cadre-de-vie",
        [(Status.PUBLISHED, ""), (Status.UNDER_STUDY, "La Régie regarde les devis avec la ville.")],
        ["marcel@demo.quartier-commun.fr", "fatou@demo.quartier-commun.fr"],
    ),
    (
        "marcel@demo.quartier-commun.fr",
        "Un composteur partagé à Bel-Air",
        "Beaucoup de nos déchets pourraient nourrir le jardin partagé.",
        "espaces-verts",
        [
            (Status.PUBLISHED, ""),
            (Status.ACCEPTED, "Retenue : le bailleur fournit le composteur, la Régie l'installe."),
            (Status.IN_PROGRESS, "Installation prévue le mois prochain."),
        ],
        ["amina@demo.quartier-commun.fr"],
    ),
    (
        "fatou@demo.quartier-commun.fr",
        "Un après-midi jeux de société au centre social",
        "Pour se rencontrer entre voisins, toutes générations.",
        "animation",
        [(Status.PUBLISHED, "")],
        [],
    ),
    (
        "amina@demo.quartier-commun.fr",
        "Plus de poubelles près de l'arrêt de bus",
        "Les papiers s'envolent partout le matin.",
        "proprete",
        [],
        [],
    ),
]


# Ideas shown with a generated illustration (civic.demo_art) as if their author had added one.
PHOTOS = {
    "Des bancs autour de l'aire de jeux": "meeting",
    "Un composteur partagé à Bel-Air": "garden",
}


def seed_proposals(*, staff):
    from civic.accounts.models import User

    if Proposal.objects.exists():
        return 0
    for email, title, description, theme_slug, steps, supporters in IDEAS:
        author = User.objects.get(email=email)
        proposal = services.submit_proposal(
            author=author,
            title=title,
            description=description,
            theme=Theme.objects.get(slug=theme_slug),
            neighbourhood=author.neighbourhood,
        )
        theme = PHOTOS.get(title)
        if theme:
            proposal.photo_alt = demo_art.DESCRIPTIONS[theme]
            proposal.photo.save(
                f"idee-{proposal.pk}.jpg", ContentFile(demo_art.illustration(theme, title).read())
            )
        for status, answer in steps:
            services.change_status(proposal=proposal, actor=staff, to_status=status, answer=answer)
            proposal.refresh_from_db()
        for supporter_email in supporters:
            if proposal.status in (Status.PUBLISHED, Status.UNDER_STUDY):
                services.support_proposal(
                    proposal=proposal, resident=User.objects.get(email=supporter_email)
                )
    return len(IDEAS)
