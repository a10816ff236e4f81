"""Review: saving the data-entry grid unchanged leaves every stored value exactly as it was."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from tests import factories
from tests.activity.test_import_confirm_forms import _forms
from tracker.extensions import db
from tracker.models import AuditEntry, Measurement

URL = "/aktivitas/pengukuran/2025-T1?kecamatan=35.08.09"


def test_saving_the_grid_untouched_keeps_imported_decimals(client, login_as, regions):
    period = factories.make_period("2025-T1")
    kim = factories.kim(regions.desa_a1, "KIM Tukum Mandiri")
    # as `flask measure import` stores "2,123456" and "33,333333"
    factories.make_measurement(kim, period, "M2", 2.123456, note="rekap medsos")
    factories.make_measurement(kim, period, "W2", 33.333333, note="rekap mingguan")
    login_as("petugas", scope=["35.08.09"])
    html = client.get(URL).get_data(as_text=True)
    action, inputs = next(f for f in _forms(html) if "/pengukuran/" in f[0])
    saved = client.post(action.replace("&amp;", "&"), data=MultiDict(inputs))
    assert saved.status_code == 302
    values = {m.indicator_code: m.value for m in db.session.scalars(select(Measurement))}
    assert values == {"M2": 2.123456, "W2": 33.333333}
    assert (
        db.session.scalar(select(AuditEntry).where(AuditEntry.action == "measurement.grid")) is None
    )
