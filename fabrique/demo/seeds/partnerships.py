# ruff: noqa: E501 - plain data: long French sentences read better unwrapped
"""Organisations outside the network, the two Québec–France partnerships, their missions and the
know-how transfers of the Territoires French Impact.

A visit or a beneficiary names either a member structure ("structure") or an organisation
("organisation"). Mission times are local to the mission's time zone (Québec: America/Toronto)."""

from typing import Any

Row = dict[str, Any]


def _org(slug: str, name: str, kind: str, city: str = "", description: str = "", country: str = "FR") -> Row:
    return {
        "slug": slug,
        "name": name,
        "kind": kind,
        "city": city,
        "description": description,
        "country": country,
    }


ORGANISATIONS: list[Row] = [
    _org("avise", "Avise", "network", "Paris", "Anime le réseau des Fabriques à initiatives (37 Fabriques)."),
    _org(
        "reseau-poles-economie-sociale-quebec",
        "Réseau des pôles d'économie sociale du Québec",
        "network",
        "",
        "Réseau des Pôles d'économie sociale du Québec, composé de 22 pôles.",
        "CA",
    ),
    _org(
        "cereso",
        "CERESO",
        "incubator",
        "Lanaudière",
        "Dirigé par Carine Perron ; son incubateur L'Espace412 a été créé en 2018.",
        "CA",
    ),
    _org("espace412", "L'Espace412", "incubator", "Lanaudière", "Incubateur du CERESO, créé en 2018.", "CA"),
    _org(
        "ptce-sud-aquitaine",
        "Pôle Territorial de Coopération Économique Sud Aquitaine",
        "territory_collective",
        "Tarnos",
        "PTCE sud Aquitaine, porteur de l'incubateur Le Tube à ESS'ai.",
    ),
    _org(
        "tube-a-essai",
        "Le Tube à ESS'ai",
        "incubator",
        "Tarnos",
        "Incubateur territorial d'économie sociale et solidaire sud Aquitaine, créé en 2017.",
    ),
    _org(
        "rqis",
        "Réseau québécois en innovation sociale (RQIS)",
        "network",
        "",
        "Auteur de la grille de caractérisation des projets d'innovation sociale.",
        "CA",
    ),
    # Places visited by the 2025 study trip.
    _org("les-alouettes", "Les Alouettes", "ess_enterprise", "Toulouse", "Tiers-lieu."),
    _org("la-glanerie", "La Glanerie", "ess_enterprise", "Toulouse"),
    _org("toulouse-espace-couture", "Toulouse Espace Couture", "ess_enterprise", "Toulouse", "Tiers-lieu."),
    _org("conciergerie-solidaire-toulouse", "Conciergerie solidaire", "ess_enterprise", "Toulouse"),
    _org("pole-haute-lande", "Pôle Haute-Lande", "territory_collective", "Bordeaux"),
    _org("la-manuco", "La Manuco", "ess_enterprise", "Bordeaux"),
    _org("autre-institut-de-beaute", "L'Autre Institut de Beauté by Princ'ESS", "ess_enterprise", "Bordeaux"),
    _org("la-cite-bleue", "La Cité bleue", "ess_enterprise", "Bordeaux"),
    # Places visited by the CERESO mission in Sud Aquitaine.
    _org("habitat-jeunes-pau-pyrenees", "Association habitat jeunes de Pau Pyrénées", "other", "Pau"),
    _org(
        "habitat-jeunes-sud-aquitaine", "Association habitat jeunes Sud Aquitaine", "other", "Sud Aquitaine"
    ),
    _org("scic-pau-pyrenees", "La SCIC Pau Pyrénées", "ess_enterprise", "Pau"),
    # Know-how transfers.
    _org("etic", "ETIC", "ess_enterprise", "", "Foncière solidaire."),
    _org(
        "figeacteurs",
        "PTCE Figeacteurs",
        "territory_collective",
        "Figeac",
        "Pôle territorial de coopération économique ; coordinatrice : Meryl Parisse.",
    ),
    _org("grap", "GRAP", "ess_enterprise", "", "CAE – groupement régional alimentaire de proximité."),
    _org(
        "coopilote", "Coopilote", "ess_enterprise", "", "Coopérative d'activité et d'emploi franc-comtoise."
    ),
    _org("villages-vivants", "Villages vivants", "ess_enterprise", "", "Foncière solidaire drômoise."),
    _org(
        "les-ecossolies",
        "Les Ecossolies",
        "network",
        "Nantes",
        "Gouvernance collective, tiers-lieu le Solilab et SCIC Ecossimo.",
    ),
    _org("cress-grand-est", "CRESS Grand Est", "network"),
    _org("strasbourg-eurometropole", "Strasbourg Eurométropole", "public_body", "Strasbourg"),
    _org("capee", "Capée", "territory_collective"),
    _org("marseille-solutions", "Marseille Solutions", "territory_collective", "Marseille"),
    _org(
        "generateur-bfc",
        "Le Générateur Bourgogne-Franche-Comté",
        "network",
        "",
        "Collectif de six membres du réseau : Active, Clus'Ter Jura, la Fédération Départementale des Foyers "
        "Ruraux de l'Yonne, France Active Franche-Comté, France Active Bourgogne, Pôle d'Économie Solidaire 21.",
    ),
]

