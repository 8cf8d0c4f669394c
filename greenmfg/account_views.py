"""Account pages: the second factor, the password change, and the 安全管理员's page (unlocks, resets, roles)."""

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import accounts, second_factor
from .forms import RolesForm, TokenForm
from .models import User
from .permissions import allowed, manages_accounts


def next_page(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and safe else reverse("dashboard")


def locked_out(request, original_response=None, credentials=None):
    """django-axes answers a locked username and address with the login page and this message (HTTP 429)."""
    text = _(
        "该账号在本地址连续 %(limit)d 次登录失败，已被锁定 %(minutes)d 分钟。请稍后再试，或联系安全管理员解锁。"
    ) % {"limit": settings.AXES_FAILURE_LIMIT, "minutes": settings.AXES_COOLOFF_TIME.total_seconds() // 60}
    form = AuthenticationForm(request, initial={"username": (credentials or {}).get("username", "")})
    return render(request, "registration/login.html", {"form": form, "locked_out": text}, status=429)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step of every login that needs a second factor."""
    if request.user.is_verified():
        return redirect(next_page(request))
    if not accounts.has_second_factor(request.user):
        return redirect(f"{reverse('second_factor_enrol')}?{request.GET.urlencode()}")
    form = TokenForm(request.POST or None)
    if form.is_valid():
        if second_factor.verify(request, form.cleaned_data["token"]):
            return redirect(next_page(request))
        form.add_error("token", _("验证码不正确、已过期或已使用，请重新输入（连续输错后须稍等几秒）。"))
    return render(request, "registration/verify.html", {"form": form, "next": next_page(request)})


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request):
    """Enrol an authenticator app (first login of the privileged; optional for enterprises); then print the
    backup codes. Someone who already has a second factor proves it first."""
    user = request.user
    if accounts.has_second_factor(user) and not user.is_verified():
        return redirect(f"{reverse('second_factor_verify')}?{request.GET.urlencode()}")
    device = second_factor.pending_app(user)
    form = TokenForm(request.POST or None)
    if form.is_valid():
        codes = second_factor.confirm_app(request, device, form.cleaned_data["token"])
        if codes:
            return render(
                request, "registration/backup_codes.html", {"codes": codes, "next": next_page(request)}
            )
        form.add_error("token", _("验证码不正确，请核对手机时间后输入身份验证器当前显示的 6 位数字。"))
    context = {
        "form": form,
        "qr_code": second_factor.qr_code_svg(device),
        "manual_key": second_factor.manual_key(device),
        "enrolled": accounts.has_second_factor(user),
        "next": next_page(request),
    }
    return render(request, "registration/enrol.html", context)


@login_required
@require_POST
def backup_codes(request):
    """New backup codes (the old ones stop working), for a user who proved the second factor in this session."""
    if not request.user.is_verified():
        return redirect("second_factor_enrol")
    codes = second_factor.new_backup_codes(request.user)
    return render(request, "registration/backup_codes.html", {"codes": codes, "next": reverse("dashboard")})


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"

    def get_success_url(self):
        return next_page(self.request)

    def form_valid(self, form):
        response = super().form_valid(form)
        accounts.password_changed(self.request.user)
        messages.success(self.request, _("密码已修改。"))
        return response

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            **kwargs,
            next=next_page(self.request),
            must_change=user.must_change_password,
            expired=accounts.password_expired(user),
        )


@allowed(manages_accounts)
@require_http_methods(["GET"])
def security(request):
    """The 安全管理员's page: locked logins to unlock, and accounts found by name (roles, second factor)."""
    query = request.GET.get("q", "").strip()[:64]
    found = []
    if query:
        found = (
            User.objects.filter(Q(username__icontains=query) | Q(full_name__icontains=query))
            .prefetch_related("groups")
            .order_by("username")[:50]
        )
    return render(
        request, "registration/security.html", {"locked": accounts.locked_out(), "found": found, "q": query}
    )


@allowed(manages_accounts)
@require_POST
def unlock(request, pk):
    attempt = get_object_or_404(AccessAttempt, pk=pk)
    accounts.unlock(attempt, actor=request.user)
    messages.success(
        request,
        _("已解锁 %(username)s（%(address)s）。")
        % {"username": attempt.username, "address": attempt.ip_address},
    )
    return redirect("security")


@allowed(manages_accounts)
@require_http_methods(["GET", "POST"])
def reset_second_factor(request, pk):
    account = get_object_or_404(User, pk=pk)
    if request.method == "POST" and request.POST.get("confirmed") == "yes":
        accounts.reset_second_factor(account, actor=request.user)
        messages.success(
            request, _("已重置 %(user)s 的第二因素，其下次登录时须重新绑定。") % {"user": account.username}
        )
        return redirect(f"{reverse('security')}?q={account.username}")
    context = {
        "title": _("重置第二因素"),
        "heading": _("重置 %(user)s 的第二因素") % {"user": account.username},
        "what_happens": [
            _("删除该账号绑定的身份验证器和全部备用码；"),
            _("结束该账号当前的会话；"),
            _("该账号下次登录时须重新绑定身份验证器。"),
        ],
        "cannot_undo": _("原身份验证器和备用码将永久失效。"),
        "action": request.path,
        "button": _("确认重置"),
        "cancel_url": f"{reverse('security')}?q={account.username}",
    }
    return render(request, "confirm.html", context)


@allowed(manages_accounts)
@require_http_methods(["GET", "POST"])
def roles(request, pk):
    account = get_object_or_404(User, pk=pk)
    form = RolesForm(request.POST or None, initial={"roles": account.groups.all()})
    if form.is_valid():
        try:
            accounts.assign_roles(account, form.cleaned_data["roles"], actor=request.user)
        except ValidationError as error:
            form.add_error("roles", error)
        else:
            messages.success(request, _("已更新 %(user)s 的角色。") % {"user": account.username})
            return redirect(f"{reverse('security')}?q={account.username}")
    return render(request, "registration/roles.html", {"form": form, "account": account})
