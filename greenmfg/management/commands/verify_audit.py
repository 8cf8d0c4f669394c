from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from greenmfg import audit


class Command(BaseCommand):
    help = "检查审计链：每条记录的 SM3 哈希及其与前一条的链接；指出第一处断裂。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--archives", action="store_true", help="同时检查 AUDIT_ARCHIVE_DIR 中的归档文件（哈希与链）"
        )

    def handle(self, *args, archives=False, **options):
        result = audit.verify()
        problems = [result.broken] if result.broken else []
        if archives:
            for path in sorted(Path(settings.AUDIT_ARCHIVE_DIR).glob("audit-*.jsonl.gz")):
                count, problem = audit.verify_archive(path)
                if problem:
                    problems.append(problem)
                else:
                    self.stdout.write(f"归档文件 {path.name}：{count} 条，完整")
        if problems:
            raise CommandError("审计链断裂：" + "；".join(problems))
        self.stdout.write(
            self.style.SUCCESS(
                f"审计链完整：{result.checked} 条记录（第 {result.first_seq}–{result.last_seq} 条）"
            )
        )
