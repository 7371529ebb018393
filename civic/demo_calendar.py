"""Seasons for the demo data: texts that match the date they carry (no June party in
December). Meteorological seasons of the northern hemisphere, by month."""

from datetime import date

SEASONS = {
    12: "winter",
    1: "winter",
    2: "winter",
    3: "spring",
    4: "spring",
    5: "spring",
    6: "summer",
    7: "summer",
    8: "summer",
    9: "autumn",
    10: "autumn",
    11: "autumn",
}
# Words that must not appear in a text dated in another season.
SEASON_WORDS = {
    "winter": ("hiver", "neige", "fin d'année", "galette", "vin chaud"),
    "spring": ("printemps", "semis", "premières graines"),
    "summer": ("été", "juin", "juillet", "août", "pique-nique", "fête de la musique"),
    "autumn": ("automne", "feuilles mortes", "rentrée", "vendanges"),
}


def season(day: date) -> str:
    return SEASONS[day.month]


def words_out_of_season(text: str, day: date) -> list[str]:
    """The seasonal words of ``text`` that belong to another season than ``day``'s."""
    lowered = text.lower()
    own = season(day)
    return [
        word
        for name, words in SEASON_WORDS.items()
        if name != own
        for word in words
        if word in lowered
    ]


def party_day(today: date) -> date:
    """The demo's neighbourhood party: the Saturday three to four weeks ahead."""
    from datetime import timedelta

    day = today + timedelta(days=21)
    return day + timedelta(days=(5 - day.weekday()) % 7)


def party(day: date) -> dict:
    """The party's wording for the season it falls in (its title stays the same)."""
    return {
        "winter": {
            "title": "Fête de quartier de La Source",
            "summary": "Fête de fin d'année : repas partagé, musique et jeux au chaud : 40 places, sur inscription.",
            "place": "Salle du centre social de La Source",
            "theme": "winter",
        },
        "spring": {
            "title": "Fête de quartier de La Source",
            "summary": "Fête du printemps : repas partagé, musique et jeux : 40 places pour le repas, sur inscription.",
            "place": "Square de la rivière",
            "theme": "garden",
        },
        "summer": {
            "title": "Fête de quartier de La Source",
            "summary": "Fête d'été : pique-nique, musique et jeux : 40 places pour le repas, sur inscription.",
            "place": "Square de la rivière",
            "theme": "party",
        },
        "autumn": {
            "title": "Fête de quartier de La Source",
            "summary": "Fête d'automne : soupe partagée, musique et jeux : 40 places pour le repas, sur inscription.",
            "place": "Préau de l'école de La Source",
            "theme": "autumn",
        },
    }[season(day)]


def garden(day: date) -> dict:
    """What the shared garden needs in the season of ``day``."""
    return {
        "winter": {
            "title": "Jardin partagé de Bel-Air : taille et paillage",
            "lead": "Le jardin se repose : on taille, on paille et on prépare les parcelles. "
            "Venez donner un coup de main ou simplement discuter.",
            "bring": "Des gants et des vêtements chauds.",
            "theme": "winter",
        },
        "spring": {
            "title": "Jardin partagé de Bel-Air : semis et plantations",
            "lead": "Les premières graines sont semées. Venez arroser, planter ou simplement "
            "discuter.",
            "bring": "Des gants si vous en avez.",
            "theme": "garden",
        },
        "summer": {
            "title": "Jardin partagé de Bel-Air : arrosage et récoltes",
            "lead": "Les tomates rougissent : venez arroser, récolter ou simplement discuter.",
            "bring": "Un chapeau et une bouteille d'eau.",
            "theme": "garden",
        },
        "autumn": {
            "title": "Jardin partagé de Bel-Air : récoltes et paillage",
            "lead": "Les courges sont prêtes et les feuilles mortes font un bon paillis : "
            "venez récolter ou simplement discuter.",
            "bring": "Des gants et un panier.",
            "theme": "autumn",
        },
    }[season(day)]
