import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from civic.accounts import roles
from civic.accounts.models import User
from civic.territory.models import Neighbourhood, Regie

PASSWORD = "un-mot-de-passe-solide-42"


class RegieFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Regie

    name = factory.Sequence(lambda n: f"Régie de quartier {n}")
    city = "Toulouse"
    email = factory.Sequence(lambda n: f"regie{n}@example.org")


class NeighbourhoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Neighbourhood

    regie = factory.SubFactory(RegieFactory)
    name = factory.Sequence(lambda n: f"Quartier {n}")
    slug = factory.Sequence(lambda n: f"quartier-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    """A resident with a confirmed email address, who can log in with PASSWORD."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"habitant{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Habitant·e {n}")
    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if not create:
            return
        self.save()
        EmailAddress.objects.get_or_create(
            user=self, email=self.email, defaults={"verified": True, "primary": True}
        )
        for name in extracted if extracted is not None else [roles.RESIDENTS]:
            roles.add_to_group(self, name)


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "proposals.Theme"
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Thème {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


class ProposalFactory(factory.django.DjangoModelFactory):
    """A published proposal (use status=... for other states)."""

    class Meta:
        model = "proposals.Proposal"

    author = factory.SubFactory(UserFactory)
    neighbourhood = factory.SelfAttribute("author.neighbourhood")
    theme = factory.SubFactory(ThemeFactory, slug="proprete", name="Propreté")
    title = factory.Sequence(lambda n: f"Idée numéro {n}")
    description = "Installer des bancs près de l'aire de jeux."
    status = "published"
    published_at = factory.LazyFunction(timezone.now)


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "volunteering.Action"

    title = factory.Sequence(lambda n: f"Nettoyage numéro {n}")
    description = "On ramasse les déchets autour de la place."
    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    meeting_place = "Devant la Régie, 12 place des Tilleuls"
    what_to_bring = "Des gants si vous en avez"


class ShiftFactory(factory.django.DjangoModelFactory):
    """A shift in three days, 10:00–12:00 local time, with 5 places."""

    class Meta:
        model = "volunteering.Shift"

    action = factory.SubFactory(ActionFactory)
    starts_at = factory.LazyFunction(
        lambda: (
            timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
            + timezone.timedelta(days=3)
        )
    )
    ends_at = factory.LazyAttribute(lambda shift: shift.starts_at + timezone.timedelta(hours=2))
    capacity = 5
