from contextvars import ContextVar

import pgtrigger
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from . import audit
from .roles import Role


class Region(models.Model):
    """One of Hubei's 17 city-level units (市州), keyed by its 行政区划代码."""

    code = models.CharField(_("行政区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=32, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("市州")
        verbose_name_plural = _("市州")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person using the portal. City officials are bound to exactly one city."""

    full_name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = models.CharField(_("手机"), max_length=20, blank=True)
    city = models.ForeignKey(
        Region,
        verbose_name=_("所属市州"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officials",
        help_text=_("市州经信局用户必须绑定一个市州。"),
    )
    language = models.CharField(
        _("界面语言"),
        max_length=16,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("空：按浏览器或上次的选择。"),
    )
    must_change_password = models.BooleanField(
        _("下次登录须修改密码"), default=False, help_text=_("由管理员创建的账号首次登录时须修改密码。")
    )
    password_changed_at = models.DateTimeField(_("密码修改时间"), default=timezone.now)
    session_token = models.CharField(
        _("当前会话标识"), max_length=32, blank=True, editable=False, help_text=_("每人只保留一个有效会话。")
    )
    login_at = models.DateTimeField(_("本次登录时间"), null=True, blank=True, editable=False)
    login_address = models.GenericIPAddressField(_("本次登录地址"), null=True, blank=True, editable=False)
    previous_login_at = models.DateTimeField(_("上次登录时间"), null=True, blank=True, editable=False)
    previous_login_address = models.GenericIPAddressField(
        _("上次登录地址"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.full_name or self.username

    def clean(self):
        super().clean()
        if self.pk and self.has_role(Role.CITY) and not self.city_id:
            raise ValidationError({"city": _("市州经信局用户必须绑定所属市州。")})

    @cached_property
    def role_names(self) -> frozenset[str]:
        if not self.pk:
            return frozenset()
        joined = getattr(self, "joined_role_names", None)  # read with the user (greenmfg/backends.py)
        if joined is not None:
            return frozenset(name for name in joined.split("\n") if name)
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, role: Role) -> bool:
        return role.value in self.role_names

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    @property
    def is_city_official(self) -> bool:
        return self.city_id is not None and self.has_role(Role.CITY)

    @property
    def is_provincial(self) -> bool:
        return self.has_role(Role.PROVINCE)


class AppendOnly(Exception):
    """An attempt to change or remove an audit entry outside the archive path."""


_archiving = ContextVar("archiving_audit", default=False)


class AuditQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        with transaction.atomic(using=self.db):
            audit.chain(objs)
            return super().bulk_create(objs, *args, **kwargs)

    def update(self, **kwargs):
        raise AppendOnly(_("审计记录只能追加，不能修改。"))

    def delete(self):
        if not _archiving.get():
            raise AppendOnly(_("审计记录只能追加，不能删除；过期记录由归档命令移出。"))
        return super().delete()

    def remove_archived(self):
        """The one way rows leave the table: after ``audit.archive`` has written and recorded them."""
        token = _archiving.set(True)
        try:
            with pgtrigger.ignore("greenmfg.AuditEntry:append_only"):
                return self.delete()
        finally:
            _archiving.reset(token)


class AuditEntry(models.Model):
    """One row of the audit trail: who did what to which object, when, from where, and with what opinion.

    Append-only: a PostgreSQL trigger refuses UPDATE, DELETE and TRUNCATE (the model refuses them on SQLite), and
    each row's SM3 hash chains it to the one before (``greenmfg/audit.py``; ``manage.py verify_audit``).
    """

    seq = models.PositiveBigIntegerField(_("序号"), unique=True, editable=False)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("为空表示由系统定时任务或未登录的访问者执行。"),
    )
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    action = models.CharField(_("操作"), max_length=64)
    from_state = models.CharField(_("原状态"), max_length=32, blank=True)
    to_state = models.CharField(_("新状态"), max_length=32, blank=True)
    opinion = models.TextField(_("意见"), blank=True)
    address = models.CharField(_("来源地址"), max_length=45, blank=True)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64, editable=False)
    hash = models.CharField(_("SM3 哈希"), max_length=64, editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"]),
            models.Index(fields=["actor", "seq"]),
            models.Index(fields=["action", "seq"]),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
                when=pgtrigger.Before,
                func="RAISE EXCEPTION '审计记录只能追加（%）', TG_OP USING ERRCODE = 'insufficient_privilege';",
            ),
            pgtrigger.Trigger(
                name="no_truncate",
                level=pgtrigger.Statement,
                operation=pgtrigger.Truncate,
                when=pgtrigger.Before,
                func="RAISE EXCEPTION '审计记录只能追加（TRUNCATE）' USING ERRCODE = 'insufficient_privilege';",
            ),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor or _('系统')} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly(_("审计记录只能追加，不能修改。"))
        with transaction.atomic(using=kwargs.get("using")):
            audit.chain([self])
            super().save(*args, force_insert=True, **{k: v for k, v in kwargs.items() if k != "force_insert"})

    def delete(self, *args, **kwargs):
        raise AppendOnly(_("审计记录只能追加，不能删除。"))

    @classmethod
    def record(cls, subject, *, actor, action, from_state="", to_state="", opinion="", address=""):
        """Append an entry about ``subject`` (a model instance, or None for an event with no object)."""
        return cls.objects.create(
            content_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
            object_id=subject.pk if subject is not None else None,
            actor=actor if actor is not None and actor.is_authenticated else None,
            action=action,
            from_state=from_state,
            to_state=to_state,
            opinion=opinion,
            address=address,
        )

    @classmethod
    def for_object(cls, subject):
        return cls.objects.filter(
            content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk
        ).select_related("actor")


class Notification(models.Model):
    """One notice to one person, shown in the portal and emailed once.

    ``key`` names the event; a person is told about one event once, however often it is reported.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    text = models.TextField(_("内容"))
    url = models.CharField(_("链接"), max_length=255, blank=True)
    key = models.CharField(_("事件标识"), max_length=200)
    group = models.CharField(
        _("合并标识"),
        max_length=200,
        blank=True,
        help_text=_("同类事件合并为一条通知时，这类事件的标识；各事件见通知的明细。"),
    )
    count = models.PositiveIntegerField(_("事件数"), default=1)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="one_notification_per_event")
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["recipient", "group", "read_at"], name="open_notice_groups"),
        ]

    def __str__(self):
        return f"{self.recipient} {self.text}"


