"""A resident's own data, as one readable JSON document (right of access, RGPD art. 15,
and portability, art. 20).

Keys are in plain French and listed on the privacy page (``KEYS`` below). Built for the
logged-in person only: the view passes ``request.user`` and nothing else.
"""

import json

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FORMAT_VERSION = 1

# What each top-level key holds: rendered on the privacy page.
KEYS = [
    ("profil", gettext_lazy("votre compte : nom affiché, adresse, téléphone, langue, dates")),
    ("adresses_electroniques", gettext_lazy("vos adresses de connexion et leur vérification")),
    ("idees", gettext_lazy("les idées que vous avez proposées, avec leur état")),
    ("commentaires", gettext_lazy("vos commentaires")),
    ("soutiens", gettext_lazy("les idées que vous soutenez")),
    ("abonnements", gettext_lazy("les idées que vous suivez")),
    ("notifications", gettext_lazy("les notifications reçues")),
    ("signalements", gettext_lazy("les contenus que vous avez signalés")),
    ("creneaux_benevoles", gettext_lazy("vos inscriptions aux actions bénévoles et vos heures")),
    ("agenda_personnel", gettext_lazy("votre adresse d'agenda privée, si vous en avez une")),
    ("assemblees", gettext_lazy("vos inscriptions, présences, procurations et votes")),
    ("evenements", gettext_lazy("vos inscriptions aux événements de l'agenda")),
]


def _when(value):
    return timezone.localtime(value).isoformat() if value else None


def _profile(user):
    return {
        "adresse_electronique": user.email,
        "nom_affiche": user.display_name,
        "quartier": user.neighbourhood.name if user.neighbourhood_id else None,
        "telephone": user.phone or None,
        "langue_preferee": user.preferred_language,
        "nouvelles_par_courriel": user.email_notifications,
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "inscrit_le": _when(user.date_joined),
        "derniere_connexion": _when(user.last_login),
        "avertissement_inactivite_envoye_le": _when(user.inactivity_warned_at),
    }


def _emails(user):
    from allauth.account.models import EmailAddress

    return [
        {"adresse": a.email, "verifiee": a.verified, "principale": a.primary}
        for a in EmailAddress.objects.filter(user=user).order_by("pk")
    ]


def _proposals(user):
    from civic.proposals.models import Comment, Follow, Notification, Proposal, Report, Support

    proposals = [
        {
            "id": p.pk,
            "titre": p.title,
            "description": p.description,
            "lieu": p.address or None,
            "latitude": float(p.latitude) if p.latitude is not None else None,
            "longitude": float(p.longitude) if p.longitude is not None else None,
            "photo": p.photo.name or None,
            "theme": p.theme.name,
            "quartier": p.neighbourhood.name,
            "etat": str(p.get_status_display()),
            "masquee_par_la_moderation": p.is_hidden,
            "deposee_le": _when(p.created_at),
            "publiee_le": _when(p.published_at),
        }
        for p in Proposal.objects.filter(author=user).select_related("theme", "neighbourhood")
    ]
    comments = [
        {
            "id": c.pk,
            "idee": c.proposal.title,
            "texte": "" if c.is_deleted else c.body,
            "supprime": c.is_deleted,
            "masque_par_la_moderation": c.is_hidden,
            "ecrit_le": _when(c.created_at),
            "modifie_le": _when(c.edited_at),
        }
        for c in Comment.objects.filter(author=user).select_related("proposal")
    ]
    supports = [
        {"idee": s.proposal.title, "idee_id": s.proposal_id, "le": _when(s.created_at)}
        for s in Support.objects.filter(resident=user).select_related("proposal").order_by("pk")
    ]
    follows = [
        {"idee": f.proposal.title, "idee_id": f.proposal_id, "depuis": _when(f.created_at)}
        for f in Follow.objects.filter(resident=user).select_related("proposal").order_by("pk")
    ]
    notifications = [
        {
            "message": n.message,
            "type": str(n.get_kind_display()),
            "le": _when(n.created_at),
            "lue_le": _when(n.read_at),
            "envoyee_par_courriel_le": _when(n.emailed_at),
        }
        for n in Notification.objects.filter(recipient=user)
    ]
    reports = [
        {
            "raison": r.reason,
            "idee_id": r.proposal_id,
            "commentaire_id": r.comment_id,
            "le": _when(r.created_at),
            "traite_le": _when(r.resolved_at),
        }
        for r in Report.objects.filter(reporter=user)
    ]
    return {
        "idees": proposals,
        "commentaires": comments,
        "soutiens": supports,
        "abonnements": follows,
        "notifications": notifications,
        "signalements": reports,
    }


