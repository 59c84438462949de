"""The notification inbox (/notifications/): every notice the portal sent the signed-in person,
newest first; never a code (codes are inbox=False and never listed)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import notifications

PAGE_SIZE = 20


@login_required
@require_GET
def inbox(request):
    """Opening a page marks its notices read; they still show as new on this visit."""
    paginator = Paginator(notifications.inbox_of(request.user), PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page", 1))
    rows = list(page_obj.object_list)
    unread = [row.pk for row in rows if row.read_at is None]
    notifications.mark_read(user=request.user, ids=unread)
    return render(
        request,
        "core/notifications.html",
        {
            "page_obj": page_obj,
            "rows": rows,
            "new_ids": set(unread),
            "page_range": paginator.get_elided_page_range(page_obj.number),
            "crumbs": [(_("Notifications"), None)],
        },
    )


@login_required
@require_POST
def mark_all_read(request):
    count = notifications.mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All your notifications are marked as read."))
    return redirect("notifications:inbox")
