# ruff: noqa: E501 - plain data: long French sentences read better unwrapped
"""Example projects named by the source texts, with their path through the pipeline.

The texts give the projects, their territory, programme and structure; the dates of each stage, the
holders and the key figures are plausible estimates for the demonstration."""

from typing import Any

Row = dict[str, Any]


def _project(
    slug: str,
    title: str,
    structure: str,
    territory: str,
    sector: str,
    path: list[tuple[str, str]],
    *,
    programme: str | None = None,
    need: str = "",
    solution: str = "",
    study: tuple[str, str | None, str, str] | None = None,
    holder: tuple[str, str, str] | None = None,
    started_on: str | None = None,
    abandon_reason: str = "",
    indicators: tuple[tuple[str, str, str, str], ...] = (),
    partners: tuple[str, ...] = (),
    published_on: str | None = None,
    key_lessons: str = "",
) -> Row:
    return {
        "slug": slug,
        "title": title,
        "structure": structure,
        "territory": territory,
        "programme": programme,
        "sector": sector,
        "path": path,
        "need": need,
        "solution": solution,
        "study": study,
        "holder": holder,
        "started_on": started_on,
        "abandon_reason": abandon_reason,
        "indicators": indicators,
        "partners": partners,
        "published_on": published_on,
        "key_lessons": key_lessons,
    }


GARAGE_NEED = (
    "Des habitants sans solution de mobilité pour aller travailler, se former ou accéder aux services : "
    "véhicules en mauvais état, réparations trop chères, peu de transports en commun."
)
GARAGE_SOLUTION = (
    "Un garage solidaire qui répare à prix réduit les véhicules des personnes à faibles revenus, avec des "
    "salariés en insertion, et propose des véhicules en location ou à petit prix."
)
GARAGE_LESSONS = (
    "Réunir tôt les garagistes du territoire, les prescripteurs sociaux et les collectivités ; sécuriser le "
    "local et l'outillage avant de recruter."
)


def _garage(
    slug: str, territory: str, structure: str, de_place: str, stage: str, year_offset: int = 0
) -> Row:
    """The five garages solidaires of the Fondation PSA programme share one story, a few months apart."""
    months = ["02", "03", "04", "05", "06"][year_offset]
    path = [
        ("detection", f"2020-{months}-10"),
        ("invention", f"2020-{int(months) + 4:02d}-15"),
        ("launch", f"2021-{months}-01"),
    ]
    launched = stage == "launched"
    if launched:
        path.append(("launched", f"2021-{int(months) + 6:02d}-01"))
    return _project(
        slug,
        f"Garage solidaire {de_place}",
        structure,
        territory,
        "mobility",
        path,
        programme="emergence-garages-solidaires",
        need=GARAGE_NEED,
        solution=GARAGE_SOLUTION,
        study=(
            f"2020-{int(months) + 4:02d}-20",
            f"2021-{int(months) - 1:02d}-20",
            "favourable",
            "Besoin confirmé par une enquête auprès des prescripteurs ; modèle économique à l'équilibre en "
            "troisième année avec une aide au poste d'insertion.",
        ),
        holder=(
            "Association d'insertion du territoire",
            "Structure d'insertion par l'activité économique",
            f"2021-{int(months) - 1:02d}-25",
        ),
        started_on=f"2021-{int(months) + 6:02d}-01" if launched else None,
        indicators=(
            (
                ("jobs_fte", "4", "2022-06-30", "Dont 3 salariés en insertion"),
                ("people_reached", "180", "2022-06-30", "Véhicules réparés la première année"),
            )
            if launched
            else (("creativity_sessions", "5", "2020-11-30", "Groupe-projet"),)
        ),
        partners=("fondation-psa",),
        published_on="2022-09-01" if launched else None,
        key_lessons=GARAGE_LESSONS if launched else "",
    )


SILVER_NEED = "Des personnes âgées isolées et des aidants épuisés, faute de services adaptés à proximité."

