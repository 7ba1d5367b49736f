"""The reader's PDF's pieces, one at a time: units' HTML, the layout's fetcher, the join."""
from __future__ import annotations

import io
import subprocess
import sys

import pikepdf

from tests.conftest import REPO

from zennbook.writers.reader.render import lay_out
from zennbook.writers.reader.units import (ALT_FALLBACK, CROSS_UNIT, Unit, cross_unit_links, css_string,
                                           with_alt_text)


def test_css_string_cannot_leave_its_quotes_or_the_style_element():
    text = css_string('a"b\\c</style><script>x\n')
    assert text.startswith('"') and text.endswith('"')
    inner = text[1:-1]
    assert '"' not in inner and "<" not in inner and ">" not in inner and "\n" not in inner
    assert "\\22 " in inner and "\\3c " in inner


def test_every_image_gets_alt_text():
    html = '<img src="a.png" alt="猫"><img src="b.png" alt=""><img src="c.png"><img alt="  " src="d.png">'
    out = with_alt_text(html)
    assert out.count(f'alt="{ALT_FALLBACK}"') == 3 and 'alt="猫"' in out


def test_links_to_another_unit_become_cross_unit_links():
    units = [Unit("front", "t", '<a href="#ch-b">b</a><a href="#nowhere">x</a><p id="top"></p><a href="#top">t</a>', None),
             Unit("chapter", "b", '<article id="ch-b"><h2 id="b--節">節</h2></article>', None),
             Unit("chapter", "c", '<a href="#b--%E7%AF%80">x</a><a href="#b--節">y</a><a href="#b--%25">z</a>', None)]
    front, _, third = cross_unit_links(units)
    assert f'href="{CROSS_UNIT}ch-b"' in front.body
    assert 'href="#nowhere"' in front.body and 'href="#top"' in front.body        # kept as they were
    assert third.body.count(f'href="{CROSS_UNIT}b--%E7%AF%80"') == 2      # encoded or not, one id
    assert 'href="#b--%25"' in third.body


def test_layout_fetches_nothing_but_data_uris(tmp_path):
    secret = tmp_path / "secret.png"
    from PIL import Image
    Image.new("RGB", (8, 8), "red").save(secret)
    html = (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>t</title>'
            f'<link rel="stylesheet" href="http://127.0.0.1:9/x.css"></head><body>'
            f'<img src="{secret.as_uri()}" alt="file"><img src="http://127.0.0.1:9/y.png" alt="http">'
            f'<p style="background: url({secret.as_uri()})">本文</p></body></html>')
    with pikepdf.open(io.BytesIO(lay_out(html))) as pdf:
        images = [image for page in pdf.pages for image in page.get_images()]
        assert images == []
        assert str(pdf.Root.Lang) == "ja"


def test_more_units_than_a_round_are_all_laid_out_and_the_build_ends(tmp_path):
    """Units beyond workers x units-per-worker: Python 3.11's executor with max_tasks_per_child
    stopped replacing retired workers and the reader's PDF of a whole course hung for ever."""
    script = ("import sys; from pathlib import Path\n"
              "from zennbook.writers.reader.render import lay_out_all\n"
              "out = Path(sys.argv[1])\n"
              "pending = {out / f'{n}.pdf': f'<p>unit {n}</p>' for n in range(9)}\n"
              "lay_out_all(pending, jobs=2, per_worker=2)\n")
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], cwd=REPO, timeout=240, check=True)
    pdfs = sorted(tmp_path.glob("*.pdf"))
    assert len(pdfs) == 9
    assert all(pikepdf.open(p).pages for p in pdfs)
