"""The staff pages of the evaluation round: a person's home (to-do list, hand-ins,
review queue, rounds), the entry page with its form and actions, the entry's history
with restore, the reviewer's queue, and the administrator's rounds with the dashboard.

The views read through ``review.selectors``, write through ``review.services`` and
turn a ``ReviewError`` into a message on the page, answered with the status
``shinchoku.errors.http_status`` gives its code. Who may open a page at all is
``accounts.access`` (a staff role; the administrator's pages); what a person may do with
an entry or a round, and why not, is ``review.decisions``: a page shows what the
selectors' offer says and re-derives nothing, and the services ask the same decision
again when the action is taken. A page refused is logged, like a refused action."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from shinchoku import fiscal
from shinchoku.accounts.access import administrator_required, deny, staff_required
from shinchoku.accounts.models import Role
from shinchoku.audit.models import AuditEvent
from shinchoku.errors import ErrorCode, http_status
from shinchoku.jobs.models import Job
from shinchoku.jobs.services import job_start
from shinchoku.jobs.work import publish as publish_job
from shinchoku.review import selectors, services
from shinchoku.review.content import as_id, frame_for, snapshot_of
from shinchoku.review.costs import cost_summary
from shinchoku.review.errors import ReviewError
from shinchoku.review.forms import (
    ActionForm,
    DeadlineForm,
    EntryForm,
    PublishForm,
    ReasonForm,
    RestoreForm,
    RoundOpenForm,
)
from shinchoku.review.models import Action, Entry, Round
from shinchoku.review.permissions import can_review, entry_roles, staff_abilities
from shinchoku.review.workflow import RoundAction, progress_label

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _actor(request: HttpRequest) -> User:
    """The signed-in person (the views that act are behind ``staff_required``)."""
    return cast("User", request.user)


def _entry(request: HttpRequest, entry_id: int) -> Entry:
    try:
        return selectors.entry_get(request.user, entry_id)
    except Entry.DoesNotExist as error:
        raise Http404(_("No such entry.")) from error
    except ReviewError as error:
        raise deny(request, str(error)) from error


def _round(round_id: int) -> Round:
    try:
        return selectors.round_get(round_id)
    except Round.DoesNotExist as error:
        raise Http404(_("No such round.")) from error


def _refused(request: HttpRequest, error: ReviewError) -> None:
    messages.error(request, str(error))


# ---------------------------------------------------------------------- home


@require_safe
@staff_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    may = staff_abilities(user)
    return render(
        request,
        "staff/home.html",
        {
            "todo": selectors.editor_todo(user),
            "waiting": selectors.editor_waiting(user),
            "reviewer": may.review,
            "queue": selectors.review_queue(user),
            "administrator": may.manage_rounds,
            "rounds": selectors.round_summaries(today=timezone.localdate()) if may.manage_rounds else [],
            "workbooks": selectors.workbook_choices(user),
            "today": timezone.localdate(),
        },
    )


@require_safe
@staff_required
def review_queue(request: HttpRequest) -> HttpResponse:
    if not can_review(request.user):
        raise deny(request, _("Only a reviewer may open the review queue."))
    return render(request, "staff/queue.html", {"queue": selectors.review_queue(request.user)})


# -------------------------------------------------------------------- entries


def _entry_form(
    request: HttpRequest, entry: Entry, data: Any = None, *, offer: selectors.EntryOffer | None = None
) -> EntryForm:
    """The entry's form, editable in what the person may change now (``offer.editable``)."""
    frame = frame_for(entry)
    offer = offer or selectors.entry_offer(request.user, entry)
    return EntryForm(
        data,
        entry=entry,
        frame=frame,
        snapshot=snapshot_of(entry, frame),
        editable=offer.editable,
    )


