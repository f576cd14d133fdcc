from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "shinchoku.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from shinchoku.accounts.middleware import activity_start

        # The sign-in's working day and idle time start when the person signs in.
        user_logged_in.connect(activity_start, dispatch_uid="shinchoku.accounts.activity_start")
