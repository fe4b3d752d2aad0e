from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trials.curating import files as curation


class Command(BaseCommand):
    help = (
        "Apply a curation file (CSV: nct_id,field,value,note,curator). The whole file or nothing: "
        "any invalid row rejects it, with the row numbers and reasons. Applying it again changes "
        "nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The curation file (UTF-8 CSV).")

    def handle(self, *args, file, **options):
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from None
        try:
            result = curation.apply_curation_file(text=text)
        except curation.CurationFileError as exc:
            raise CommandError(
                f"{file} rejected, nothing applied ({len(exc.problems)} problem(s)):\n{exc}"
            ) from None
        self.stdout.write(
            f"{file}: applied {result.applied} curation(s), {result.unchanged} already in force"
        )
