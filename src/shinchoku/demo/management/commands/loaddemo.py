from pathlib import Path

from django.core.management.base import BaseCommand

from shinchoku.plans.management.commands.loadplan import load
from shinchoku.settings import BASE_DIR

DEMO_FILE = BASE_DIR / "data" / "seeds" / "kawasaki-plan9.yaml"


class Command(BaseCommand):
    help = "Load the demonstration dataset (Kawasaki City, プラン９); loading it twice leaves the same state."

    def handle(self, *args: object, **options: object) -> None:
        load(self, Path(DEMO_FILE))
