# ruff: noqa: E501 - plain data: long French sentences read better unwrapped
"""Territories, member structures, their contacts and the peer committees, from the source texts.

A territory lists its départements by INSEE code (or its régions, whose départements are all linked), a
point for the map and a few communes used to name the synthetic projects. The FSE programme's areas
"QPV et rural" become two territories each (the quarters and the rural part)."""

from typing import Any

Row = dict[str, Any]


def _territory(
    slug: str,
    name: str,
    kind: str,
    point: tuple[float, float],
    places: list[str],
    *,
    departements: tuple[str, ...] = (),
    regions: tuple[str, ...] = (),
    country: str = "FR",
) -> Row:
    return {
        "slug": slug,
        "name": name,
        "kind": kind,
        "country": country,
        "departements": departements,
        "regions": regions,
        "latitude": point[0],
        "longitude": point[1],
        "places": places,
    }


def _fse_pair(slug: str, name: str, deps: tuple[str, ...], point: tuple[float, float], qpv, rural) -> list:
    """The FSE programme's "QPV et rural" areas: one territory for the quarters, one for the rural part."""
    lat, lon = point
    return [
        _territory(f"{slug}-qpv", f"{name} (QPV)", "qpv", (lat, lon), qpv, departements=deps),
        _territory(
            f"{slug}-rural", f"{name} (rural)", "rural", (lat - 0.15, lon + 0.2), rural, departements=deps
        ),
    ]


