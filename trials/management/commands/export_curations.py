import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trials.curating import files as curation


class Command(BaseCommand):
    help = (
        "Write the curated values in force as a curation file (nct_id,field,value,note,curator), "
        "which apply_curations reads back."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="File to write (default: standard output).")

    def handle(self, *args, output, **options):
        if output is None:
            buffer = io.StringIO()
            curation.write_curation_file(curation.curations_in_force(), buffer)
            self.stdout.write(buffer.getvalue(), ending="")
            return
        try:
            with output.open("w", encoding="utf-8", newline="") as out:
                count = curation.write_curation_file(curation.curations_in_force(), out)
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror or exc}") from None
        self.stderr.write(f"exported {count} curation(s) to {output}")
