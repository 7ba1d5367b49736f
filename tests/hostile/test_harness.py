"""The harness must see a leak wherever an output could hide one: a check that cannot fail
would make the whole hostile corpus worthless."""
from __future__ import annotations

import base64
import zipfile

import pikepdf

from tests.hostile.harness import CANARY, canary_png, leaks


def test_a_canary_is_found_in_raw_bytes(tmp_path):
    path = tmp_path / "a.html"
    path.write_text(f"<p>{CANARY}</p>", encoding="utf-8")
    assert leaks(path, CANARY.encode()) == "raw bytes"


def test_a_canary_is_found_inside_a_compressed_zip_member(tmp_path):
    path = tmp_path / "a.epub"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("EPUB/text/a.xhtml", f"<p>{CANARY}</p>" * 3)
    assert CANARY.encode() not in path.read_bytes()
    assert leaks(path, CANARY.encode()).startswith("zip member")


def test_a_canary_is_found_in_a_base64_data_uri(tmp_path):
    path = tmp_path / "a.html"
    encoded = base64.b64encode(canary_png()).decode()
    path.write_text(f'<img src="data:image/png;base64,{encoded}">', encoding="utf-8")
    assert leaks(path, CANARY.encode()) == "a base64 data: URI"


def test_a_canary_is_found_in_a_compressed_pdf_stream(tmp_path):
    path = tmp_path / "a.pdf"
    pdf = pikepdf.new()
    pdf.add_blank_page()
    stream = pikepdf.Stream(pdf, CANARY.encode() * 4)
    stream.Filter = pikepdf.Name.FlateDecode
    stream.write(CANARY.encode() * 4)
    pdf.Root.Extra = pdf.make_indirect(stream)
    pdf.save(path, compress_streams=True)
    assert CANARY.encode() not in path.read_bytes()
    assert leaks(path, CANARY.encode()) == "a PDF stream"


def test_a_clean_file_does_not_leak(tmp_path):
    path = tmp_path / "a.html"
    path.write_text("<p>nothing</p>", encoding="utf-8")
    assert leaks(path, CANARY.encode()) == ""
