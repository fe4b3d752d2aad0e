from django.core.management.base import BaseCommand

from evidence.importing.services import rebuild_all_evidence


class Command(BaseCommand):
    help = (
        "Build the evidence (outcomes, results, adverse events) of trials from their stored "
        "registry records: by default only trials whose evidence is missing or was built from "
        "another version of the record; --all after a change of the rules (ae_categories.csv, "
        "the domain classifier). Curations are kept and applied."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Rebuild every trial.")

    def handle(self, *args, all, **options):
        count = rebuild_all_evidence(only_stale=not all)
        self.stdout.write(f"rebuilt the evidence of {count} trial(s)")
