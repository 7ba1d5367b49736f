"""pandoc AST filters, one concern per file, panflute-style: ``action(elem, doc)``.

Returning None keeps the element, an element replaces it, a list splices, [] deletes.
FILTERS is the chain, read in one place (zennbook.filtering.apply_filters), in order.
"""

FILTERS = ()
