from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trials.browsing import exports


class Command(BaseCommand):
    help = (
        "Export every trial with its effective labels (the slugs of docs/domain.md#vocabularies) "
        "and their origin, "
        "then the columns other apps register (outcomes, adverse events, publications), "
        "as JSON (an array of objects) or CSV (lists joined with ';', registered columns as "
        "compact JSON)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--output", type=Path, help="File to write (default: standard output).")

    def handle(self, *args, format, output, **options):
        chunks = exports.iter_export(exports.iter_rows(), format)
        if output is None:
            try:
                for chunk in chunks:
                    self.stdout.write(chunk, ending="")
            except BrokenPipeError:  # the reader stopped early (`| head`): not an error
                pass
            return
        try:
            with output.open("w", encoding="utf-8", newline="") as out:
                out.writelines(chunks)
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror or exc}") from None
        self.stderr.write(f"exported to {output}")
