"""Every rule of the URL map can be turned into a URL of the world (else the suite says which
argument is new), and the world holds what the attacks need in both kecamatan."""

from __future__ import annotations

from tests.security.world import is_scoped, rules, url_for_rule


def test_every_rule_builds_in_both_kecamatan(app, world, cases) -> None:
    built = 0
    for rule in rules(app, "GET") + rules(app, "POST"):
        a, b = url_for_rule(world, rule, "a"), url_for_rule(world, rule, "b")
        if is_scoped(rule):
            assert a != b, rule.rule
        built += 1
    assert built > 90
    assert world.a.kim.id != world.b.kim.id and world.a.letter.token != world.b.letter.token
