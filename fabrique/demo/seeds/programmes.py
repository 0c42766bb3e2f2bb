# ruff: noqa: E501 - plain data: long French sentences read better unwrapped
"""Partner organisations, the national thematic programmes, their funders and participating structures."""

from typing import Any

Row = dict[str, Any]


def _partner(slug: str, name: str, kind: str, description: str = "", *, national: bool = False) -> Row:
    return {"slug": slug, "name": name, "kind": kind, "is_national": national, "description": description}


PARTNERS: list[Row] = [
    # The three national partners of the Fabrique à initiatives.
    _partner(
        "europe-fse",
        "L'Europe – Fonds social européen (FSE)",
        "europe",
        "Le FSE est l'un des Fonds structurels de l'Union européenne ; il se consacre à la promotion de l'emploi "
        "au sein de l'UE.",
        national=True,
    ),
    _partner(
        "banque-des-territoires",
        "Banque des territoires (Caisse des Dépôts)",
        "public_bank",
        "Le groupe Caisse des Dépôts, investisseur de long terme au service de l'intérêt général et du "
        "développement économique du pays.",
        national=True,
    ),
    _partner(
        "anct",
        "Agence nationale de cohésion des territoires (ANCT)",
        "state",
        "Conseille et appuie le Gouvernement dans la lutte contre les inégalités territoriales.",
        national=True,
    ),
    # Programme funders and co-operators.
    _partner("fondation-psa", "Fondation PSA", "foundation"),
    _partner("ag2r-la-mondiale", "AG2R La Mondiale", "company"),
    _partner("fondation-credit-cooperatif", "Fondation Crédit Coopératif", "foundation"),
    _partner("festival-d-avignon", "Festival d'Avignon", "culture"),
    _partner("federation-nationale-des-cuma", "Fédération nationale des Cuma", "network"),
    _partner("france-relance", "France Relance", "state"),
    _partner("codesign-it", "Codesign-it", "company"),
    _partner("familles-rurales", "Familles Rurales", "network"),
    _partner("france-fraternites", "France Fraternités", "network"),
    _partner("reseau-cocagne", "Réseau Cocagne", "network"),
    _partner("reseau-des-banques-alimentaires", "Réseau des Banques Alimentaires", "network"),
    _partner("rtes", "RTES", "network"),
    _partner("union-nationale-des-cpie", "Union nationale des CPIE", "network"),
    _partner("vrac", "Vrac", "network"),
    _partner("le-french-impact", "Le French Impact", "network"),
    # Local partners of the example projects.
    _partner("reseau-civam", "Réseau CIVAM", "network"),
    _partner("departement-seine-maritime", "Département de la Seine-Maritime", "local_authority"),
    _partner("ccas-retiers", "CCAS et commune de Retiers", "local_authority"),
    _partner("friche-la-belle-de-mai", "Friche de la Belle de Mai", "culture"),
    _partner("sorru-in-musica", "Sorru in musica", "culture"),
    # Supporters of the Québec–France partnerships.
    _partner("cpcfq", "Commission permanente de coopération franco-québécoise (CPCFQ)", "state"),
    _partner("parcours-numerique-quebec-france", "Parcours numérique Québec-France", "state"),
    _partner("lojiq", "Les Offices jeunesse internationaux du Québec (LOJIQ)", "state"),
    _partner("cegep-regional-de-lanaudiere", "Cégep régional de Lanaudière", "other"),
    _partner(
        "federation-des-cegeps",
        "Fédération des cégeps",
        "network",
        "Gère le Programme de soutien à la mobilité professionnelle des cégeps du ministère de l'Enseignement "
        "supérieur.",
    ),
]

