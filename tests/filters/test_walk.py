"""zennbook's walk must be panflute's walk, only faster: the same visits in the same order and
the same tree after every filter, on the sample book, the seeds and the filter cases."""
from __future__ import annotations

from pathlib import Path

import panflute as pf
import pytest

from zennbook.filters import FILTERS
from zennbook.article import parse_article, read_article
from zennbook.diagnostics import Diagnostics
from zennbook.filtering import FilterContext, walk
from zennbook.pandoc import doc_to_json

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO.parent / "shared" / "seeds"
SOURCES = sorted((REPO / "articles").glob("*.md")) + sorted(SEEDS.glob("*.txt")) \
    + sorted((REPO / "tests" / "filters" / "cases").glob("*/*.md"))


def filtered(path: Path, walker) -> tuple[str, list[str], list[str]]:
    """The article through every filter with `walker`: its JSON, diagnostics and visit order."""
    article = read_article(path, path.name)
    parse_article(article)
    diagnostics = Diagnostics()
    doc = article.doc
    doc.context = FilterContext(path=path.name, slug=path.stem, diagnostics=diagnostics,
                                article_dir=path.parent, root_dir=path.parent)
    visits = []
    for action in FILTERS:
        def recording(elem, d, action=action):
            visits.append(type(elem).__name__)
            return action(elem, d)
        doc = walker(doc, recording)
    return doc_to_json(doc), [str(d) for d in diagnostics.items], visits


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_same_tree_diagnostics_and_visits_as_panflute(path: Path):
    if not path.exists():
        pytest.skip("no seeds beside the repository")
    ours = filtered(path, lambda doc, action: walk(doc, action, doc))
    theirs = filtered(path, lambda doc, action: doc.walk(action, doc))
    assert ours == theirs


def test_replace_splice_and_delete_as_panflute():
    def action(elem, doc):
        if isinstance(elem, pf.Str) and elem.text == "drop":
            return []
        if isinstance(elem, pf.Str) and elem.text == "two":
            return [pf.Str("a"), pf.Space(), pf.Str("b")]
        if isinstance(elem, pf.Emph):
            return pf.Strong(*elem.content)
        return None

    def doc():
        return pf.Doc(pf.Para(pf.Str("one"), pf.Space(), pf.Str("drop"), pf.Str("two"),
                              pf.Emph(pf.Str("x"))))
    ours = walk(doc(), action, None)
    theirs = doc().walk(action)
    assert doc_to_json(ours) == doc_to_json(theirs)
    assert [type(e).__name__ for e in ours.content[0].content] == ["Str", "Space", "Str", "Space", "Str", "Strong"]
    assert ours.content[0].content[5].parent is ours.content[0]