TERRITORIES: list[Row] = [
    # Fabrique à initiatives en territoires fragiles (FSE, 2020–2021): the areas listed by the text.
    _territory(
        "strasbourg-eurometropole-qpv",
        "Strasbourg Eurométropole (QPV)",
        "qpv",
        (48.5734, 7.7521),
        ["Hautepierre", "Neuhof", "Cronenbourg", "Schiltigheim", "Illkirch-Graffenstaden"],
        departements=("67",),
    ),
    _territory(
        "mulhouse-sud-alsace-qpv",
        "Mulhouse Sud Alsace agglomération (QPV)",
        "qpv",
        (47.7508, 7.3359),
        ["Mulhouse", "Illzach", "Wittenheim", "Rixheim", "Kingersheim"],
        departements=("68",),
    ),
    *_fse_pair(
        "normandie-orne-manche-seine-maritime",
        "Normandie – Orne, Manche et Seine-Maritime",
        ("61", "50", "76"),
        (49.2, -0.35),
        ["Rouen", "Le Havre", "Alençon", "Cherbourg-en-Cotentin", "Saint-Lô", "Flers"],
        ["Mortagne-au-Perche", "Villedieu-les-Poêles", "Neufchâtel-en-Bray", "Coutances", "Domfront"],
    ),
    *_fse_pair(
        "drome-ardeche",
        "Drôme-Ardèche",
        ("26", "07"),
        (44.93, 4.89),
        ["Valence", "Romans-sur-Isère", "Montélimar", "Privas", "Aubenas"],
        ["Die", "Crest", "Lamastre", "Le Cheylard", "Nyons"],
    ),
    *_fse_pair(
        "lyon-metropole",
        "Lyon métropole et alentours",
        ("69",),
        (45.764, 4.8357),
        ["Vaulx-en-Velin", "Vénissieux", "Villeurbanne", "Rillieux-la-Pape", "Bron"],
        ["Tarare", "Amplepuis", "Thizy-les-Bourgs", "Saint-Symphorien-sur-Coise"],
    ),
    *_fse_pair(
        "finistere-brest-metropole",
        "Finistère et Brest métropole",
        ("29",),
        (48.3904, -4.4861),
        ["Brest", "Quimper", "Morlaix", "Concarneau"],
        ["Carhaix-Plouguer", "Châteaulin", "Pleyben", "Huelgoat"],
    ),
    *_fse_pair(
        "ille-et-vilaine-rennes-metropole",
        "Ille-et-Vilaine et Rennes métropole",
        ("35",),
        (48.1173, -1.6778),
        ["Rennes", "Saint-Malo", "Fougères", "Vitré"],
        ["Redon", "Bain-de-Bretagne", "Montfort-sur-Meu", "Janzé"],
    ),
    *_fse_pair(
        "morbihan-vannes",
        "Morbihan et Vannes",
        ("56",),
        (47.6582, -2.7608),
        ["Vannes", "Lorient", "Lanester", "Hennebont"],
        ["Pontivy", "Ploërmel", "Josselin", "Questembert"],
    ),
    *_fse_pair(
        "franche-comte-besancon",
        "Franche-Comté et Besançon",
        ("25", "39", "70", "90"),
        (47.2378, 6.0241),
        ["Besançon", "Montbéliard", "Belfort", "Vesoul", "Dole"],
        ["Ornans", "Saint-Claude", "Lure", "Champagnole"],
    ),
    _territory(
        "aix-marseille-provence-qpv",
        "Aix Marseille Provence métropole (QPV)",
        "qpv",
        (43.2965, 5.3698),
        ["Marseille", "Aix-en-Provence", "Martigues", "Vitrolles", "Marignane"],
        departements=("13",),
    ),
    *_fse_pair(
        "limousin",
        "Limousin – Creuse, Corrèze, Haute-Vienne",
        ("23", "19", "87"),
        (45.8336, 1.2611),
        ["Limoges", "Brive-la-Gaillarde", "Tulle", "Guéret"],
        ["Aubusson", "Ussel", "Saint-Junien", "Bourganeuf"],
    ),
    # Emergence de garages solidaires (Fondation PSA, 2020–2021): the five territories.
    _territory(
        "pays-de-brest-carhaix",
        "Pays de Brest – Carhaix",
        "pays",
        (48.3, -4.1),
        ["Brest", "Landerneau", "Carhaix-Plouguer", "Lesneven", "Crozon", "Plougastel-Daoulas"],
        departements=("29",),
    ),
    _territory(
        "pays-perigord-vert",
        "Pays Périgord Vert",
        "pays",
        (45.45, 0.75),
        ["Nontron", "Brantôme en Périgord", "Ribérac", "Thiviers", "Excideuil"],
        departements=("24",),
    ),
    _territory(
        "argentanais",
        "L'argentanais",
        "intercommunalite",
        (48.7445, -0.0203),
        ["Argentan", "Écouché-les-Vallées", "Putanges-le-Lac", "Trun"],
        departements=("61",),
    ),
    _territory(
        "decines-charpieu",
        "Décines-Charpieu",
        "commune",
        (45.7694, 4.9592),
        ["Décines-Charpieu"],
        departements=("69",),
    ),
    _territory(
        "nord-drome-ardeche",
        "nord Drôme-Ardèche",
        "rural",
        (45.1, 4.8),
        ["Annonay", "Tournon-sur-Rhône", "Tain-l'Hermitage", "Saint-Vallier", "Saint-Donat-sur-l'Herbasse"],
        departements=("26", "07"),
    ),
    # Catalyseur (France Relance): the two sites followed by Fabriques.
    _territory("retiers", "Retiers", "commune", (47.9139, -1.3806), ["Retiers"], departements=("35",)),
    _territory(
        "seine-maritime",
        "Seine-Maritime",
        "departement",
        (49.65, 1.03),
        ["Rouen", "Le Havre", "Dieppe", "Elbeuf", "Fécamp", "Yvetot"],
        departements=("76",),
    ),
    # Silver Solidarités (AG2R La Mondiale, 2016–2018): the five régions.
    _territory(
        "provence-alpes-cote-d-azur",
        "Provence-Alpes-Côte d'Azur",
        "region",
        (43.9352, 6.0679),
        ["Marseille", "Nice", "Toulon", "Avignon", "Gap", "Digne-les-Bains"],
        regions=("93",),
    ),
    _territory(
        "occitanie",
        "Occitanie",
        "region",
        (43.8927, 3.2828),
        ["Toulouse", "Montpellier", "Nîmes", "Perpignan", "Albi", "Rodez"],
        regions=("76",),
    ),
    _territory(
        "nouvelle-aquitaine",
        "Nouvelle-Aquitaine",
        "region",
        (45.7087, 0.6269),
        ["Bordeaux", "Limoges", "Poitiers", "Pau", "La Rochelle", "Périgueux"],
        regions=("75",),
    ),
    _territory(
        "bourgogne-franche-comte",
        "Bourgogne-Franche-Comté",
        "region",
        (47.2805, 4.9994),
        ["Dijon", "Besançon", "Auxerre", "Nevers", "Lons-le-Saunier", "Mâcon"],
        regions=("27",),
    ),
    _territory(
        "normandie",
        "Normandie",
        "region",
        (49.1829, 0.3707),
        ["Rouen", "Caen", "Le Havre", "Évreux", "Alençon", "Saint-Lô"],
        regions=("28",),
    ),
    # Where the member structures act.
    _territory(
        "cotes-d-armor",
        "Côtes-d'Armor",
        "departement",
        (48.45, -2.85),
        ["Saint-Brieuc", "Lannion", "Dinan", "Guingamp", "Loudéac", "Lamballe-Armor"],
        departements=("22",),
    ),
    _territory(
        "gironde",
        "Gironde",
        "departement",
        (44.84, -0.58),
        ["Bordeaux", "Mérignac", "Libourne", "Langon", "Lesparre-Médoc", "Blaye"],
        departements=("33",),
    ),
    _territory(
        "toulouse-metropole",
        "Toulouse Métropole",
        "intercommunalite",
        (43.6045, 1.444),
        ["Toulouse", "Blagnac", "Colomiers", "Tournefeuille", "Balma"],
        departements=("31",),
    ),
    _territory(
        "pays-ledonien",
        "Pays Lédonien",
        "pays",
        (46.6744, 5.5558),
        ["Lons-le-Saunier", "Montmorot", "Conliège", "Bletterans", "Perrigny"],
        departements=("39",),
    ),
    _territory(
        "saone-et-loire",
        "Saône-et-Loire",
        "departement",
        (46.65, 4.55),
        ["Chalon-sur-Saône", "Mâcon", "Le Creusot", "Autun", "Montceau-les-Mines", "Paray-le-Monial"],
        departements=("71",),
    ),
    _territory(
        "cote-d-or",
        "Côte-d'Or",
        "departement",
        (47.42, 4.77),
        ["Dijon", "Beaune", "Montbard", "Auxonne", "Châtillon-sur-Seine"],
        departements=("21",),
    ),
    _territory(
        "yonne",
        "Yonne",
        "departement",
        (47.85, 3.57),
        ["Auxerre", "Sens", "Avallon", "Joigny", "Tonnerre"],
        departements=("89",),
    ),
    _territory(
        "nievre",
        "Nièvre",
        "departement",
        (47.1, 3.5),
        ["Nevers", "Cosne-Cours-sur-Loire", "Decize", "Clamecy", "Château-Chinon"],
        departements=("58",),
    ),
    _territory(
        "jura-doubs-haute-saone-territoire-de-belfort",
        "Jura, Doubs, Haute-Saône et Territoire de Belfort",
        "departement",
        (47.3, 6.2),
        ["Besançon", "Vesoul", "Belfort", "Montbéliard", "Pontarlier", "Dole"],
        departements=("39", "25", "70", "90"),
    ),
    _territory(
        "centre-ancien-annonay-qpv",
        "Centre ancien d'Annonay (QPV)",
        "qpv",
        (45.2397, 4.6707),
        ["Annonay"],
        departements=("07",),
    ),
    _territory(
        "corse",
        "Corse",
        "region",
        (42.15, 9.1),
        ["Ajaccio", "Bastia", "Corte", "Vico", "Porto-Vecchio", "Calvi"],
        regions=("94",),
    ),
    # The partnerships' places.
    _territory(
        "tarnos",
        "Tarnos",
        "commune",
        (43.5417, -1.4606),
        ["Tarnos"],
        departements=("40",),
    ),
    _territory(
        "lanaudiere",
        "Lanaudière",
        "region",
        (46.0183, -73.4408),
        ["Joliette", "Terrebonne", "Repentigny", "L'Assomption"],
        country="CA",
    ),
]