PARTNERSHIPS: list[Row] = [
    {
        "slug": "avise-poles-economie-sociale-quebec",
        "title": "Avise – Réseau des pôles d'économie sociale du Québec",
        "summary": "Un partenariat pour faciliter l'échange d'expertise pour l'innovation sociale dans les "
        "territoires, entre le réseau des Fabriques à initiatives animé par l'Avise (37 Fabriques) et le réseau "
        "des Pôles d'économie sociale du Québec (22 pôles).",
        "objectives": "Comparer et améliorer les pratiques d'accompagnement ; transférer les savoir-faire pour "
        "renforcer la détection, l'émergence et le lancement de projets collectifs en réponse à des besoins "
        "concrets sur les territoires ; tester concrètement au Québec une méthode enrichie par les deux "
        "modèles, avec l'appui du réseau des Fabriques à initiatives.",
        "start": "2025-01-01",
        "end": "2026-12-31",
        "parties": [
            ("avise", "FR", "Anime le réseau des Fabriques à initiatives (37 Fabriques)"),
            ("reseau-poles-economie-sociale-quebec", "CA", "Réseau de 22 pôles d'économie sociale"),
        ],
        "supports": [("cpcfq", "Soutien au voyage d'étude en France")],
        "agreements": [],
    },
    {
        "slug": "cereso-ptce-sud-aquitaine",
        "title": "CERESO – PTCE Sud Aquitaine",
        "summary": "Un partenariat de transfert international né en 2018 lors d'une visite en France de Carine "
        "Perron, directrice du CERESO, nourri par les échanges entre deux incubateurs : L'Espace412 (CERESO, "
        "Lanaudière) et Le Tube à ESS'ai (PTCE, Tarnos).",
        "objectives": "Formaliser le transfert des pratiques entre les deux incubateurs et construire une "
        "collaboration à long terme.",
        "start": "2018-01-01",
        "end": None,
        "parties": [
            ("cereso", "CA", "Porteur de l'incubateur L'Espace412"),
            ("ptce-sud-aquitaine", "FR", "Porteur de l'incubateur Le Tube à ESS'ai"),
        ],
        "supports": [
            ("parcours-numerique-quebec-france", "Parcours numérique Québec-France"),
            ("lojiq", "Les Offices jeunesse internationaux du Québec"),
            ("cegep-regional-de-lanaudiere", "Contribution financière à la mission de 2023"),
            ("federation-des-cegeps", "Programme de soutien à la mobilité professionnelle des cégeps"),
        ],
        "agreements": [
            {
                "title": "Entente entre le CERESO et Le Tube à ESS'ai",
                "parties": ["cereso", "tube-a-essai"],
                "status": "signed",
                "signed_on": "2023-10-19",
            }
        ],
    },
]