def _entry_page(
    request: HttpRequest,
    entry: Entry,
    *,
    form: EntryForm | None = None,
    action_form: ActionForm | None = None,
    conflicts: list[selectors.FieldChange] | None = None,
    status: int = 200,
) -> HttpResponse:
    offer = selectors.entry_offer(request.user, entry)
    form = form or _entry_form(request, entry, offer=offer)
    return render(
        request,
        "staff/entry.html",
        {
            "page": selectors.entry_page(entry),
            "cost": cost_summary(entry, form.snapshot) if entry.round.kind == Round.Kind.RESULTS else None,
            "entry": entry,
            "form": form,
            "editable": bool(form.editable),
            "offer": offer,
            "action_form": action_form or ActionForm(initial={"version": entry.version}),
            "conflicts": conflicts or [],
            "since_return": selectors.changes_since_return(entry),
            "roles": [Role(role).label for role in entry_roles(request.user, entry)],
            "past_deadline": entry.round.past_deadline(timezone.localdate()),
        },
        status=status,
    )


def _stale_refusal(request: HttpRequest, entry: Entry) -> ReviewError | None:
    """The services' stale_version refusal of a post made from an earlier version of
    ``entry``, with what was changed since; None if the post is not stale. The services
    check the version before the transition table, so a save of nothing from a stale
    version is refused as stale (and logged) whatever the entry's state now."""
    posted = as_id(request.POST.get("version"))
    if posted is None or posted < 1 or posted == entry.version:
        return None
    try:
        services.entry_save(entry, {}, actor=_actor(request), expected_version=posted)
    except ReviewError as error:
        return error if error.code == ErrorCode.STALE_VERSION else None
    return None


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def entry_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    """The entry page; a post saves the form, or saves and submits it."""
    entry = _entry(request, entry_id)
    if request.method != "POST":
        return _entry_page(request, entry)
    offer = selectors.entry_offer(request.user, entry)
    form = _entry_form(request, entry, request.POST, offer=offer)
    submit = request.POST.get("action") == "submit"
    if not form.editable:
        stale = _stale_refusal(request, entry)
        if stale is not None:
            # Changed since this person opened it, e.g. a colleague submitted it: say what
            # changed, as for any stale save, not only that it cannot be changed now.
            messages.error(
                request,
                _("Someone else changed this entry after you opened it: nothing of yours was saved yet."),
            )
            conflicts = selectors.conflict_changes(entry, stale)
            return _entry_page(request, entry, conflicts=conflicts, status=http_status(stale))
        # The form offers nothing to change: say why, as the decision words it.
        reason = offer.save_refusal or _("You cannot change this entry now.")
        raise deny(request, str(reason))
    if not form.is_valid():
        messages.error(request, str(services.INVALID_MESSAGES[Action.SUBMIT if submit else Action.SAVE]))
        return _entry_page(request, entry, form=form, status=400)
    version = form.cleaned_data["version"]
    try:
        if submit:
            entry = services.entry_save_and_submit(
                entry, form.entry_data(), actor=_actor(request), expected_version=version
            )
        else:
            entry = services.entry_save(
                entry, form.entry_data(), actor=_actor(request), expected_version=version
            )
    except ReviewError as error:
        conflicts = []
        if error.code == ErrorCode.STALE_VERSION and error.current_version:
            messages.error(
                request,
                _("Someone else changed this entry after you opened it: nothing of yours was saved yet."),
            )
            conflicts = selectors.conflict_changes(entry, error)
            # The page is shown again at the current version, with the other person's
            # changes taken into the fields this person had not changed.
            entry = _entry(request, entry.pk)
            form = _entry_form(request, entry, form.merged_with(error.conflicts, error.current_version))
            form.is_valid()
        else:
            _refused(request, error)
            form.add_service_errors(error.field_errors)
        return _entry_page(request, entry, form=form, conflicts=conflicts, status=http_status(error))
    if submit:
        messages.success(request, _("%(node)s was submitted for review.") % {"node": entry.node.code})
        return redirect("staff:home")
    messages.success(request, _("Saved (version %(version)s).") % {"version": entry.version})
    return redirect("staff:entry", entry_id=entry.pk)


