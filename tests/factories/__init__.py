"""Small data factories for tests: the fewest rows a test needs, one module per domain.

Tests use them through this package (`from tests import factories; factories.kim(...)`); each
domain's module holds that domain's rows, so a new domain adds a module and a line below.
"""

from tests.factories.accounts import PASSWORD, login_failures, user
from tests.factories.activity import (
    import_counts,
    import_measurements,
    import_posts,
    make_count,
    make_measurement,
    make_posts,
)
from tests.factories.assessment import make_assessment
from tests.factories.coaching import make_session, make_topic
from tests.factories.letters import (
    assessed_kims,
    freeze_today,
    make_letter,
    office_ready,
    signing_certificate,
)
from tests.factories.registry import RegionTree, import_kims, kim, region_tree
from tests.factories.rules import make_framework, make_period
from tests.factories.visits import make_follow_up, make_visit, photo_bytes

__all__ = [
    "PASSWORD",
    "RegionTree",
    "assessed_kims",
    "freeze_today",
    "import_counts",
    "import_kims",
    "import_measurements",
    "import_posts",
    "kim",
    "login_failures",
    "make_assessment",
    "make_count",
    "make_follow_up",
    "make_framework",
    "make_letter",
    "make_measurement",
    "make_period",
    "make_posts",
    "make_session",
    "make_topic",
    "make_visit",
    "office_ready",
    "photo_bytes",
    "region_tree",
    "signing_certificate",
    "user",
]