def _volunteering(user, now):
    from civic.volunteering.models import CalendarFeed, Signup

    counted = set(
        Signup.objects.filter(user=user).counted_for_hours(now).values_list("pk", flat=True)
    )
    signups = []
    for s in (
        Signup.objects.filter(user=user)
        .select_related("shift__action")
        .order_by("shift__starts_at", "pk")
    ):
        hours = s.shift.duration.total_seconds() / 3600 if s.pk in counted else 0
        signups.append(
            {
                "action": s.shift.action.title,
                "debut": _when(s.shift.starts_at),
                "fin": _when(s.shift.ends_at),
                "role": s.shift.role or None,
                "creneau_annule": s.shift.is_cancelled,
                "statut": str(s.get_status_display()),
                "presence": str(s.get_attendance_display()),
                "heures_comptees": round(hours, 2),
                "inscrit_le": _when(s.created_at),
                "desinscrit_le": _when(s.cancelled_at),
            }
        )
    feed = CalendarFeed.objects.filter(user=user).first()
    calendar = (
        {
            "existe": True,
            # The secret part of the private address: the person's own, shown to them only.
            "jeton": feed.token,
            "cree_le": _when(feed.created_at),
        }
        if feed
        else {"existe": False}
    )
    return {
        "creneaux_benevoles": signups,
        "heures_donnees": round(sum(s["heures_comptees"] for s in signups), 2),
        "agenda_personnel": calendar,
    }


def _assemblies(user):
    from civic.assemblies.models import Ballot, Participant

    SECRET = _(
        "Vote à bulletin secret : votre choix n'est jamais exporté, et il est effacé à la "
        "clôture du vote. Seule votre participation est conservée."
    )
    participants = list(
        Participant.objects.filter(user=user)
        .select_related("assembly", "college", "proxy_holder__user")
        .order_by("assembly__starts_at", "pk")
    )
    ballots = {}
    for ballot in (
        Ballot.objects.filter(voter__in=participants)
        .select_related("motion", "option")
        .order_by("cast_at", "pk")
    ):
        ballots.setdefault(ballot.voter_id, []).append(ballot)
    result = []
    for p in participants:
        votes = []
        for ballot in ballots.get(p.pk, []):
            if ballot.motion.is_secret:
                choice = SECRET
            else:
                choice = ballot.option.label if ballot.option_id else None
            votes.append(
                {
                    "question": ballot.motion.question,
                    "choix": choice,
                    "par_procuration": ballot.cast_by_id != ballot.voter_id,
                    "vote_le": _when(ballot.cast_at),
                }
            )
        result.append(
            {
                "assemblee": p.assembly.title,
                "date": _when(p.assembly.starts_at),
                "college": p.college.name if p.college_id else None,
                "inscrit_le": _when(p.registered_at),
                "present_le": _when(p.checked_in_at),
                # Whom you gave your proxy to: a member you chose, named to you only.
                "procuration_donnee_a": p.proxy_holder.name if p.proxy_holder_id else None,
                "procurations_recues": p.proxies_held.count(),
                "votes": votes,
            }
        )
    return result


def _events(user):
    """The agenda's registrations, when that app is installed."""
    try:
        Registration = apps.get_model("agenda", "Registration")
    except LookupError:
        return []
    return [
        {
            "evenement": r.slot.event.title,
            "date": _when(r.slot.starts_at),
            "statut": str(r.get_status_display()),
            "inscrit_le": _when(r.created_at),
            "desinscrit_le": _when(getattr(r, "cancelled_at", None)),
        }
        for r in Registration.objects.filter(user=user).select_related("slot__event")
    ]


def personal_data(*, user, now=None):
    """Everything the platform holds about ``user``, as a dict ready for JSON."""
    now = now or timezone.now()
    data = {
        "a_propos": {
            "plateforme": "Quartier Commun",
            "version_du_format": FORMAT_VERSION,
            "exporte_le": _when(now),
            "explications": _(
                "Vos données personnelles, telles que la plateforme les conserve. Le détail "
                "de chaque rubrique est expliqué sur la page « Vos données personnelles »."
            ),
        },
        "profil": _profile(user),
        "adresses_electroniques": _emails(user),
    }
    data.update(_proposals(user))
    data.update(_volunteering(user, now))
    data["assemblees"] = _assemblies(user)
    data["evenements"] = _events(user)
    return data


def as_json(data):
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
