"""Every API list runs the same number of queries whatever the number of KIMs (and of their
results, sessions, visits, follow-ups and letters)."""

from __future__ import annotations

from tests.api.conftest import grow, seed_district

LISTS = (
    "/api/v1/kims?per_page=100",
    "/api/v1/regions?per_page=100",
    "/api/v1/periods",
    "/api/v1/periods/2025-T1/assessments?per_page=100",
    "/api/v1/sessions?per_page=100",
    "/api/v1/visits?per_page=100",
    "/api/v1/follow-ups?per_page=100",
    "/api/v1/letters?per_page=100",
)


def _counts(client, headers, count_queries) -> dict[str, tuple[int, int]]:  # type: ignore[no-untyped-def]
    found = {}
    for url in LISTS:
        with count_queries() as sql:
            response = client.get(url, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        found[url] = (len(sql), len(response.get_json()["items"]))
    return found


def test_every_list_runs_a_fixed_number_of_queries(
    client, regions, api_token, count_queries
) -> None:
    district = seed_district(regions, per_kecamatan=1)
    headers = api_token("kabid").headers
    small = _counts(client, headers, count_queries)
    grow(district, regions, 6)
    large = _counts(client, headers, count_queries)
    for url in LISTS:
        assert large[url][0] == small[url][0], url
    # the lists did grow
    assert large[LISTS[0]][1] == 14 and small[LISTS[0]][1] == 2
    assert large["/api/v1/visits?per_page=100"][1] == 3
    assert large["/api/v1/sessions?per_page=100"][1] == 3
    assert large["/api/v1/letters?per_page=100"][1] == 14


def test_a_petugas_list_runs_as_few_queries(client, regions, api_token, count_queries) -> None:
    district = seed_district(regions, per_kecamatan=1)
    headers = api_token("petugas", scope=[regions.kec_a]).headers
    small = _counts(client, headers, count_queries)
    grow(district, regions, 5)
    large = _counts(client, headers, count_queries)
    assert {url: n for url, (n, _) in large.items()} == {url: n for url, (n, _) in small.items()}
    assert large[LISTS[0]][1] == 6