@require_POST
@staff_required
def entry_act(request: HttpRequest, entry_id: int) -> HttpResponse:
    """Submit, return, approve or reopen, with a comment."""
    entry = _entry(request, entry_id)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The request was incomplete. Reload the page and try again."))
        return _entry_page(request, entry, action_form=form, status=400)
    action = Action(form.cleaned_data["action"])
    try:
        entry = services.entry_transition(
            entry,
            action,
            actor=_actor(request),
            expected_version=form.cleaned_data["version"],
            comment=form.cleaned_data["comment"],
        )
    except ReviewError as error:
        _refused(request, error)
        for message in error.field_errors.get("comment", []):
            form.add_error("comment", message)
        conflicts = selectors.conflict_changes(entry, error) if error.code == ErrorCode.STALE_VERSION else []
        return _entry_page(request, entry, action_form=form, conflicts=conflicts, status=http_status(error))
    done = {
        Action.SUBMIT: _("%(node)s was submitted for review."),
        Action.RETURN: _("%(node)s was returned to the section."),
        Action.APPROVE: _("%(node)s was approved."),
        Action.REOPEN: _("%(node)s was reopened."),
    }
    messages.success(request, done[action] % {"node": entry.node.code})
    if action in {Action.RETURN, Action.APPROVE}:
        return redirect("staff:queue")
    if action == Action.SUBMIT:
        return redirect("staff:home")
    return redirect("staff:entry", entry_id=entry.pk)


def _history_page(request: HttpRequest, entry: Entry, *, status: int = 200) -> HttpResponse:
    return render(
        request,
        "staff/history.html",
        {
            "entry": entry,
            "history": list(reversed(selectors.entry_history(entry))),
            "can_restore": selectors.entry_offer(request.user, entry).can_restore,
        },
        status=status,
    )


@require_safe
@staff_required
def entry_history(request: HttpRequest, entry_id: int) -> HttpResponse:
    return _history_page(request, _entry(request, entry_id))


@require_POST
@staff_required
def entry_restore(request: HttpRequest, entry_id: int, event_id: int) -> HttpResponse:
    entry = _entry(request, entry_id)
    try:
        event = selectors.history_event(entry, event_id)
    except AuditEvent.DoesNotExist as error:
        raise Http404(_("No such version of this entry.")) from error
    form = RestoreForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The request was incomplete. Reload the page and try again."))
        return _history_page(request, entry, status=400)
    try:
        entry = services.entry_restore(
            entry,
            event,
            actor=_actor(request),
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        )
    except ReviewError as error:
        _refused(request, error)
        for messages_ in error.field_errors.values():
            for message in messages_:
                messages.error(request, message)
        return _history_page(request, entry, status=http_status(error))
    messages.success(
        request,
        _("Version %(old)s was restored as version %(new)s.")
        % {"old": event.subject_version, "new": entry.version},
    )
    return redirect("staff:entry", entry_id=entry.pk)


# --------------------------------------------------------------------- rounds


@require_safe
@administrator_required
def round_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "staff/rounds.html",
        {"rounds": selectors.round_summaries(today=timezone.localdate()), "form": RoundOpenForm()},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@administrator_required
def round_open(request: HttpRequest) -> HttpResponse:
    form = RoundOpenForm(request.POST if request.method == "POST" else None)
    status = 400 if form.is_bound else 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round_ = services.round_open(
                data["plan"], data["fiscal_year"], data["kind"], data["deadline"], actor=_actor(request)
            )
        except ReviewError as error:
            status = http_status(error)
            _refused(request, error)
            for name, messages_ in error.field_errors.items():
                for message in messages_:
                    form.add_error(name if name in form.fields else None, message)
        else:
            messages.success(
                request,
                _("The round %(round)s is open with %(count)s entries.")
                % {"round": round_, "count": round_.entries.count()},
            )
            return redirect("staff:round", round_id=round_.pk)
    return render(request, "staff/round_open.html", {"form": form}, status=status)


