"""The one error vocabulary: each kind of service refusal becomes one status on every HTML page
(NotFound 404, Invalid 422, Stale 409, Forbidden 403) with its message, one exit code on the command
line, and every read service checks its permission the same way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import click
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from tests import factories
from tracker.cli.common import exit_on_refusal
from tracker.models import User
from tracker.services.accounts import audit_reader, user_admin
from tracker.services.assessment import reports, whatif
from tracker.services.common.errors import Forbidden, Invalid, NotFound, ServiceError, Stale
from tracker.services.common.permissions import PermissionDenied
from tracker.services.registry import kim_export, kims, regions
from tracker.services.reports import dashboard, kim_profile, leaderboard
from tracker.services.rules import frameworks, periods

KINDS = [
    (NotFound, 404, "Tidak ditemukan"),
    (Invalid, 422, "Permintaan ditolak"),
    (Stale, 409, "Data sudah berubah"),
    (Forbidden, 403, "Akses ditolak"),
    (PermissionDenied, 403, "Akses ditolak"),
]


@pytest.fixture
def refusing(app: Flask) -> Flask:
    """The app with a page that raises the kind named in its URL, as a service would."""
    by_name = {kind.__name__: kind for kind, _status, _title in KINDS}

    def refuse(kind: str) -> str:
        raise by_name[kind]("Pesan dari layanan.")

    app.add_url_rule("/uji/tolak/<kind>", view_func=refuse)
    return app


@pytest.mark.parametrize(("kind", "status", "title"), KINDS)
def test_every_kind_becomes_its_status_on_an_html_page(
    refusing: Flask, client: FlaskClient, kind: type[ServiceError], status: int, title: str
) -> None:
    response = client.get(f"/uji/tolak/{kind.__name__}")
    assert response.status_code == status
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert f"{status} · " in page and title in page  # the site's own page, in its layout
    assert "Pesan dari layanan." in page


def test_a_period_nobody_added_is_a_404_naming_it(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as("viewer")
    for url in ("/penilaian/2099-T1", "/penilaian/2099-T1/ekspor.csv", "/penilaian/bukan/kim/1"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "tidak ditemukan" in response.get_data(as_text=True)


def test_a_kim_outside_the_scope_is_the_same_404_everywhere(
    client: FlaskClient, login_as: Callable[..., User], regions: factories.RegionTree
) -> None:
    outside = factories.kim(regions.desa_b1)
    period = factories.make_period("2025-T1")
    login_as("petugas", scope=[regions.kec_a])
    for url in (f"/kim/{outside.id}", f"/penilaian/{period.code}/kim/{outside.id}"):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize(("kind", "_status", "_title"), KINDS)
def test_the_command_line_prints_the_message_and_exits_1(
    runner: FlaskCliRunner, kind: type[ServiceError], _status: int, _title: str
) -> None:
    @click.command("uji")
    def command() -> None:
        with exit_on_refusal(suffix="Tidak ada yang disimpan."):
            raise kind("Pesan dari layanan.")

    result = runner.invoke(command)
    assert result.exit_code == 1
    assert "Gagal: Pesan dari layanan. Tidak ada yang disimpan." in result.output


def test_a_command_without_refusal_exits_0(runner: FlaskCliRunner) -> None:
    @click.command("uji")
    def command() -> None:
        with exit_on_refusal():
            click.echo("selesai")

    result = runner.invoke(command)
    assert result.exit_code == 0 and "selesai" in result.output


READS: dict[str, Callable[[User], Any]] = {
    "kims.registry_page": lambda u: kims.registry_page(u, kims.KimFilter(), 1, 25),
    "kims.get_kim": lambda u: kims.get_kim(u, 1),
    "kim_profile.kim_detail": lambda u: kim_profile.kim_detail(u, 1),
    "kim_export.export_rows": lambda u: kim_export.export_rows(u),
    "regions.browse": lambda u: regions.browse(u),
    "regions.search": lambda u: regions.search(u, "kuto"),
    "periods.list_periods": lambda u: periods.list_periods(u),
    "frameworks.list_versions": lambda u: frameworks.list_versions(u),
    "whatif.version_page": lambda u: whatif.version_page(1, u),
    "whatif.compare": lambda u: whatif.compare(1, None, u),
    "reports.period_overview": lambda u: reports.period_overview(u, "2025-T1"),
    "reports.kim_assessment": lambda u: reports.kim_assessment(u, "2025-T1", 1),
    "reports.export_assessments": lambda u: reports.export_assessments(u, "2025-T1", "csv"),
    "leaderboard.leaderboard_page": lambda u: leaderboard.leaderboard_page(u, date(2025, 1, 1)),
    "leaderboard.leaderboard": lambda u: leaderboard.leaderboard(u),
    "dashboard.summary": lambda u: dashboard.summary(u),
    "user_admin.list_users": lambda u: user_admin.list_users(u),
    "user_admin.get_user": lambda u: user_admin.get_user(u, 1),
    "audit_reader.list_entries": lambda u: audit_reader.list_entries(u, audit_reader.AuditFilter()),
    # what a form offers to choose from
    "kims.desa_choices": lambda u: kims.desa_choices(u),
    "user_admin.scope_choices": lambda u: user_admin.scope_choices(u),
    "frameworks.editable_draft": lambda u: frameworks.editable_draft(1, u),
}


@pytest.mark.parametrize("name", sorted(READS))
def test_every_read_service_refuses_a_role_without_its_permission(
    regions: factories.RegionTree, name: str
) -> None:
    """Checked at the top, before anything is looked up: refused, not 'not found'."""
    stranger = factories.user(role="tamu", username="tamu")  # a role that holds no permission
    with pytest.raises(PermissionDenied):
        READS[name](stranger)