# participations: (structure, territory, start, end or None); synthetic_sectors: the sectors of the
# synthetic projects placed in the programme (none: no synthetic project in it).
PROGRAMMES: list[Row] = [
    {
        "slug": "fabrique-territoires-fragiles",
        "name": "Fabrique à initiatives en territoires fragiles",
        "theme": "Territoires fragiles (QPV et rural)",
        "summary": "Une offre d'accompagnement commune Fabrique à initiatives adaptée aux territoires fragiles, "
        "pour développer des activités de l'ESS créatrices d'emploi et de lien social.",
        "description": "Mis en œuvre en 2020-2021 par l'Avise en tant qu'organisme intermédiaire du Fonds social "
        "européen (FSE). Dans 57 territoires ruraux et quartiers prioritaires de la politique de la ville, les "
        "structures porteuses animent des démarches-projet en partant des besoins et idées des habitants et "
        "des acteurs locaux : détecter les besoins sociaux, inventer des solutions et valider leur pertinence "
        "par des études d'opportunité, identifier un porteur de projet et accompagner l'amorçage. "
        "11 fiches-projet capitalisent les facteurs clés de succès.",
        "start": "2020-01-01",
        "end": "2021-12-31",
        "fundings": [("europe-fse", "funder")],
        "participations": [
            ("france-active-alsace", "strasbourg-eurometropole-qpv"),
            ("france-active-alsace", "mulhouse-sud-alsace-qpv"),
            ("adress-normandie", "normandie-orne-manche-seine-maritime-qpv"),
            ("adress-normandie", "normandie-orne-manche-seine-maritime-rural"),
            ("courant-fort", "drome-ardeche-qpv"),
            ("courant-fort", "drome-ardeche-rural"),
            ("fabrique-lyon-metropole", "lyon-metropole-qpv"),
            ("fabrique-lyon-metropole", "lyon-metropole-rural"),
            ("tag29", "finistere-brest-metropole-qpv"),
            ("tag29", "finistere-brest-metropole-rural"),
            ("tag35", "ille-et-vilaine-rennes-metropole-qpv"),
            ("tag35", "ille-et-vilaine-rennes-metropole-rural"),
            ("fabrique-morbihan", "morbihan-vannes-qpv"),
            ("fabrique-morbihan", "morbihan-vannes-rural"),
            ("france-active-franche-comte", "franche-comte-besancon-qpv"),
            ("france-active-franche-comte", "franche-comte-besancon-rural"),
            ("inter-made", "aix-marseille-provence-qpv"),
            ("france-active-nouvelle-aquitaine", "limousin-qpv"),
            ("france-active-nouvelle-aquitaine", "limousin-rural"),
        ],
        "synthetic_sectors": [
            "mobility",
            "food",
            "local_services",
            "employment",
            "circular_economy",
            "health",
            "culture",
        ],
    },
    {
        "slug": "emergence-garages-solidaires",
        "name": "Emergence de garages solidaires",
        "theme": "Mobilité inclusive",
        "summary": "Soutenir l'émergence de solutions de mobilité sous forme de garages solidaires.",
        "description": "Lancé en 2020-2021 dans le cadre d'un partenariat structurant entre la Fondation PSA et "
        "l'Avise. Dans 5 territoires, les structures porteuses de la Fabrique à initiatives ont analysé les "
        "besoins de mobilité, constitué un groupe-projet pour étudier et modéliser une solution de garage "
        "solidaire, et accompagné une structure porteuse identifiée vers le lancement de l'activité. Un guide "
        "« Mobilité inclusive » capitalise les conditions de succès.",
        "start": "2020-01-01",
        "end": "2021-12-31",
        "fundings": [("fondation-psa", "funder")],
        "participations": [
            ("tag29", "pays-de-brest-carhaix"),
            ("france-active-nouvelle-aquitaine", "pays-perigord-vert"),
            ("adress-normandie", "argentanais"),
            ("fabrique-lyon-metropole", "decines-charpieu"),
            ("courant-fort", "nord-drome-ardeche"),
        ],
        "synthetic_sectors": ["mobility"],
    },
    {
        "slug": "silver-solidarites",
        "name": "Silver Solidarités",
        "theme": "Bien-vieillir",
        "summary": "Soutenir l'émergence et le changement d'échelle de projets socialement innovants en faveur "
        "du bien-vieillir.",
        "description": "Issu d'un partenariat structurant entre AG2R La Mondiale et l'Avise, lancé en 2015. De "
        "2016 à 2018, les structures porteuses de la Fabrique à initiatives de 5 régions sont intervenues avec "
        "les délégations régionales d'AG2R La Mondiale : conciergerie itinérante, plateforme d'aide aux "
        "aidants, activités de micro-services, habitat intergénérationnel, cabinet RH emploi des seniors.",
        "start": "2016-01-01",
        "end": "2018-12-31",
        "fundings": [("ag2r-la-mondiale", "funder")],
        "participations": [
            ("inter-made", "provence-alpes-cote-d-azur"),
            ("premiere-brique", "occitanie"),
            ("atis", "nouvelle-aquitaine"),
            ("france-active-franche-comte", "bourgogne-franche-comte"),
            ("adress-normandie", "normandie"),
        ],
        "synthetic_sectors": ["ageing"],
    },
    {
        "slug": "catalyseur",
        "name": "Catalyseur",
        "theme": "Alimentation locale et solidaire",
        "summary": "Programme d'incubation de projets innovants multi-acteurs et territoriaux, lauréat France "
        "Relance sur le volet alimentation locale et solidaire.",
        "description": "La Fédération nationale des Cuma mène ce projet en partenariat avec l'Avise, Codesign-it, "
        "Familles Rurales, France Fraternités, le Réseau Cocagne, le Réseau des Banques Alimentaires, le RTES, "
        "l'Union nationale des CPIE et Vrac, pour accompagner 21 sites pilotes qui conçoivent de nouveaux "
        "modèles de circuits courts à destination des personnes précaires. Deux sites pilotes sont accompagnés "
        "par des Fabriques à initiatives : le TAg35 avec le CCAS et la commune de Retiers, l'ADRESS avec le "
        "département de la Seine-Maritime et le réseau CIVAM.",
        "start": "2021-09-01",
        "end": "2023-12-31",
        "fundings": [
            ("federation-nationale-des-cuma", "lead"),
            ("france-relance", "funder"),
            ("codesign-it", "co_operator"),
            ("familles-rurales", "co_operator"),
            ("france-fraternites", "co_operator"),
            ("reseau-cocagne", "co_operator"),
            ("reseau-des-banques-alimentaires", "co_operator"),
            ("rtes", "co_operator"),
            ("union-nationale-des-cpie", "co_operator"),
            ("vrac", "co_operator"),
        ],
        "participations": [("tag35", "retiers"), ("adress-normandie", "seine-maritime")],
        "synthetic_sectors": ["food"],
    },
    {
        "slug": "ateliers-fabrique-ephemere-avignon-2021",
        "name": "Ateliers Fabrique à initiatives éphémères – Festival d'Avignon 2021",
        "theme": "Culture et tiers-lieux culturels",
        "summary": "S'immerger dans le métier des Fabriques à initiatives et co-construire un projet de "
        "tiers-lieu culturel.",
        "description": "En partenariat avec la Fondation Crédit Coopératif et le Festival d'Avignon, à "
        "l'occasion des 4e Rencontres 2021 « Culture & économie sociale et solidaire » sur les tiers-lieux "
        "culturels, l'Avise et 4 structures Fabrique à initiatives ont organisé des ateliers : Courant Fort "
        "(tiers-lieu le 26FK), Première Brique (Toulouse Espace Couture), Inter-Made (Friche de la Belle de "
        "Mai) et CAPI Corsica (Sorru in musica).",
        "start": "2021-07-01",
        "end": "2021-07-31",
        "fundings": [("fondation-credit-cooperatif", "funder"), ("festival-d-avignon", "host")],
        "participations": [
            ("courant-fort", "centre-ancien-annonay-qpv"),
            ("premiere-brique", "toulouse-metropole"),
            ("inter-made", "aix-marseille-provence-qpv"),
            ("capi-corsica", "corse"),
        ],
        "synthetic_sectors": [],
    },
    {
        "slug": "transfert-savoir-faire-territoires-french-impact",
        "name": "Transfert de savoir-faire des Territoires French Impact",
        "theme": "Coopération territoriale",
        "summary": "Un dispositif de professionnalisation de pair à pair entre acteurs de l'ESS des 27 "
        "Territoires French Impact labellisés en 2019.",
        "description": "Depuis 2020, dans le cadre d'un partenariat entre l'Avise et Le French Impact, un "
        "collectif « Territoire French Impact », ou une entreprise de l'ESS qui en fait partie, bénéficie d'un "
        "partage d'expérience et d'un transfert de compétences par un professionnel d'une entreprise de l'ESS "
        "expérimentée, membre d'un autre Territoire French Impact. Le dispositif existe aussi en format "
        "collectif (visite apprenante).",
        "start": "2020-01-01",
        "end": None,
        "fundings": [("le-french-impact", "funder")],
        "participations": [
            ("atis", "gironde", "2020-11-15"),
            ("clus-ter-jura", "pays-ledonien", "2020-10-23"),
        ],
        "synthetic_sectors": [],
    },
]