DEMO_NOTE = "Structure de démonstration : les textes sources nomment le territoire, pas la structure."

# phases: the appellation path as (phase, date) from the first step; the last one is the current phase.
STRUCTURES: list[Row] = [
    {
        "slug": "tag22",
        "name": "TAg22",
        "legal_form": "association",
        "departement": "22",
        "city": "",
        "territories": ["cotes-d-armor"],
        "description": "Propulseur d'entrepreneuriat collectif des Côtes-d'Armor : émergence de solutions "
        "entrepreneuriales pour répondre aux défis du territoire costarmoricain.",
        "phases": [
            ("candidate", "2018-06-01"),
            ("experimentation", "2018-09-01"),
            ("application", "2021-03-15"),
            ("labelled", "2021-06-17"),
        ],
    },
    {
        "slug": "tag29",
        "name": "TAg29",
        "legal_form": "association",
        "departement": "29",
        "city": "",
        "territories": [
            "pays-de-brest-carhaix",
            "finistere-brest-metropole-qpv",
            "finistere-brest-metropole-rural",
        ],
        "description": "Propulseur d'entrepreneuriat collectif du Finistère, qui porte le « Révélateur ».",
        "phases": [
            ("candidate", "2018-06-01"),
            ("experimentation", "2018-09-01"),
            ("application", "2021-03-15"),
            ("labelled", "2021-06-17"),
        ],
    },
    {
        "slug": "tag35",
        "name": "TAg35",
        "legal_form": "association",
        "departement": "35",
        "city": "Rennes",
        "territories": [
            "retiers",
            "ille-et-vilaine-rennes-metropole-qpv",
            "ille-et-vilaine-rennes-metropole-rural",
        ],
        "description": "Propulseur d'entrepreneuriat collectif d'Ille-et-Vilaine ; accompagne le CCAS et la "
        "commune de Retiers dans le cadre de Catalyseur.",
        "phases": [
            ("candidate", "2015-09-01"),
            ("experimentation", "2016-01-01"),
            ("application", "2019-03-01"),
            ("labelled", "2019-06-20"),
        ],
    },
    {
        "slug": "adress-normandie",
        "name": "ADRESS Normandie",
        "legal_form": "association",
        "departement": "76",
        "city": "Rouen",
        "territories": [
            "seine-maritime",
            "argentanais",
            "normandie-orne-manche-seine-maritime-qpv",
            "normandie-orne-manche-seine-maritime-rural",
            "normandie",
        ],
        "description": "Agence pour le développement régional de l'économie sociale et solidaire en Normandie.",
        "phases": [
            ("candidate", "2010-06-01"),
            ("experimentation", "2010-09-01"),
            ("application", "2013-03-01"),
            ("labelled", "2013-06-20"),
        ],
    },
    {
        "slug": "atis",
        "name": "ATIS",
        "legal_form": "association",
        "departement": "33",
        "city": "Bordeaux",
        "territories": ["gironde", "nouvelle-aquitaine"],
        "description": "Catalyseur d'innovation sociale en Gironde.",
        "phases": [
            ("candidate", "2012-06-01"),
            ("experimentation", "2012-09-01"),
            ("application", "2015-03-01"),
            ("labelled", "2015-06-18"),
        ],
    },
    {
        "slug": "premiere-brique",
        "name": "Première Brique",
        "legal_form": "association",
        "departement": "31",
        "city": "Toulouse",
        "territories": ["toulouse-metropole", "occitanie"],
        "description": "Fabrique à initiatives de Toulouse : Les Alouettes, la Glanerie, Toulouse Espace "
        "couture, la Conciergerie solidaire.",
        "phases": [
            ("candidate", "2013-06-01"),
            ("experimentation", "2013-09-01"),
            ("application", "2016-03-01"),
            ("labelled", "2016-06-16"),
        ],
    },
    {
        "slug": "france-active-nouvelle-aquitaine",
        "name": "France Active Nouvelle-Aquitaine",
        "legal_form": "france_active",
        "departement": "87",
        "city": "Limoges",
        "territories": ["limousin-qpv", "limousin-rural", "pays-perigord-vert"],
        "description": "Fabrique à initiatives en Limousin, après trois années d'expérimentation.",
        "phases": [
            ("candidate", "2018-03-01"),
            ("experimentation", "2018-06-01"),
            ("application", "2021-03-15"),
            ("labelled", "2021-06-17"),
        ],
    },
    {
        "slug": "france-active-alsace",
        "name": "France Active Alsace",
        "legal_form": "france_active",
        "departement": "67",
        "city": "Strasbourg",
        "territories": ["strasbourg-eurometropole-qpv", "mulhouse-sud-alsace-qpv"],
        "description": "A co-construit la Conciergerie d'Ampère à Strasbourg.",
        "phases": [
            ("candidate", "2018-03-01"),
            ("experimentation", "2018-06-01"),
            ("application", "2021-03-15"),
            ("labelled", "2021-06-17"),
        ],
    },
    {
        "slug": "clus-ter-jura",
        "name": "Clus'Ter Jura",
        "legal_form": "scic",
        "departement": "39",
        "city": "Lons-le-Saunier",
        "territories": ["pays-ledonien"],
        "description": "Générateur du Pays Lédonien structuré en SCIC, membre du Générateur BFC ; met en œuvre "
        "Start-Up de Territoire.",
        "phases": [
            ("candidate", "2018-06-01"),
            ("experimentation", "2018-09-01"),
            ("application", "2021-03-15"),
            ("labelled", "2021-06-17"),
        ],
    },
    {
        "slug": "active-saone-et-loire",
        "name": "Active",
        "legal_form": "association",
        "departement": "71",
        "city": "",
        "territories": ["saone-et-loire"],
        "description": "Active, Pôle de l'économie solidaire, sur le Département de la Saône-et-Loire ; "
        "membre du Générateur BFC.",
        "phases": [
            ("candidate", "2018-06-01"),
            ("experimentation", "2018-09-01"),
            ("application", "2021-03-15"),
            ("labelled", "2021-06-17"),
        ],
    },
    {
        "slug": "pole-economie-solidaire-21",
        "name": "Pôle d'Économie Solidaire 21",
        "legal_form": "association",
        "departement": "21",
        "city": "Dijon",
        "territories": ["cote-d-or"],
        "description": "Sur le Département de la Côte-d'Or ; membre du Générateur BFC.",
        "phases": [
            ("candidate", "2018-06-01"),
            ("experimentation", "2018-09-01"),
            ("application", "2021-03-15"),
            ("labelled", "2021-06-17"),
        ],
    },
    {
        "slug": "foyers-ruraux-yonne",
        "name": "Fédération Départementale des Foyers Ruraux de l'Yonne",
        "legal_form": "association",
        "departement": "89",
        "city": "",
        "territories": ["yonne"],
        "description": "Sur le Département de l'Yonne ; membre du Générateur BFC.",
        "phases": [
            ("candidate", "2018-06-01"),
            ("experimentation", "2018-09-01"),
            ("application", "2021-03-15"),
            ("labelled", "2021-06-17"),
        ],
    },
    {
        "slug": "france-active-franche-comte",
        "name": "France Active Franche-Comté",
        "legal_form": "france_active",
        "departement": "25",
        "city": "Besançon",
        "territories": [
            "jura-doubs-haute-saone-territoire-de-belfort",
            "franche-comte-besancon-qpv",
            "franche-comte-besancon-rural",
            "bourgogne-franche-comte",
        ],
        "description": "Sur les Départements du Jura, du Doubs, de la Haute-Saône et du Territoire de Belfort "
        "(appellation obtenue auparavant) ; membre du Générateur BFC.",
        "phases": [
            ("candidate", "2011-06-01"),
            ("experimentation", "2011-09-01"),
            ("application", "2014-03-01"),
            ("labelled", "2014-06-19"),
        ],
    },
    {
        "slug": "france-active-bourgogne",
        "name": "France Active Bourgogne",
        "legal_form": "france_active",
        "departement": "58",
        "city": "",
        "territories": ["nievre"],
        "description": "Sur le Département de la Nièvre ; membre du Générateur BFC.",
        "phases": [
            ("candidate", "2018-06-01"),
            ("experimentation", "2018-09-01"),
            ("application", "2021-03-15"),
            ("labelled", "2021-06-17"),
        ],
    },
    {
        "slug": "courant-fort",
        "name": "Courant Fort",
        "legal_form": "association",
        "departement": "07",
        "city": "",
        "territories": [
            "centre-ancien-annonay-qpv",
            "nord-drome-ardeche",
            "drome-ardeche-qpv",
            "drome-ardeche-rural",
        ],
        "description": "Fabrique à initiatives en Drôme-Ardèche ; a accompagné l'émergence du tiers-lieu le 26FK.",
        "phases": [
            ("candidate", "2017-06-01"),
            ("experimentation", "2017-09-01"),
            ("application", "2026-11-02"),
        ],
    },
    {
        "slug": "inter-made",
        "name": "Inter-Made",
        "legal_form": "association",
        "departement": "13",
        "city": "Marseille",
        "territories": ["aix-marseille-provence-qpv", "provence-alpes-cote-d-azur"],
        "description": "Incubateur de l'ESS à Marseille ; collabore avec la Friche de la Belle de Mai.",
        "phases": [
            ("candidate", "2016-06-01"),
            ("experimentation", "2016-09-01"),
            ("application", "2019-03-01"),
            ("labelled", "2019-06-20"),
        ],
    },
    {
        "slug": "capi-corsica",
        "name": "CAPI Corsica",
        "legal_form": "association",
        "departement": "2A",
        "city": "",
        "territories": ["corse"],
        "description": "A accompagné l'émergence d'un tiers-lieu avec l'association Sorru in musica.",
        "phases": [("candidate", "2019-06-01"), ("experimentation", "2019-09-01")],
    },
    {
        "slug": "fabrique-lyon-metropole",
        "name": "Fabrique à initiatives Lyon métropole",
        "legal_form": "other",
        "departement": "69",
        "city": "",
        "territories": ["lyon-metropole-qpv", "lyon-metropole-rural", "decines-charpieu"],
        "description": DEMO_NOTE,
        "phases": [("candidate", "2019-01-01"), ("experimentation", "2019-03-01")],
    },
    {
        "slug": "fabrique-morbihan",
        "name": "Fabrique à initiatives du Morbihan",
        "legal_form": "other",
        "departement": "56",
        "city": "",
        "territories": ["morbihan-vannes-qpv", "morbihan-vannes-rural"],
        "description": DEMO_NOTE,
        "phases": [("candidate", "2019-01-01"), ("experimentation", "2019-03-01")],
    },
]

