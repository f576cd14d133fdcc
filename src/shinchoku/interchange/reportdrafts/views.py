"""The staff pages of report drafts, for the planning administrator: the list with the
upload form, the review page, a decision corrected, the acceptance (the import's preview,
then the import) and the discard. Plain forms, each POST answered by a redirect."""

from __future__ import annotations

import importlib
import json
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from shinchoku.accounts.access import administrator_required
from shinchoku.errors import ApplicationError, http_status
from shinchoku.interchange.models import ReportDraft
from shinchoku.interchange.preview import ImportRefused, Preview, RowStatus, warnings_by_kind
from shinchoku.interchange.reportdrafts import services
from shinchoku.interchange.reportdrafts.corrections import CorrectionRefused, checked_value, typed_value
from shinchoku.interchange.reportdrafts.review import State, review_of
from shinchoku.plans.formats.report.draft import Draft
from shinchoku.plans.formats.report.reading import read_source
from shinchoku.plans.formats.report.source import ReportRefused

if TYPE_CHECKING:
    from django.contrib.auth.models import User

#: The value of the choice that says: the value typed in the field.
TYPED = "typed"


def _user(request: HttpRequest) -> User:
    return cast("User", request.user)


def recognised(data: bytes, name: str) -> Draft:
    """The draft recognised in a report's bytes. ReportRefused when it is not one."""
    source = read_source(data, name)
    try:
        # Loaded on the first report read, as the PDF library is.
        reader = importlib.import_module("shinchoku.plans.formats.report.recognise")
    except ImportError as missing:
        raise ReportRefused(_("Reports cannot be recognised by this installation.")) from missing
    draft: Draft = reader.recognise(source)
    return draft


class ReportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Report"),
        help_text=gettext_lazy(
            "A published progress report: the PDF, or the text extracted from it (UTF-8 or Shift_JIS). "
            "Nothing is imported yet: the draft recognised in it is kept for you to review."
        ),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@administrator_required
def draft_list(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            draft = recognised(upload.read(), upload.name)
        except ReportRefused as refusal:
            form.add_error("file", refusal.message)
        else:
            stored = services.store_draft(draft, _user(request))
            messages.success(
                request,
                _("The report was read: %(flagged)s of its %(decisions)s decisions are to be checked.")
                % {"flagged": stored.flagged, "decisions": len(draft.decisions)},
            )
            return redirect("interchange:report_draft", pk=stored.pk)
    drafts = ReportDraft.objects.defer("draft").annotate(corrected=Count("corrections"))[:100]
    return render(
        request,
        "interchange/report_drafts.html",
        {"form": form, "drafts": drafts},
        status=400 if form.errors else 200,
    )


def _review_page(
    request: HttpRequest,
    report_draft: ReportDraft,
    state: State,
    *,
    errors: dict[int, tuple[str, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    draft = services.draft_of(report_draft)
    corrections = services.corrections_of(report_draft)
    review = review_of(
        report_draft,
        draft,
        services.draft_corrected(report_draft, draft),
        corrections,
        state,
        plan_exists=services.plan_exists(report_draft),
        errors=errors,
    )
    return render(
        request,
        "interchange/report_draft.html",
        {"review": review, "typed": TYPED, "decided": report_draft.status != ReportDraft.Status.DRAFT},
        status=status,
    )


@require_http_methods(["GET", "HEAD"])
@administrator_required
def draft_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_page(request, get_object_or_404(ReportDraft, pk=pk), State.of(request.GET))


def _chosen(request: HttpRequest, draft: Draft, dataset: dict[str, Any], index: int) -> Any:
    """The value the form says: a choice offered (its JSON), or what was typed."""
    decision = draft.decisions[index]
    choice = request.POST.get("choice", TYPED)
    if choice == TYPED:
        return typed_value(dataset, decision, request.POST.get("value", ""))
    try:
        return checked_value(dataset, decision, json.loads(choice))
    except ValueError as error:
        raise CorrectionRefused(_("Choose one of the values offered.")) from error


@require_POST
@administrator_required
def draft_correct(request: HttpRequest, pk: int, index: int) -> HttpResponse:
    report_draft = get_object_or_404(ReportDraft, pk=pk)
    state = State.of(request.POST)
    draft = services.draft_of(report_draft)
    if not 0 <= index < len(draft.decisions):
        return _review_page(request, report_draft, state, status=404)
    try:
        dataset = services.draft_corrected(report_draft, draft).dataset
        value = _chosen(request, draft, dataset, index)
        version = request.POST.get("version", "")
        services.draft_correct(
            report_draft,
            index,
            value,
            actor=_user(request),
            expected_version=int(version) if version.isdigit() else None,
            draft=draft,
        )
    except ApplicationError as refusal:
        typed = request.POST.get("value", "")
        return _review_page(
            request,
            report_draft,
            State(index, state.part, state.page, state.flagged),
            errors={index: (str(refusal), typed)},
            status=http_status(refusal),
        )
    messages.success(request, _("The correction was kept. It is imported when you accept the draft."))
    url = reverse("interchange:report_draft", args=[report_draft.pk])
    return redirect(f"{url}?{state.query(decision=index)}#decision-{index}")


def _preview_context(preview: Preview) -> dict[str, Any]:
    return {
        "preview": preview,
        "counts": [(status, preview.count(status)) for status in RowStatus if preview.count(status)],
        "statuses": RowStatus,
        "warning_groups": warnings_by_kind(preview.warnings),
    }


@require_http_methods(["GET", "HEAD", "POST"])
@administrator_required
def draft_accept(request: HttpRequest, pk: int) -> HttpResponse:
    report_draft = get_object_or_404(ReportDraft, pk=pk)
    if request.method == "POST":
        version = request.POST.get("version", "")
        try:
            accepted = services.draft_accept(
                report_draft,
                actor=_user(request),
                expected_version=int(version) if version.isdigit() else None,
            )
        except ImportRefused as refusal:
            messages.error(
                request, _("Nothing was imported: the corrected draft has problems. They are listed below.")
            )
            context = {"report_draft": report_draft, "plan_exists": services.plan_exists(report_draft)}
            return render(
                request,
                "interchange/report_draft_accept.html",
                {**context, **_preview_context(refusal.preview)},
                status=400,
            )
        except ApplicationError as refusal:
            messages.error(request, str(refusal))
            return redirect("interchange:report_draft", pk=report_draft.pk)
        messages.success(request, accepted.result.summary)
        return redirect("interchange:report_draft", pk=report_draft.pk)
    preview = services.draft_accept_preview(report_draft, actor=_user(request))
    return render(
        request,
        "interchange/report_draft_accept.html",
        {
            "report_draft": report_draft,
            "plan_exists": services.plan_exists(report_draft),
            **_preview_context(preview),
        },
        status=200 if preview.ok else 400,
    )


@require_POST
@administrator_required
def draft_discard(request: HttpRequest, pk: int) -> HttpResponse:
    report_draft = get_object_or_404(ReportDraft, pk=pk)
    try:
        services.draft_discard(report_draft, actor=_user(request))
    except ApplicationError as refusal:
        messages.error(request, str(refusal))
        return redirect("interchange:report_draft", pk=report_draft.pk)
    messages.success(request, _("The draft was discarded: nothing was imported."))
    return redirect("interchange:report_drafts")
