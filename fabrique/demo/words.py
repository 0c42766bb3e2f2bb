"""Word lists the synthetic projects are built from: activities per sector, needs, solutions, reasons."""

# The activity that names a project, per sector ("Épicerie solidaire" + " de Retiers").
ACTIVITIES: dict[str, list[str]] = {
    "mobility": [
        "Garage solidaire",
        "Auto-école sociale",
        "Plateforme de mobilité solidaire",
        "Transport solidaire à la demande",
        "Atelier vélo participatif",
        "Location solidaire de véhicules",
    ],
    "food": [
        "Épicerie solidaire",
        "Cuisine partagée",
        "Légumerie d'insertion",
        "Restaurant solidaire",
        "Magasin de producteurs",
        "Groupement d'achat solidaire",
    ],
    "ageing": [
        "Conciergerie itinérante",
        "Plateforme d'aide aux aidants",
        "Habitat intergénérationnel",
        "Micro-services aux seniors",
        "Cabinet RH emploi des seniors",
    ],
    "culture": [
        "Tiers-lieu culturel",
        "Café associatif",
        "Friche artistique",
        "Fabrique culturelle partagée",
    ],
    "housing": [
        "Habitat partagé",
        "Foncière solidaire",
        "Résidence intergénérationnelle",
        "Chantier d'auto-réhabilitation accompagnée",
    ],
    "local_services": [
        "Conciergerie solidaire",
        "Multiservice rural",
        "Maison de services partagés",
        "Pressing solidaire",
    ],
    "employment": [
        "Entreprise à but d'emploi",
        "Atelier chantier d'insertion",
        "Groupement d'employeurs",
        "Couveuse d'activités",
    ],
    "circular_economy": [
        "Ressourcerie",
        "Recyclerie",
        "Atelier de réparation",
        "Matériauthèque",
        "Atelier couture et réemploi textile",
    ],
    "health": [
        "Centre de santé participatif",
        "Maison de répit",
        "Plateforme de coordination santé-social",
    ],
    "other": [
        "Lieu de médiation numérique",
        "Coopérative de services numériques",
    ],
}

# "{place}" becomes "de Retiers", "du Havre"…; "{at}" becomes "à Retiers", "au Havre"…
NEEDS: dict[str, list[str]] = {
    "mobility": [
        "Des habitants {place} sans solution de mobilité pour aller travailler ou se former.",
        "Des véhicules trop coûteux à réparer pour les ménages modestes {place}.",
    ],
    "food": [
        "Des ménages précaires {place} éloignés d'une alimentation de qualité.",
        "Des producteurs locaux {place} sans débouchés vers les publics fragiles.",
    ],
    "ageing": [
        "Des personnes âgées isolées {place} et des aidants épuisés.",
        "Des seniors {place} sans services adaptés pour rester chez eux.",
    ],
    "culture": [
        "Aucun lieu de rencontre et de culture partagé pour les habitants {place}.",
        "Des artistes et des associations {place} sans lieu pour travailler ensemble.",
    ],
    "housing": [
        "Des logements vacants {at} alors que des jeunes et des seniors cherchent à se loger.",
        "Des porteurs de projets {place} sans locaux abordables.",
    ],
    "local_services": [
        "Des services du quotidien qui ont quitté le centre {place}.",
        "Des habitants {place} qui font des dizaines de kilomètres pour des démarches simples.",
    ],
    "employment": [
        "Des personnes éloignées de l'emploi {place} et des entreprises qui peinent à recruter.",
        "Des chômeurs de longue durée {place} sans perspective d'activité.",
    ],
    "circular_economy": [
        "Des objets réutilisables jetés {at}, faute de filière de réemploi.",
        "Des déchets textiles et d'équipement en hausse {at}.",
    ],
    "health": [
        "Un désert médical {at} et des patients sans suivi.",
        "Des professionnels de santé et du social {place} qui travaillent sans se coordonner.",
    ],
    "other": [
        "Des habitants {place} éloignés du numérique et des démarches en ligne.",
    ],
}

SOLUTIONS: dict[str, list[str]] = {
    "mobility": [
        "Réparer et louer des véhicules à petit prix avec des salariés en insertion.",
        "Mutualiser des véhicules et organiser du transport solidaire avec des bénévoles.",
    ],
    "food": [
        "Ouvrir un lieu d'approvisionnement solidaire en circuit court.",
        "Cuisiner et transformer des produits locaux avec des personnes en insertion.",
    ],
    "ageing": [
        "Proposer des services à domicile et des temps de répit pour les aidants.",
        "Créer un habitat partagé entre générations autour de services communs.",
    ],
    "culture": [
        "Ouvrir un tiers-lieu qui mêle activités culturelles, économiques et de lien social.",
        "Mutualiser un lieu et des équipements entre associations et artistes.",
    ],
    "housing": [
        "Acquérir et rénover des locaux pour les louer à des activités d'utilité sociale.",
        "Accompagner des habitants dans la rénovation de leur logement.",
    ],
    "local_services": [
        "Regrouper des services de proximité dans un lieu tenu par des salariés du territoire.",
        "Proposer une conciergerie qui se déplace dans les communes.",
    ],
    "employment": [
        "Créer des emplois utiles au territoire pour des personnes privées d'emploi.",
        "Mutualiser des emplois entre entreprises et associations du territoire.",
    ],
    "circular_economy": [
        "Collecter, réparer et revendre des objets de seconde main.",
        "Transformer des textiles usagés dans un atelier d'insertion.",
    ],
    "health": [
        "Ouvrir un centre de santé géré avec les usagers.",
        "Coordonner les acteurs de santé et du social autour des patients fragiles.",
    ],
    "other": [
        "Accompagner les habitants dans leurs usages numériques.",
    ],
}

STUDY_SUMMARIES = [
    "Besoin confirmé par une enquête auprès des habitants ; modèle économique à l'équilibre en trois ans.",
    "Demande solvable identifiée ; partenaires financiers et local disponibles.",
    "Public cible et débouchés confirmés par les acteurs locaux.",
]

UNFAVOURABLE_SUMMARIES = [
    "Demande insuffisante pour un modèle économique viable.",
    "Offre existante à proximité : le projet ferait doublon.",
]

ABANDON_REASONS: dict[str, list[str]] = {
    "detection": [
        "Besoin déjà couvert par une structure voisine.",
        "Mobilisation des acteurs locaux insuffisante.",
    ],
    "invention": [
        "Étude d'opportunité défavorable : demande insuffisante.",
        "Aucun local adapté trouvé sur le territoire.",
    ],
    "launch": [
        "Aucun porteur de projet n'a pu être identifié durablement.",
        "Financements d'amorçage non obtenus.",
    ],
    "launched": [
        "Activité arrêtée faute d'équilibre économique.",
        "Le porteur de projet a cessé son activité.",
    ],
}

HOLDER_KINDS = ["Association", "SCIC", "SCOP", "Collectif", "Régie de quartier", "Coopérative"]
HOLDER_FIRST_NAMES = [
    "Camille",
    "Claire",
    "Julien",
    "Sophie",
    "Nicolas",
    "Léa",
    "Thomas",
    "Manon",
    "Hugo",
    "Inès",
    "Pierre",
    "Chloé",
    "Antoine",
    "Sarah",
    "Mathieu",
    "Élodie",
    "Karim",
    "Yasmine",
    "Lucas",
    "Nadia",
]
HOLDER_LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
]
