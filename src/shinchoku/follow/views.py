"""The feeds, and the pages of the e-mail follow. Each view reads its view-model from
``shinchoku.follow.selectors`` or calls a service of ``shinchoku.follow.services``, and
renders; a refusal (``FollowError``) is answered with its page and status.

The feeds read only published data: from the read replica when there is one, kept and
answered 304 by the plan's data version (``plan_page``). The follow pages are never
kept (each holds a person's address or form); the request for a confirmation mail is
counted against ``FOLLOW_RATE_LIMIT`` per client address and minute; the unsubscribe
link takes a POST without a CSRF token, as a mail program's one click sends it (RFC 8058).
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from shinchoku.errors import http_status
from shinchoku.follow import selectors, services
from shinchoku.follow.feeds import atom_response
from shinchoku.follow.forms import FollowForm
from shinchoku.ops.ratelimit import retry_after
from shinchoku.plans.models import Node, Plan
from shinchoku.published.pagecache import plan_page
from shinchoku.replica import reads_from_replica


@reads_from_replica
@require_safe
@plan_page
def plan_feed(request: HttpRequest, plan_code: str) -> HttpResponse:
    try:
        view = selectors.plan_feed(plan_code)
    except Plan.DoesNotExist as error:
        raise Http404("No such plan.") from error
    return atom_response(request, view)


@reads_from_replica
@require_safe
@plan_page
def node_feed(request: HttpRequest, plan_code: str, node_code: str) -> HttpResponse:
    try:
        view = selectors.node_feed(plan_code, node_code)
    except Node.DoesNotExist as error:
        raise Http404("No such node in this plan.") from error
    return atom_response(request, view)


def _offered() -> None:
    if not services.follow_by_mail():
        raise Http404("This site does not offer to follow by e-mail.")


def _follow_page(plan_code: str, node_code: str) -> tuple[Node, selectors.FollowPage]:
    _offered()
    try:
        return selectors.follow_page(plan_code, node_code)
    except Node.DoesNotExist as error:
        raise Http404("No such node in this plan.") from error


def _too_many(request: HttpRequest, seconds: int) -> HttpResponse:
    response = render(
        request, "follow/too_many.html", {"limit": settings.FOLLOW_RATE_LIMIT, "seconds": seconds}, status=429
    )
    response["Retry-After"] = str(seconds)
    add_never_cache_headers(response)
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def follow_start(request: HttpRequest, plan_code: str, node_code: str) -> HttpResponse:
    """The form to follow a node by e-mail (also on the node's own page); sent, the
    confirmation mail goes out and the person is shown where to look for it."""
    node, page = _follow_page(plan_code, node_code)
    form = FollowForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        seconds = retry_after(request, scope="follow", limit=settings.FOLLOW_RATE_LIMIT)
        if seconds is not None:
            return _too_many(request, seconds)
        if form.is_valid():
            try:
                services.follow_request(form.cleaned_data["address"], node)
            except services.FollowError as error:
                return render(
                    request,
                    "follow/follow.html",
                    {"page": page, "form": form, "error": error},
                    status=http_status(error),
                )
            return redirect("follow:sent", plan_code=plan_code, node_code=node_code)
    status = 400 if form.errors else 200
    return render(request, "follow/follow.html", {"page": page, "form": form}, status=status)


@never_cache
@require_safe
def follow_sent(request: HttpRequest, plan_code: str, node_code: str) -> HttpResponse:
    """Where to look for the confirmation mail: the same whatever the address was."""
    _node, page = _follow_page(plan_code, node_code)
    return render(request, "follow/sent.html", {"page": page, "hours": settings.FOLLOW_CONFIRM_HOURS})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def follow_confirm(request: HttpRequest) -> HttpResponse:
    """The confirmation link: shown (GET) it asks to press the button; the button (POST)
    stores the follow. A link expired or altered gets a page that says so."""
    _offered()
    token = (request.POST if request.method == "POST" else request.GET).get("token", "")
    try:
        confirmation = services.confirmation_read(token)
    except services.FollowError as error:
        return render(request, "follow/link_invalid.html", {"error": error}, status=http_status(error))
    page = selectors.confirm_page(confirmation.address, confirmation.node)
    if request.method == "POST":
        services.follow_confirm(confirmation)
        return render(request, "follow/confirmed.html", {"page": page})
    return render(request, "follow/confirm.html", {"page": page, "token": token})


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest) -> HttpResponse:
    """The unsubscribe link of the mails: shown (GET) it asks to press the button; the
    button, or a mail program's one click (POST), deletes the address."""
    key = request.GET.get("key", "")
    if request.method == "POST":
        services.follow_end(key)
        return render(request, "follow/unsubscribed.html")
    return render(request, "follow/unsubscribe.html", {"page": selectors.unsubscribe_page(key), "key": key})