TARNOS_OBJECTIVES = [
    ("Consolider et signer l'entente entre le CERESO et Le Tube à ESS'ai", "achieved", "Entente signée."),
    (
        "Identifier une façon dont les deux incubateurs pourraient travailler à distance avec les gestionnaires "
        "des différents projets incubés (communauté de pratique, coanimation, etc.)",
        "partly",
        "Une communauté de pratique entre les deux incubateurs est à l'essai.",
    ),
    (
        "Réaliser des visites de prospection en lien avec la mobilité d'étudiant·es (Association habitat jeunes "
        "de Pau Pyrénées, Association habitat jeunes Sud Aquitaine)",
        "achieved",
        "Les deux associations ont été rencontrées.",
    ),
    (
        "Réaliser des sessions de travail afin de construire des passerelles entre le CERESO, ses partenaires de "
        "l'écosystème de l'innovation sociale et ceux du Pôle Territorial de Coopération Sud Aquitaine",
        "achieved",
        "",
    ),
    (
        "S'inspirer du modèle de développement territorial du PTCE sud aquitaine et rencontrer ses acteur·trices "
        "(ex. : La SCIC Pau Pyrénées) afin d'évaluer la faisabilité de l'implanter dans la région de Lanaudière",
        "partly",
        "Étude de faisabilité à poursuivre dans Lanaudière.",
    ),
    (
        "Réaliser des présentations en lien avec des projets en cours : École entreprise ; En marche vers la "
        "quête paritaire au Québec : Par tous. Pour tous ; et présentation de la grille de caractérisation des "
        "projets d'innovation sociale du Réseau québécois en innovation sociale (RQIS)",
        "achieved",
        "",
    ),
]

ASSISES_OBJECTIVES = [
    (
        "Présenter des projets portant ou ayant une incidence sur un ou plusieurs des enjeux transversaux "
        "prioritaires de la relation Québec-France",
        "achieved",
        "",
    ),
    ("Aborder les thèmes Innovation, Jeunesse, Numérique, Égalité femmes-hommes", "achieved", ""),
    (
        "Exporter le savoir-faire du CERESO et faire rayonner l'expertise développée dans les milieux collégiaux",
        "partly",
        "",
    ),
    ("S'inspirer des pratiques dans le reste de la France", "achieved", ""),
    ("S'ouvrir vers d'autres types de partenariats", "not_yet", ""),
    (
        "Proposer une présentation conjointe PTCE – CERESO en lien avec les thématiques retenues pour les Assises",
        "achieved",
        "",
    ),
]