# The people the texts name, with their words.
CONTACTS: list[Row] = [
    {"structure": "tag22", "name": "Mathilde Lebreton", "role": "Responsable Emergence"},
    {"structure": "tag29", "name": "Sindy Quéré", "role": "Responsable Révélateur"},
    {"structure": "clus-ter-jura", "name": "Maï-Lys Regad", "role": "Cheffe de projets"},
    {
        "structure": "france-active-nouvelle-aquitaine",
        "name": "Véronique Faurie",
        "role": "Chargée de mission Fabrique à initiatives",
    },
]

# The session that granted the appellation to the nine structures of the text "9 nouvelles structures
# rejoignent la Fabrique à initiatives" (France Active Franche-Comté held it already), and a planned one.
# France Active Franche-Comté does not sit on the first: it belongs to the Générateur BFC, like five
# applicants (a conflict of interest).
COMMITTEES: list[Row] = [
    {
        "held_on": "2021-06-17",
        "place": "En visioconférence",
        "status": "held",
        "notes": "Neuf nouvelles structures rejoignent le réseau avec l'appellation.",
        "members": ["adress-normandie", "atis", "premiere-brique", "tag35", "inter-made"],
        "applications": [
            {"structure": slug, "submitted": "2021-03-15", "decision": "granted"}
            for slug in (
                "tag22",
                "tag29",
                "france-active-nouvelle-aquitaine",
                "france-active-alsace",
                "clus-ter-jura",
                "active-saone-et-loire",
                "pole-economie-solidaire-21",
                "foyers-ruraux-yonne",
                "france-active-bourgogne",
            )
        ],
    },
    {
        "held_on": "2026-12-15",
        "place": "Avise, Paris",
        "status": "planned",
        "notes": "",
        "members": ["atis", "adress-normandie", "tag22", "clus-ter-jura"],
        "applications": [
            {
                "structure": "courant-fort",
                "submitted": "2026-11-02",
                "decision": "",
                "territorial_anchoring": "Fabrique à initiatives en Drôme-Ardèche depuis 2017, en quartier "
                "prioritaire (centre ancien d'Annonay) et en zone rurale (nord Drôme-Ardèche).",
                "partnerships": "Commune d'Annonay (contrat de ville), Fondation PSA (garages solidaires), "
                "Fonds social européen (territoires fragiles).",
                "know_how": "Diagnostics participatifs avec les habitants, groupes-projets, études "
                "d'opportunité ; tiers-lieu le 26FK, garage solidaire du nord Drôme-Ardèche.",
                "outlook": "Étendre la démarche aux territoires ruraux de la Drôme.",
            }
        ],
    },
]
