from django.conf import settings
from django.core.management.base import BaseCommand

from greenmfg import backups


class Command(BaseCommand):
    help = "Back up the database and the uploaded files, with a manifest of checksums; keep the newest N."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=settings.BACKUP_DIR, help="where backups are kept (BACKUP_DIR)")
        parser.add_argument(
            "--keep", type=int, default=settings.BACKUP_KEEP, help="how many to keep (BACKUP_KEEP)"
        )

    def handle(self, *args, dir, keep, **options):
        folder, manifest = backups.backup(dir, keep=keep)
        self.stdout.write(f"{backups.describe(folder, manifest)}; {manifest['seconds']} s")