# visits: (structure or organisation slug, city, date); "s:" marks a member structure.
MISSIONS: list[Row] = [
    {
        "slug": "voyage-etude-poles-quebec-2025",
        "partnership": "avise-poles-economie-sociale-quebec",
        "title": "Voyage d'étude des Pôles d'économie sociale du Québec en France",
        "kind": "study_trip",
        "direction": "qc_to_fr",
        "timezone": "Europe/Paris",
        "starts_at": "2025-06-02 09:00",
        "ends_at": "2025-06-06 17:00",
        "cities": "Rouen, Toulouse, Bordeaux",
        "summary": "Soutenu par la CPCFQ, ce premier voyage d'étude a mené les représentantes des Pôles "
        "d'économie sociale du Québec à la rencontre de trois Fabriques à initiatives, pour découvrir sur le "
        "terrain les méthodes françaises d'accompagnement de l'ESS. Dates estimées (le texte source ne les "
        "donne pas).",
        "participants": [
            (
                "Représentantes des Pôles d'économie sociale du Québec",
                "Délégation",
                "reseau-poles-economie-sociale-quebec",
            )
        ],
        "visits": [
            ("s:adress-normandie", "Rouen", "2025-06-02"),
            ("s:premiere-brique", "Toulouse", "2025-06-04"),
            ("les-alouettes", "Toulouse", "2025-06-04"),
            ("la-glanerie", "Toulouse", "2025-06-04"),
            ("toulouse-espace-couture", "Toulouse", "2025-06-04"),
            ("conciergerie-solidaire-toulouse", "Toulouse", "2025-06-04"),
            ("s:atis", "Bordeaux", "2025-06-05"),
            ("pole-haute-lande", "Bordeaux", "2025-06-05"),
            ("la-manuco", "Bordeaux", "2025-06-06"),
            ("autre-institut-de-beaute", "Bordeaux", "2025-06-06"),
            ("la-cite-bleue", "Bordeaux", "2025-06-06"),
        ],
        "objectives": [
            ("Comparer et améliorer les pratiques d'accompagnement", "achieved", ""),
            (
                "Transférer les savoir-faire pour renforcer la détection, l'émergence et le lancement de projets "
                "collectifs en réponse à des besoins concrets sur les territoires",
                "partly",
                "",
            ),
            (
                "Tester concrètement au Québec une méthode enrichie par les deux modèles, avec l'appui du "
                "réseau des Fabriques à initiatives",
                "not_yet",
                "Prévu lors de la délégation de 2026.",
            ),
        ],
        "projects": ["toulouse-espace-couture", "la-glanerie", "tiers-lieu-les-alouettes"],
    },
    {
        "slug": "delegation-fabriques-quebec-2026",
        "partnership": "avise-poles-economie-sociale-quebec",
        "title": "Délégation des Fabriques à initiatives au Québec",
        "kind": "delegation",
        "direction": "fr_to_qc",
        "timezone": "America/Toronto",
        "starts_at": "2026-12-07 09:00",
        "ends_at": "2026-12-11 17:00",
        "cities": "Québec",
        "summary": "Prévue en 2026 : une délégation de Fabriques à initiatives se rend au Québec pour observer "
        "la mise en œuvre de leur méthode par les pôles d'économie sociale au sein de communautés locales. "
        "Dates estimées.",
        "participants": [],
        "visits": [],
        "objectives": [
            (
                "Observer la mise en œuvre de la méthode par les pôles d'économie sociale au sein de communautés "
                "locales",
                "not_yet",
                "",
            )
        ],
        "projects": [],
    },
    {
        "slug": "mission-ptce-sud-aquitaine-quebec-2022",
        "partnership": "cereso-ptce-sud-aquitaine",
        "title": "Mission du PTCE Sud Aquitaine au Québec",
        "kind": "study_trip",
        "direction": "fr_to_qc",
        "timezone": "America/Toronto",
        "starts_at": "2022-11-14 09:00",
        "ends_at": "2022-11-18 17:00",
        "cities": "Lanaudière",
        "summary": "Grâce au programme Parcours numérique Québec-France, le Pôle territorial de coopération "
        "économique a dépêché une mission au Québec en novembre 2022. Dates estimées (le texte donne le mois).",
        "participants": [],
        "visits": [("cereso", "Lanaudière", "2022-11-14"), ("espace412", "Lanaudière", "2022-11-15")],
        "objectives": [
            ("Poursuivre la relation partenariale entre le CERESO et le PTCE", "achieved", ""),
        ],
        "projects": [],
    },
    {
        "slug": "mission-cereso-tarnos-2023",
        "partnership": "cereso-ptce-sud-aquitaine",
        "title": "Mission du CERESO à Tarnos",
        "kind": "study_trip",
        "direction": "qc_to_fr",
        "timezone": "Europe/Paris",
        "starts_at": "2023-10-16 09:00",
        "ends_at": "2023-10-21 17:00",
        "cities": "Tarnos, Pau",
        "summary": "Immersion au cœur de l'entrepreneuriat collectif et de l'innovation sociale : du 16 au 21 "
        "octobre 2023, le CERESO rencontre à Tarnos les acteurs du Pôle Territorial de Coopération Sud "
        "Aquitaine. La mission est possible grâce au Cégep régional de Lanaudière, au ministère de "
        "l'Enseignement supérieur (Programme de soutien à la mobilité professionnelle des cégeps géré par la "
        "Fédération des cégeps) et à LOJIQ.",
        "participants": [("Carine Perron", "Directrice du CERESO", "cereso")],
        "visits": [
            ("tube-a-essai", "Tarnos", "2023-10-16"),
            ("ptce-sud-aquitaine", "Tarnos", "2023-10-17"),
            ("habitat-jeunes-sud-aquitaine", "Sud Aquitaine", "2023-10-18"),
            ("habitat-jeunes-pau-pyrenees", "Pau", "2023-10-19"),
            ("scic-pau-pyrenees", "Pau", "2023-10-19"),
        ],
        "objectives": TARNOS_OBJECTIVES,
        "projects": [],
    },
    {
        "slug": "assises-franco-quebecoises-la-rochelle-2023",
        "partnership": "cereso-ptce-sud-aquitaine",
        "title": "Assises franco-québécoises de la coopération décentralisée",
        "kind": "delegation",
        "direction": "qc_to_fr",
        "timezone": "Europe/Paris",
        "starts_at": "2023-10-23 09:00",
        "ends_at": "2023-10-24 18:00",
        "cities": "La Rochelle",
        "summary": "Les Assises réunissent des élu·es locaux et régionaux du Québec et de la France pour mieux "
        "coordonner leurs actions de coopération ; elles se tiennent en alternance au Québec et en France.",
        "participants": [("Carine Perron", "Directrice du CERESO", "cereso")],
        "visits": [],
        "objectives": ASSISES_OBJECTIVES,
        "projects": [],
    },
]

