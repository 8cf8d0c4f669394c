from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .dashboard import panels_for


@login_required
def dashboard(request):
    return render(request, "dashboard.html", {"panels": panels_for(request.user)})
