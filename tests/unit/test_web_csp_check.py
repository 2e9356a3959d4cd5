"""The web build's CSP gate (web/csp-check.mjs) refuses what Alpine's CSP build can't run, and only that.

Runs the checker under Node on small pages: a regression in the gate would let an eval-only
expression reach a page served without 'unsafe-eval', where it fails only in a visitor's browser.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (WEB / "node_modules" / "@alpinejs" / "csp").exists(),
    reason="needs Node and web/node_modules (npm ci in web/)",
)


def problems(html: str) -> list[str]:
    script = (
        "import { checkExpressions } from './csp-check.mjs';"
        f"console.log(JSON.stringify(checkExpressions({json.dumps(html)})));"
    )
    result = subprocess.run(
        ["node", "--input-type=module", "-e", script], cwd=WEB, capture_output=True, text=True, check=True
    )
    found: list[str] = json.loads(result.stdout)
    return found


def test_expressions_the_csp_build_evaluates_pass() -> None:
    page = """<div x-data="{ open: false }" :class="open ? 'a' : 'b'" @click="open = !open">
      <template x-for="(item, i) in list.items" :key="item.id">
        <p x-text="$money(item.price_paise)"></p>
      </template>
      <input x-model="form.q" :aria-invalid="!!(errors.q)" x-bind="field('q')">
      <script src="/assets/app.js" defer></script></div>"""
    assert problems(page) == []


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ('<p x-text="user?.name"></p>', "Unexpected token"),
        ("<p x-text=\"name ?? 'A learner'\"></p>", "Unexpected token"),
        ('<p :style="`width: ${n}%`"></p>', "Unexpected token"),
        ('<p x-show="items.filter((i) => i.ok).length"></p>', "Unexpected token"),
        ('<button @click="a = 1; b = 2"></button>', "Unexpected token"),
        ('<p :aria-invalid="Boolean(errors.q)"></p>', "uses Boolean"),
        ("<p x-data=\"{ seen: sessionStorage.getItem('k') }\"></p>", "uses sessionStorage"),
        ("<a :href=\"'/d?tag=' + encodeURIComponent(tag)\"></a>", "uses encodeURIComponent"),
        ("<script>alert(1)</script>", "inline script"),
        ('<button onclick="go()"></button>', "inline handler"),
    ],
)
def test_what_needs_eval_or_inline_script_is_refused(html: str, reason: str) -> None:
    found = problems(html)
    assert len(found) == 1
    assert reason in found[0]
