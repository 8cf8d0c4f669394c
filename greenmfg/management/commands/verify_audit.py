from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from greenmfg import audit


class Command(BaseCommand):
    help = "检查审计链：每条记录的 SM3 哈希及其与前一条的链接；指出第一处断裂。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--head",
            metavar="序号:哈希",
            help="曾见的链尾（上次检查的输出、打印的导出或备份中的最后一条）：检查它仍在且未被改动，"
            "以发现从链尾删除的记录",
        )
        parser.add_argument(
            "--archives", action="store_true", help="同时检查 AUDIT_ARCHIVE_DIR 中的归档文件（哈希与链）"
        )

    def handle(self, *args, archives=False, head=None, **options):
        result = audit.verify()
        problems = [result.broken] if result.broken else []
        if head:
            seq, _, expected = head.partition(":")
            if not seq.isdigit() or not expected:
                raise CommandError("--head 的格式为 序号:哈希，例如 74:5f3a…")
            if problem := audit.check_head(int(seq), expected):
                problems.append(problem)
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
        if result.last_seq is not None:
            self.stdout.write(f"链尾：--head {result.last_seq}:{result.last_hash}")
