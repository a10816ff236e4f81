"""The API's `sort` arguments name the same keys as the lists' own sort columns (the names are
plain constants so the API schema is built without configuring the mappers at import)."""

from tracker.services.registry import kims
from tracker.services.visits import follow_ups


def test_api_sort_names_are_the_lists_sort_keys(app):
    with app.app_context():
        assert tuple(kims._sorts().columns) == kims.SORT_NAMES
        assert kims._sorts().default == kims.SORT_DEFAULT
        assert tuple(follow_ups._sorts().columns) == follow_ups.SORT_NAMES
        assert follow_ups._sorts().default == follow_ups.SORT_DEFAULT
