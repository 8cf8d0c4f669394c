from django.core.management.base import BaseCommand, CommandError

from greenmfg import backups


class Command(BaseCommand):
    help = "Restore a backup folder into an empty database and an empty MEDIA_ROOT, checking every checksum."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="a greenmfg-<time> folder written by manage.py backup")

    def handle(self, *args, folder, **options):
        try:
            result = backups.restore(folder)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"restored {folder}: {result['files']} files checked; {result['seconds']} s")
