"""hyperxmp's packet is the same with zennbook.sty's faster way of writing it.

zennbook.sty replaces hyperxmp's \\hyxmp@add@to@xml, whose 65,536-step TeX loop ran about a
hundred times at the end of every job. One small document with metadata that the loop
exists for (capitals that \\lowercase would change, underscores, Japanese, markup
characters), compiled twice: with the replacement and with hyperxmp's own macro (the
replacement's hook removed). The two XMP packets must be the same bytes.
"""
from __future__ import annotations

import shutil

import pytest

from tests.conftest import needs
from zennbook.writers import latex
from zennbook.writers.templating import template_path

pytestmark = needs("lualatex")

DOCUMENT = r"""\documentclass[paper=b5j,fontsize=10pt,book,openany,jafontsize=10pt]{jlreq}
\usepackage{zennbook}
%(unpatch)s
\usepackage[unicode]{hyperref}
\usepackage{hyperxmp}
\hypersetup{
  keeppdfinfo,
  pdftitle={VAE の Variational Autoencoder: ÀÉÎ Ωμ ЖЯ snake\_case \& <tags>},
  pdfauthor={Zenn Author \& ＡＢＣ Team},
  pdfkeywords={MachineLearning, Julia\_Lang, CC-BY-4.0},
  pdfcopyright={CC BY 4.0 · 合成コーパス},
  pdflicenseurl={https://creativecommons.org/licenses/by/4.0/},
  pdflang={ja},
}
\makeatletter\AtEndDocument{\typeout{ZBXMP:\meaning\hyxmp@add@to@xml}}\makeatother
\begin{document}
本文 Body text.
\end{document}
"""


def packet(folder, unpatch: bool) -> tuple[bytes, str]:
    folder.mkdir()
    remove = r"\RemoveFromHook{package/hyperxmp/after}[zennbook]" if unpatch else ""
    (folder / "book.tex").write_text(DOCUMENT % {"unpatch": remove}, encoding="utf-8")
    shutil.copyfile(template_path("latex/zennbook.sty"), folder / "zennbook.sty")
    latex.compile_once(folder, "book", folder / "book.log", epoch=1767225600)
    data = (folder / "book.pdf").read_bytes()
    start, end = data.find(b"<x:xmpmeta"), data.find(b"</x:xmpmeta>")
    assert 0 <= start < end, "no XMP packet in the PDF"
    return data[start:end], (folder / "book.log").read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="module")
def packets(tmp_path_factory):
    root = tmp_path_factory.mktemp("xmp")
    return packet(root / "ours", unpatch=False), packet(root / "hyperxmp", unpatch=True)


def test_the_replacement_is_the_one_used(packets):
    (_, ours_log), (_, theirs_log) = packets
    assert "ZBXMP:" in ours_log and "directlua" in ours_log.split("ZBXMP:")[1].splitlines()[0]
    assert "directlua" not in theirs_log.split("ZBXMP:")[1].splitlines()[0]


def test_the_packet_is_the_same_bytes(packets):
    (ours, _), (theirs, _) = packets
    assert b"Variational Autoencoder" in ours and "ÀÉÎ Ωμ ЖЯ".encode() in ours     # capitals kept
    assert b"snake_case" in ours and b"&amp;" in ours
    assert ours == theirs
