from django.db import migrations


def derive_again(apps, schema_editor):
    # The documents' positions now leave room for each kind and each year of results
    # (``indexing.RESULTS_AT``), so that a round's year is written again alone. The plans
    # indexed before are derived again once ``migrate`` ends (``changes.derive_missing``
    # takes a plan without a version for one never derived); their next version is still
    # higher than any they had.
    apps.get_model("published", "DataVersion").objects.filter(plan__isnull=False).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_documents"),
        ("published", "0003_data_version_notify"),
    ]

    operations = [migrations.RunPython(derive_again, migrations.RunPython.noop)]
