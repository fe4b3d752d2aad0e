from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evidence.curating.published import ExtractionError, load_published_results

DEFAULT = Path(__file__).resolve().parents[3] / "fixtures" / "evidence" / "published_results.csv"


class Command(BaseCommand):
    help = "Load an extraction of published results (all rows or none; loading again is a no-op)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT))
        parser.add_argument("--curator", default="bundled extraction")
        parser.add_argument("--note", default="the bundled extraction (fixtures/evidence/)")

    def handle(self, *args, path, curator, note, **options):
        text = Path(path).read_text(encoding="utf-8")
        try:
            result = load_published_results(text=text, curator_name=curator, note=note)
        except ExtractionError as exc:
            raise CommandError("nothing was loaded: " + str(exc)) from exc
        self.stdout.write(
            f"{result.created} created, {result.changed} changed, {result.unchanged} unchanged"
        )
