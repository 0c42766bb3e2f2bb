"""`python manage.py load_demo [--projects N] [--seed S]`: the demo data and accounts."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from fabrique.demo.accounts import DEMO_PASSWORD, DEMO_TOTP_SECRET
from fabrique.demo.loader import load_demo


class Command(BaseCommand):
    help = _(
        "Charge les données de démonstration (structures, territoires, programmes, partenariats réels) et N "
        "projets synthétiques. Relancer la commande ne change rien et n'ajoute que les projets manquants."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--projects", type=int, default=200, help=_("Nombre de projets synthétiques (200 par défaut).")
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=2026,
            help=_("Graine du générateur pseudo-aléatoire (2026 par défaut)."),
        )

    def handle(self, *args, projects: int, seed: int, **options) -> None:
        if projects < 0:
            raise CommandError(_("--projects doit être positif ou nul."))
        summary = load_demo(projects=projects, seed=seed)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Données de démonstration chargées en %(seconds).1f s "
                    "(%(created)d projet(s) synthétique(s) ajouté(s))."
                )
                % {"seconds": summary.seconds, "created": summary.created_projects}
            )
        )
        for label, count in summary.counts:
            self.stdout.write(f"  {label} : {count}")
        self.stdout.write("")
        self.stdout.write(
            _("Comptes de démonstration (mot de passe : %(password)s) :") % {"password": DEMO_PASSWORD}
        )
        for account in summary.accounts:
            self.stdout.write(f"  {account.email} — {account.role}")
        self.stdout.write(
            _(
                "Le compte de l'Avise demande aussi un code à six chiffres : ajoutez dans votre application "
                "d'authentification (TOTP) la clé %(secret)s."
            )
            % {"secret": DEMO_TOTP_SECRET}
        )
        self.stdout.write(_("Ouvrir %(url)s") % {"url": settings.SITE_URL})