TRANSFERS: list[Row] = [
    {
        "slug": "etic-figeacteurs-tiers-lieu",
        "title": "ETIC → PTCE Figeacteurs : montage d'un tiers-lieu",
        "provider": "etic",
        "topic": "third_place",
        "format": "individual",
        "started_on": "2020-02-01",
        "ended_on": "2020-10-31",
        "city": "Figeac",
        "description": "Appui d'ETIC, foncière solidaire, au PTCE Figeacteurs sur un projet de tiers-lieu pour "
        "développer l'offre d'emploi locale.",
        "testimonial": "« Le regard extérieur et aiguisé d'ETIC nous a permis de nous poser les bonnes questions "
        "dans le montage juridique et financier de notre projet de tiers-lieu. Le TSF nous a permis de donner "
        "un cadre au partage d'expérience et d'accéder à des outils et méthodes auxquelles nous n'aurions pas "
        "eu accès par ailleurs. Enfin la possibilité d'avoir un échange sur la durée était aussi un véritable "
        "atout. » – Meryl Parisse, coordinatrice de Figeacteurs",
        "beneficiaries": ["figeacteurs"],
        "projects": [],
    },
    {
        "slug": "grap-coopilote-filiere-bio",
        "title": "GRAP → Coopilote : filière agro-alimentaire bio",
        "provider": "grap",
        "topic": "food_chain",
        "format": "individual",
        "started_on": "2020-11-15",
        "ended_on": None,
        "city": "Franche-Comté",
        "description": "La CAE GRAP (groupement régional alimentaire de proximité) appuie la CAE franc-comtoise "
        "Coopilote pour structurer et développer la filière agro-alimentaire bio.",
        "testimonial": "",
        "beneficiaries": ["coopilote"],
        "projects": [],
    },
    {
        "slug": "villages-vivants-atis-fonciere-solidaire",
        "title": "Villages vivants → ATIS : foncière solidaire",
        "provider": "villages-vivants",
        "topic": "land_trust",
        "format": "individual",
        "started_on": "2020-11-15",
        "ended_on": None,
        "city": "Bordeaux",
        "description": "La foncière solidaire drômoise Villages vivants appuie le catalyseur d'innovation sociale "
        "ATIS en Gironde, autour d'un projet de foncière solidaire issu de la Fabrique à initiatives.",
        "testimonial": "",
        "beneficiaries": ["s:atis"],
        "projects": ["fonciere-solidaire-gironde"],
    },
    {
        "slug": "visite-apprenante-ecossolies-2020",
        "title": "Visite apprenante aux Ecossolies à Nantes",
        "provider": "les-ecossolies",
        "topic": "governance",
        "format": "collective",
        "started_on": "2020-10-23",
        "ended_on": "2020-10-23",
        "city": "Nantes",
        "description": "Transfert de savoir-faire collectif : des représentants de six territoires échangent "
        "avec Les Ecossolies autour de leur gouvernance collective, de leur articulation avec les acteurs "
        "publics, de leur tiers-lieu le Solilab et de leur SCIC Ecossimo.",
        "testimonial": "",
        "beneficiaries": [
            "cress-grand-est",
            "strasbourg-eurometropole",
            "figeacteurs",
            "capee",
            "s:clus-ter-jura",
            "marseille-solutions",
        ],
        "projects": [],
    },
]
