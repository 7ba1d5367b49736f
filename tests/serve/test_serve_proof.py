"""`/proof/<slug>`: the article in the print layout as page images, made in the background on
the first ask and made again after a save (two LaTeX runs in this file)."""
from __future__ import annotations

import re
import time

from tests.conftest import needs
from tests.serve.conftest import ARTICLES

pytestmark = needs("lualatex", "pdftoppm")
PROOF_TIMEOUT_S = 240
PNG = b"\x89PNG\r\n\x1a\n"


def proof_when(served, slug: str, ready) -> str:
    deadline = time.monotonic() + PROOF_TIMEOUT_S
    while time.monotonic() < deadline:
        status, body = served.get(f"/proof/{slug}")
        assert status == 200
        if ready(body.decode()):
            return body.decode()
        time.sleep(0.5)
    raise AssertionError(f"no proof of {slug}: {body.decode()[-2000:]}")


def version(page: str) -> int:
    return int(re.search(r'name="zennbook-proof" content="[^"]*" data-version="(\d+)"', page).group(1))


def test_a_proof_is_made_on_demand_and_again_after_a_save(served):
    first = proof_when(served, "one", lambda page: 'class="zb-page"' in page and "made in" in page)
    status, image = served.get(f"/proof/one/1.png?v={version(first)}")
    assert status == 200 and image.startswith(PNG)
    assert served.get("/proof/one/99.png")[0] == 404

    (served.folder / "articles" / "one.md").write_text(
        ARTICLES["one"].replace("Original first paragraph.", "A much longer first paragraph. " * 40),
        encoding="utf-8")
    again = proof_when(served, "one", lambda page: version(page) > version(first) and "made in" in page)
    assert served.get("/proof/one/1.png")[1] != image
    assert "making" not in again