@require_safe
@administrator_required
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = _round(round_id)
    today = timezone.localdate()
    state = request.GET.get("state", "")
    state = state if state in selectors.ENTRY_FILTERS else ""
    units = selectors.unit_choices(round_)
    unit_param = request.GET.get("unit", "")
    unit = next((u for u in units if str(u.pk) == unit_param), None)
    paginator = Paginator(selectors.round_entries(round_, state=state, unit_id=unit.pk if unit else None), 50)
    entries = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "staff/round.html",
        {
            "round": round_,
            "status": selectors.round_summary(round_, today=today).status,
            "dashboard": selectors.round_dashboard(round_),
            "overdue": selectors.overdue_entries(round_, today=today),
            "entries": entries,
            "state": state,
            "unit": unit,
            "units": units,
            "filters": [(name, progress_label(name)) for name in selectors.ENTRY_FILTERS],
            "offers": selectors.round_offers(request.user, round_),
            "deadline_form": DeadlineForm(initial={"deadline": round_.deadline}),
            "close_form": ReasonForm(),
            "today": today,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@administrator_required
def round_publish(request: HttpRequest, round_id: int) -> HttpResponse:
    """Publishing, in two steps: the page says what will be published (how many entries,
    of which plan and year, and what stays as it is) and asks to confirm; the post
    publishes if the approved entries are still the number confirmed, and otherwise
    shows the page again with the new number."""
    round_ = _round(round_id)
    preview = selectors.publish_preview(round_, today=timezone.localdate())
    offers = selectors.round_offers(request.user, round_)
    if request.method == "POST":
        form = PublishForm(request.POST)
        if form.is_valid() and form.cleaned_data["entries"] == preview.count:
            # Publishing runs as a background job (shinchoku.jobs): the page of the job
            # follows it. Where jobs run at once (no worker), its outcome is said here.
            job = job_start(
                publish_job.KIND,
                publish_job.publish_params(round_, entries=preview.count),
                actor=_actor(request),
            )
            if job.state == Job.State.FAILED:
                messages.error(request, job.error)
            elif job.state == Job.State.SUCCEEDED:
                messages.success(
                    request, _("%(count)s approved entries were published.") % {"count": preview.count}
                )
            else:
                messages.info(request, _("Publishing has started: this page follows it."))
                return redirect("jobs:job", job_id=job.pk)
            return redirect("staff:round", round_id=round_.pk)
        if RoundAction.PUBLISH in offers:
            messages.error(
                request,
                _(
                    "Nothing was published: the approved entries have changed since the page "
                    "was shown. Check them and confirm again."
                ),
            )
    return render(
        request,
        "staff/round_publish.html",
        {
            "round": round_,
            "preview": preview,
            "offers": offers,
            "form": PublishForm(initial={"entries": preview.count}),
            "today": timezone.localdate(),
        },
        status=409 if request.method == "POST" else 200,
    )


@require_POST
@administrator_required
def round_deadline(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = _round(round_id)
    form = DeadlineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid date."))
        return redirect("staff:round", round_id=round_.pk)
    try:
        round_ = services.round_set_deadline(round_, form.cleaned_data["deadline"], actor=_actor(request))
    except ReviewError as error:
        _refused(request, error)
    else:
        messages.success(
            request, _("The deadline is now %(date)s.") % {"date": fiscal.date_label(round_.deadline)}
        )
    return redirect("staff:round", round_id=round_.pk)


@require_POST
@administrator_required
def round_close(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = _round(round_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm that the round is to be closed."))
        return redirect("staff:round", round_id=round_.pk)
    try:
        services.round_close(round_, actor=_actor(request))
    except ReviewError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The round is closed."))
    return redirect("staff:round", round_id=round_.pk)
