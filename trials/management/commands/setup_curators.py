from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from trials.curating import files as curation


class Command(BaseCommand):
    help = (
        "Create the 'curators' group with exactly the permissions curating needs (or reset them), "
        "and with --add make users curators (staff + group). Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--add",
            dest="usernames",
            action="append",
            default=[],
            metavar="USERNAME",
            help="An existing user to make a curator (repeatable).",
        )

    def handle(self, *args, usernames, **options):
        try:
            group, created = curation.setup_curators_group()
        except curation.CurationError as exc:
            raise CommandError(str(exc)) from None
        users = get_user_model().objects.filter(username__in=usernames)
        missing = sorted(set(usernames) - {u.get_username() for u in users})
        if missing:
            raise CommandError(f"no such user(s): {', '.join(missing)} (create them first)")
        for user in users:
            curation.add_curator(user=user)
        state = "created" if created else "up to date"
        self.stdout.write(
            f"group {group.name!r} {state} with {group.permissions.count()} permissions"
            + (f"; curators added: {', '.join(usernames)}" if usernames else "")
        )