PROJECTS: list[Row] = [
    _garage(
        "garage-solidaire-pays-de-brest-carhaix",
        "pays-de-brest-carhaix",
        "tag29",
        "du Pays de Brest – Carhaix",
        "launched",
        0,
    ),
    _garage(
        "garage-solidaire-pays-perigord-vert",
        "pays-perigord-vert",
        "france-active-nouvelle-aquitaine",
        "du Pays Périgord Vert",
        "launch",
        1,
    ),
    _garage(
        "garage-solidaire-argentanais", "argentanais", "adress-normandie", "de l'Argentanais", "launched", 2
    ),
    _garage(
        "garage-solidaire-decines-charpieu",
        "decines-charpieu",
        "fabrique-lyon-metropole",
        "de Décines-Charpieu",
        "launch",
        3,
    ),
    _garage(
        "garage-solidaire-nord-drome-ardeche",
        "nord-drome-ardeche",
        "courant-fort",
        "du nord Drôme-Ardèche",
        "launched",
        4,
    ),
    _project(
        "epicerie-solidaire-retiers",
        "Épicerie solidaire de Retiers",
        "tag35",
        "retiers",
        "food",
        [("detection", "2021-10-04"), ("invention", "2022-01-17"), ("launch", "2022-10-03")],
        programme="catalyseur",
        need="Des ménages précaires éloignés de l'aide alimentaire et des produits frais en milieu rural.",
        solution="Un modèle d'épicerie solidaire innovant, approvisionné en circuits courts, développé avec le "
        "CCAS et la commune.",
        study=(
            "2022-02-01",
            "2022-09-15",
            "favourable",
            "Approvisionnement local possible auprès de 12 producteurs ; local municipal disponible.",
        ),
        holder=("CCAS de Retiers", "CCAS et commune de Retiers", "2022-09-20"),
        indicators=(("creativity_sessions", "6", "2022-06-30", "Avec les habitants et les producteurs"),),
        partners=("ccas-retiers", "federation-nationale-des-cuma"),
    ),
    _project(
        "plateforme-epiceries-solidaires-seine-maritime",
        "Plateforme de mutualisation de l'approvisionnement des épiceries solidaires de Seine-Maritime",
        "adress-normandie",
        "seine-maritime",
        "food",
        [("detection", "2021-10-11"), ("invention", "2022-03-07")],
        programme="catalyseur",
        need="Des épiceries solidaires qui s'approvisionnent chacune de leur côté, à des prix élevés et avec peu "
        "de produits locaux.",
        solution="Une plateforme de mutualisation de l'approvisionnement entre épiceries solidaires du "
        "département, avec le département de la Seine-Maritime et le réseau CIVAM.",
        study=("2022-04-01", None, "pending", ""),
        indicators=(("creativity_sessions", "4", "2022-12-15", "Ateliers avec les épiceries"),),
        partners=("departement-seine-maritime", "reseau-civam"),
    ),
    _project(
        "conciergerie-ampere-strasbourg",
        "Conciergerie d'Ampère",
        "france-active-alsace",
        "strasbourg-eurometropole-qpv",
        "local_services",
        [
            ("detection", "2020-01-20"),
            ("invention", "2020-05-11"),
            ("launch", "2020-12-01"),
            ("launched", "2021-04-06"),
        ],
        programme="fabrique-territoires-fragiles",
        need="Des habitants d'un quartier prioritaire de Strasbourg sans services de proximité, et des "
        "personnes éloignées de l'emploi.",
        solution="Une conciergerie de quartier co-construite avec les habitants, qui crée des emplois locaux.",
        study=(
            "2020-05-20",
            "2020-11-20",
            "favourable",
            "Demande confirmée par les bailleurs et les entreprises voisines.",
        ),
        holder=("Association de quartier porteuse de la conciergerie", "", "2020-11-25"),
        started_on="2021-04-06",
        indicators=(
            ("jobs_fte", "2.5", "2021-12-31", ""),
            ("people_reached", "320", "2021-12-31", "Usagers"),
        ),
        partners=("europe-fse",),
        published_on="2021-11-15",
        key_lessons="La co-construction avec les habitants a ancré la conciergerie dans le quartier.",
    ),
    _project(
        "toulouse-espace-couture",
        "Toulouse Espace Couture",
        "premiere-brique",
        "toulouse-metropole",
        "culture",
        [
            ("detection", "2017-03-06"),
            ("invention", "2017-09-04"),
            ("launch", "2018-04-02"),
            ("launched", "2018-10-01"),
        ],
        need="Des savoir-faire de couture présents dans les quartiers mais sans lieu pour les partager ni les "
        "valoriser.",
        solution="Un tiers-lieu dédié à la couture : ateliers partagés, formation, production.",
        study=("2017-09-15", "2018-03-15", "favourable", "Public et débouchés identifiés."),
        holder=("Collectif fondateur de Toulouse Espace Couture", "Toulouse Espace Couture", "2018-03-20"),
        started_on="2018-10-01",
        indicators=(("jobs_fte", "3", "2019-12-31", ""), ("people_reached", "450", "2019-12-31", "")),
        published_on="2019-06-01",
        key_lessons="Un lieu ouvert à tous crée des passerelles entre loisirs, formation et emploi.",
    ),
    _project(
        "la-glanerie",
        "La Glanerie",
        "premiere-brique",
        "toulouse-metropole",
        "circular_economy",
        [
            ("detection", "2015-02-02"),
            ("invention", "2015-06-01"),
            ("launch", "2016-01-11"),
            ("launched", "2016-06-06"),
        ],
        need="Des objets réutilisables jetés faute de filière locale de réemploi.",
        solution="Une ressourcerie qui collecte, valorise et revend des objets de seconde main.",
        study=("2015-06-15", "2015-12-15", "favourable", ""),
        holder=("Collectif fondateur de la Glanerie", "La Glanerie", "2015-12-20"),
        started_on="2016-06-06",
        indicators=(("jobs_fte", "6", "2017-12-31", ""),),
        published_on="2017-03-01",
    ),
    _project(
        "tiers-lieu-les-alouettes",
        "Tiers-lieu Les Alouettes",
        "premiere-brique",
        "toulouse-metropole",
        "culture",
        [
            ("detection", "2019-01-14"),
            ("invention", "2019-06-03"),
            ("launch", "2020-02-03"),
            ("launched", "2020-09-07"),
        ],
        need="Un manque de lieux de rencontre et d'activités partagées pour les habitants.",
        solution="Un tiers-lieu qui réunit activités économiques, culturelles et de lien social.",
        study=("2019-06-10", "2020-01-20", "favourable", ""),
        holder=("Association Les Alouettes", "Les Alouettes", "2020-01-25"),
        started_on="2020-09-07",
        indicators=(("people_reached", "600", "2021-12-31", ""),),
    ),
    _project(
        "conciergerie-solidaire-toulouse",
        "Conciergerie solidaire",
        "premiere-brique",
        "toulouse-metropole",
        "local_services",
        [
            ("detection", "2018-02-05"),
            ("invention", "2018-06-04"),
            ("launch", "2019-01-07"),
            ("launched", "2019-05-06"),
        ],
        need="Des salariés et des habitants sans services du quotidien à proximité.",
        solution="Une conciergerie solidaire qui emploie des personnes éloignées de l'emploi.",
        study=("2018-06-11", "2018-12-17", "favourable", ""),
        holder=("Conciergerie solidaire", "Conciergerie solidaire", "2018-12-20"),
        started_on="2019-05-06",
        indicators=(("jobs_fte", "4", "2020-12-31", ""),),
    ),
    _project(
        "tiers-lieu-26fk",
        "Tiers-lieu le 26FK",
        "courant-fort",
        "centre-ancien-annonay-qpv",
        "culture",
        [
            ("detection", "2018-03-05"),
            ("invention", "2018-11-05"),
            ("launch", "2019-03-04"),
            ("launched", "2019-11-04"),
        ],
        need="Un centre ancien marqué par la vacance des logements et des commerces, une population "
        "vieillissante et un sentiment d'abandon : un besoin de lien social.",
        solution="Un tiers-lieu avec un café associatif, une galerie d'art, puis un espace numérique et un "
        "repair café, porté avec le collectif 26FK.",
        study=("2018-11-12", "2019-02-25", "favourable", "Lieu identifié et structures prêtes à s'investir."),
        holder=("Collectif 26FK", "26FK", "2019-02-28"),
        started_on="2019-11-04",
        indicators=(
            ("people_reached", "110", "2018-09-30", "Habitants ayant contribué au diagnostic"),
            ("creativity_sessions", "6", "2018-09-30", "Animations sur les marchés"),
        ),
        published_on="2021-07-01",
        key_lessons="Partir des propositions des habitants et s'appuyer sur un collectif déjà constitué.",
    ),
    _project(
        "fonciere-solidaire-gironde",
        "Foncière solidaire de Gironde",
        "atis",
        "gironde",
        "housing",
        [("detection", "2019-09-02"), ("invention", "2020-06-01")],
        programme="transfert-savoir-faire-territoires-french-impact",
        need="Des porteurs de projets de l'ESS qui ne trouvent pas de locaux abordables.",
        solution="Une foncière solidaire qui acquiert et met à disposition des locaux pour les activités "
        "d'utilité sociale.",
        study=("2020-06-15", None, "pending", ""),
        indicators=(("creativity_sessions", "3", "2020-12-15", ""),),
    ),
    _project(
        "tiers-lieu-sorru-in-musica",
        "Tiers-lieu culturel avec Sorru in musica",
        "capi-corsica",
        "corse",
        "culture",
        [("detection", "2020-03-02"), ("invention", "2020-09-07"), ("launch", "2021-05-03")],
        need="Un territoire rural sans lieu culturel partagé toute l'année.",
        solution="Un tiers-lieu culturel porté avec l'association Sorru in musica.",
        study=("2020-09-14", "2021-04-19", "favourable", ""),
        holder=("Association Sorru in musica", "Sorru in musica", "2021-04-26"),
        partners=("sorru-in-musica",),
    ),
    # Silver Solidarités (2016–2018): "exemples de projets en cours de création".
    _project(
        "conciergerie-itinerante",
        "Conciergerie itinérante",
        "adress-normandie",
        "normandie",
        "ageing",
        [
            ("detection", "2016-03-07"),
            ("invention", "2016-09-05"),
            ("launch", "2017-06-06"),
            ("launched", "2018-01-08"),
        ],
        programme="silver-solidarites",
        need=SILVER_NEED,
        solution="Une conciergerie qui se déplace dans les villages pour rendre des services aux personnes âgées.",
        study=("2016-09-12", "2017-05-29", "favourable", ""),
        holder=("Porteuse de la conciergerie itinérante", "", "2017-06-01"),
        started_on="2018-01-08",
        indicators=(("people_reached", "140", "2018-12-31", ""),),
        partners=("ag2r-la-mondiale",),
    ),
    _project(
        "plateforme-aide-aux-aidants",
        "Plateforme d'aide aux aidants",
        "atis",
        "nouvelle-aquitaine",
        "ageing",
        [("detection", "2016-04-04"), ("invention", "2016-10-03"), ("launch", "2017-09-04")],
        programme="silver-solidarites",
        need=SILVER_NEED,
        solution="Une plateforme qui oriente et soulage les aidants familiaux.",
        study=("2016-10-10", "2017-08-28", "favourable", ""),
        holder=("Association d'aide à domicile partenaire", "", "2017-08-30"),
        partners=("ag2r-la-mondiale",),
    ),
    _project(
        "activites-micro-services",
        "Activités de micro-services",
        "inter-made",
        "provence-alpes-cote-d-azur",
        "ageing",
        [("detection", "2016-05-02"), ("invention", "2016-11-07"), ("abandoned", "2017-10-02")],
        programme="silver-solidarites",
        need=SILVER_NEED,
        solution="Des micro-services à domicile rendus par des habitants du quartier.",
        study=("2016-11-14", "2017-09-18", "unfavourable", "Modèle économique non viable sans aide durable."),
        abandon_reason="Étude d'opportunité défavorable : le modèle économique n'est pas viable sans aide "
        "durable.",
        partners=("ag2r-la-mondiale",),
    ),
    _project(
        "habitat-intergenerationnel",
        "Habitat intergénérationnel",
        "france-active-franche-comte",
        "bourgogne-franche-comte",
        "housing",
        [("detection", "2016-06-06"), ("invention", "2017-01-09"), ("launch", "2018-02-05")],
        programme="silver-solidarites",
        need=SILVER_NEED,
        solution="Un habitat qui réunit des seniors et des jeunes autour de services partagés.",
        study=("2017-01-16", "2018-01-29", "favourable", ""),
        holder=("Bailleur social partenaire", "", "2018-02-01"),
        partners=("ag2r-la-mondiale",),
    ),
    _project(
        "cabinet-rh-emploi-seniors",
        "Cabinet RH emploi des seniors",
        "premiere-brique",
        "occitanie",
        "employment",
        [
            ("detection", "2016-09-05"),
            ("invention", "2017-03-06"),
            ("launch", "2018-01-08"),
            ("launched", "2018-09-03"),
        ],
        programme="silver-solidarites",
        need="Des seniors écartés de l'emploi et des entreprises qui peinent à recruter.",
        solution="Un cabinet RH spécialisé dans l'emploi des seniors.",
        study=("2017-03-13", "2017-12-18", "favourable", ""),
        holder=("Fondatrice du cabinet RH", "", "2017-12-20"),
        started_on="2018-09-03",
        indicators=(("jobs_fte", "2", "2019-06-30", ""),),
        partners=("ag2r-la-mondiale",),
    ),
]
