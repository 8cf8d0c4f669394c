import json

from django.conf import settings
from django.core.management.base import BaseCommand

from greenmfg import audit


class Command(BaseCommand):
    help = (
        "把超过 AUDIT_RETENTION_DAYS 天的审计记录移入归档文件（gzip JSON lines），文件的 SM3 哈希记入审计链。"
    )

    def handle(self, *args, **options):
        entry = audit.archive()
        if entry is None:
            self.stdout.write(f"没有超过 {settings.AUDIT_RETENTION_DAYS} 天的审计记录。")
            return
        held = json.loads(entry.opinion)
        self.stdout.write(
            f"已归档第 {held['first_seq']}–{held['last_seq']} 条（{held['count']} 条）到 {held['file']}，SM3 {held['sm3']}"
        )
