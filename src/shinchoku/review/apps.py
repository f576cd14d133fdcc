from django.apps import AppConfig
from django.db.models.signals import pre_delete
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "shinchoku.review"
    label = "review"
    verbose_name = _("Evaluation rounds")

    def ready(self) -> None:
        """A target with a revision pending in an open round is not deleted, whatever deletes it."""
        from shinchoku.progress.models import Target
        from shinchoku.review.guards import refuse_target_with_pending_revision

        pre_delete.connect(
            refuse_target_with_pending_revision,
            sender=Target,
            dispatch_uid="review-target-pending-revision",
        )
