import pytest

from tests.factories import EveryTable, make_every_table


@pytest.fixture
def world(db: None) -> EveryTable:
    return make_every_table()
