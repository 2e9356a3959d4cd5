"""The CloudFront function in template.yaml, run as CloudFront would (its JavaScript, in Node): the
app's routes get the app's shell, the admin site's routes the admin site's, files stay files. The
local gateway does the same (tests/unit/infra/test_local_gateway.py)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from infra.local.template import Template

NODE = shutil.which("node")

CASES = {
    "/": "/index.html",
    "/discover": "/index.html",
    "/sessions/01ABC/room": "/index.html",
    "/administrators": "/index.html",
    "/assets/app.js": "/assets/app.js",
    "/admin": "/admin/index.html",
    "/admin/": "/admin/index.html",
    "/admin/users": "/admin/index.html",
    "/admin/users/01ABC": "/admin/index.html",
    "/admin/assets/admin.js": "/admin/assets/admin.js",
    "/admin/pages/users.html": "/admin/pages/users.html",
}


@pytest.mark.skipif(NODE is None, reason="needs node (the web build's)")
def test_the_rewrite_sends_each_site_its_own_shell() -> None:
    [(_, function)] = list(Template.load().resources_of_type("AWS::CloudFront::Function"))
    code = function["Properties"]["FunctionCode"]
    script = code + (
        "\nconst uris = JSON.parse(process.argv[1]);"
        "\nconsole.log(JSON.stringify(uris.map((uri) => handler({ request: { uri } }).uri)));"
    )
    run = subprocess.run(
        [str(NODE), "-e", script, json.dumps(list(CASES))], capture_output=True, text=True, check=True
    )

    assert dict(zip(CASES, json.loads(run.stdout), strict=True)) == CASES
