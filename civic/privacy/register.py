"""The register of processing activities (registre des traitements, RGPD art. 30).

One declaration, read by the staff page, its CSV export and the public privacy page, so
that what residents read and what the Régie declares never drift apart. Retention periods
come from the settings that the retention task applies (``civic.privacy.retention``).
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civic import dates
from civic.privacy import retention


@dataclass(frozen=True)
class Processing:
    name: str
    purpose: str
    legal_basis: str
    data: str
    people: str
    recipients: str
    retention: str
    security: str


COLUMNS = [
    ("name", gettext_lazy("Traitement")),
    ("purpose", gettext_lazy("Finalité")),
    ("legal_basis", gettext_lazy("Base légale")),
    ("data", gettext_lazy("Catégories de données")),
    ("people", gettext_lazy("Personnes concernées")),
    ("recipients", gettext_lazy("Destinataires")),
    ("retention", gettext_lazy("Durée de conservation")),
    ("security", gettext_lazy("Mesures de sécurité")),
]


def column_labels():
    return [str(label) for _key, label in COLUMNS]


def processings():
    """Each processing, in the active language, with today's configured durations."""
    r = retention.current()
    account_life = _(
        "Tant que le compte est utilisé ; supprimé (contributions anonymisées) après "
        "%(duration)s sans connexion, avec un courriel d'avertissement %(warning)s "
        "avant ; ou dès que la personne supprime son compte."
    ) % {
        "duration": dates.days_in_words(r.inactive_account_days),
        "warning": dates.days_in_words(r.warning_days),
    }
    common_security = _(
        "Connexion chiffrée (HTTPS), mots de passe hachés, accès du personnel limité par "
        "rôle, journaux sans données personnelles, sauvegardes chiffrées."
    )
    return [
        Processing(
            name=_("Comptes des habitants"),
            purpose=_(
                "Permettre aux habitants de participer : se connecter, être reconnus dans leur "
                "quartier, recevoir les nouvelles qu'ils ont demandées."
            ),
            legal_basis=_("Consentement (création du compte) ; exécution du service demandé"),
            data=_(
                "Adresse électronique, nom affiché, quartier, téléphone (facultatif), langue, "
                "préférences de courriel, dates d'inscription et de dernière connexion"
            ),
            people=_("Habitants, personnel de la Régie et partenaires ayant un compte"),
            recipients=_(
                "La personne elle-même ; le personnel de la Régie (jamais l'adresse "
                "électronique ni le téléphone en public)"
            ),
            retention=account_life,
            security=common_security,
        ),
        Processing(
            name=_("Idées, soutiens et commentaires"),
            purpose=_(
                "Recueillir les idées des habitants, les soutenir, en débattre et suivre les "
                "réponses de la Régie."
            ),
            legal_basis=_("Consentement (chaque contribution est volontaire)"),
            data=_(
                "Contenu des idées et commentaires, photo et lieu facultatifs, soutiens, "
                "abonnements, notifications, signalements"
            ),
            people=_("Habitants ayant un compte"),
            recipients=_(
                "Public (contenu et nom affiché) ; modérateurs de la Régie (signalements)"
            ),
            retention=_(
                "Les contributions restent publiées pour l'historique du quartier ; à la "
                "suppression du compte elles sont anonymisées (« Ancien compte ») et "
                "les soutiens restent comptés sans nom. Notifications et abonnements sont "
                "supprimés avec le compte."
            ),
            security=common_security,
        ),
        Processing(
            name=_("Actions bénévoles (Agir)"),
            purpose=_(
                "Organiser les créneaux bénévoles : places, liste d'attente, rappels, "
                "pointage, attestations d'heures et statistiques."
            ),
            legal_basis=_(
                "Consentement (inscription volontaire ; consentement recueilli au guichet "
                "pour les personnes sans compte)"
            ),
            data=_(
                "Inscriptions aux créneaux, présence, heures données ; pour les personnes "
                "sans compte : nom, téléphone facultatif, quartier, date du consentement"
            ),
            people=_("Bénévoles avec ou sans compte"),
            recipients=_("Le ou la bénévole ; le personnel de la Régie qui gère les actions"),
            retention=_(
                "Listes de bénévoles et pointages : %(duration)s après le créneau, puis "
                "anonymisés (les totaux d'heures restent)."
            )
            % {"duration": dates.days_in_words(r.roster_days)},
            security=common_security,
        ),
        Processing(
            name=_("Assemblées de quartier"),
            purpose=_(
                "Tenir les assemblées : inscriptions, émargement, procurations, prises de "
                "parole, votes et comptes rendus."
            ),
            legal_basis=_(
                "Consentement (inscription) ; intérêt légitime de la Régie à tenir un "
                "registre fiable des décisions"
            ),
            data=_(
                "Inscription, collège, présence, procuration, demandes de parole, bulletins "
                "(le choix d'un vote secret est effacé à la clôture)"
            ),
            people=_("Membres inscrits aux assemblées"),
            recipients=_(
                "Le personnel qui préside ; le public pour les résultats et comptes rendus "
                "(sans le détail des votes secrets)"
            ),
            retention=_(
                "Listes d'émargement : %(duration)s après l'assemblée, puis anonymisées "
                "(les résultats restent)."
            )
            % {"duration": dates.days_in_words(r.roster_days)},
            security=common_security,
        ),
        Processing(
            name=_("Événements de l'agenda"),
            purpose=_("Gérer les inscriptions aux événements du quartier et leurs places."),
            legal_basis=_("Consentement (inscription volontaire)"),
            data=_("Inscriptions aux dates des événements, liste d'attente"),
            people=_("Habitants ayant un compte"),
            recipients=_("La personne ; le personnel de la Régie"),
            retention=account_life,
            security=common_security,
        ),
        Processing(
            name=_("Courriels de service"),
            purpose=_(
                "Confirmer l'adresse, réinitialiser le mot de passe, envoyer rappels, "
                "nouvelles demandées et avertissement avant suppression pour inactivité."
            ),
            legal_basis=_("Exécution du service demandé ; obligation d'information"),
            data=_("Adresse électronique, langue, contenu du message"),
            people=_("Titulaires d'un compte"),
            recipients=_("Le prestataire d'envoi de courriels de la Régie"),
            retention=_("Pas de copie conservée par la plateforme."),
            security=common_security,
        ),
        Processing(
            name=_("Journaux techniques et sécurité"),
            purpose=_(
                "Faire fonctionner le site, détecter les erreurs et les abus (limitation des "
                "tentatives de connexion)."
            ),
            legal_basis=_("Intérêt légitime (sécurité du service)"),
            data=_(
                "Identifiants techniques (numéros d'inscription, de compte), adresse IP "
                "pour la limitation des tentatives (cache temporaire) ; jamais de nom ni "
                "d'adresse électronique dans les journaux"
            ),
            people=_("Visiteurs et titulaires d'un compte"),
            recipients=_("L'équipe technique de la Régie"),
            retention=_(
                "Compteurs de tentatives : quelques minutes ; sessions expirées supprimées "
                "chaque jour."
            ),
            security=common_security,
        ),
    ]


def rows():
    return [[getattr(p, key) for key, _label in COLUMNS] for p in processings()]
