"""The words of the lockout's pages in the Django admin, django-axes's access attempts,
access logs and access failures: django-axes has no Japanese for them. They are listed
here, each exactly as django-axes writes it, so that ``makemessages`` puts them in the
project's catalogue, which Django reads before any app's; the pages then show them in
Japanese like the rest of the admin.

(Its message after cleaning up expired attempts names the count inside the message, so
no catalogue can translate it.)
"""

from django.utils.translation import gettext_noop

#: django-axes's models: their names, their fields' names and help.
MODEL_WORDS = (
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("Access Attempt"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"),
)

#: django-axes's admin pages: a filter's title, the headings of a record's fields, an
#: action, and what its list says of an attempt.
ADMIN_WORDS = (
    gettext_noop("Locked Out"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
)
