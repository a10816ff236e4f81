"""URL rules whose URL builders are compiled when first used.

Werkzeug compiles two small Python functions per rule (building its URL with and without extra
query arguments) as the rule is added: for the site's ~200 rules that is a few hundred `compile()`
calls on every start, about a sixth of the start-up, whether or not the process ever builds a URL
(`flask --help`, a command, a worker). This rule compiles each builder on its first call instead;
what it builds is unchanged (the same Werkzeug code, only later). Matching is not affected.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing import Rule


class LazyBuildRule(Rule):
    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        compile_now = super()._compile_builder
        built: list[Callable[..., tuple[str, str]]] = []

        def build(rule: Any, **values: Any) -> tuple[str, str]:
            if not built:
                built.append(compile_now(append_unknown).__get__(rule, None))
            return built[0](**values)

        return build