class NotificationItem(models.Model):
    """One event inside a grouped notice (e.g. one of the 20 declarations a city recommended at once)."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="items")
    key = models.CharField(_("事件标识"), max_length=200)
    text = models.TextField(_("内容"))
    url = models.CharField(_("链接"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("通知明细")
        verbose_name_plural = _("通知明细")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["notification", "key"], name="one_item_per_event")]

    def __str__(self):
        return self.text


class OutgoingEmail(models.Model):
    """An e-mail waiting to leave (the outbox): written in the transaction that causes it.

    A broker or mail server that is away loses nothing: the row stays pending until a task sends it, and the
    beat sweep sends whatever the immediate task did not. The row lock taken while sending (``skip_locked``)
    lets two workers share the queue without sending one message twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    notification = models.OneToOneField(
        Notification,
        verbose_name=_("通知"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="email",
    )
    to = models.EmailField(_("收件地址"))
    subject = models.CharField(_("主题"), max_length=255)
    body = models.TextField(_("正文"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), default=timezone.now)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("外发邮件")
        verbose_name_plural = _("外发邮件")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.to} {self.subject}"


class Submission(models.Model):
    """One submitted form (its digest), so the same form sent twice yields one record.

    The first request claims the key (a unique row, committed before the view runs); a second one with the same
    content — a double-click, back-and-resubmit, a second tab — waits for the first and is sent where it went.
    """

    key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    location = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("表单提交")
        verbose_name_plural = _("表单提交")

    def __str__(self):
        return f"{self.key[:12]} → {self.location or '…'}"
