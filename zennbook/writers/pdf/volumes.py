"""Volumes: where a book too thick to bind is cut, and what each volume is.

The cut falls between chapters, at part boundaries where it can: among the splits into the
fewest volumes that fit the limit, those whose largest volume is within SLACK of the best
possible largest volume are candidates; of those, the one with the most cuts at part
boundaries wins, then the one with the most even volumes (least sum of squared sizes). So a
1,640-page book with an 800-page limit gives three volumes of about 550, not 800 + 800 + 40.

Each volume is planned with an estimate of its own front matter: the pages every volume has
(title pages, copyright and license) and its share of the book's table of contents, by its
number of chapters, with a margin (CONTENTS_MARGIN); never more than the whole book's front
matter. The whole book's front matter is no estimate of a volume's: the synthetic course's
102-page front matter (contents for 114 chapters) against 12-14 pages in each volume made
10 volumes where 9 fit. Plus one page of slack per volume (a part page that lands on the
other parity may gain a blank page); a volume over the limit after all is an error.

Numbering: a volume's pages are numbered from 1 (roman in its front matter), as readers of
multi-volume sets expect; chapters and parts keep their numbers from the whole book (第12章
is 第12章 in every volume), so a reference "第12章" is found in whichever volume holds it.
A volume that starts inside a part repeats that part's title page.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

SLACK = 1.10                # a part-boundary split may make the largest volume this much larger
PAGE_SLACK = 1              # per volume: a part page moved to the other parity
FRONT_FIXED = 8             # a volume's front matter but its contents: title pages, copyright, license
CONTENTS_MARGIN = 1.25      # a volume's chapters may have more contents lines than the book's average


@dataclass(frozen=True)
class Chapter:
    slug: str
    pages: int                      # its unit's pages in the whole book (its part page included)
    opens_part: bool                # a part starts with it


@dataclass(frozen=True)
class Split:
    volumes: tuple[tuple[Chapter, ...], ...]
    too_long: tuple[Chapter, ...]   # chapters longer than a volume may be: nothing is split


def split_volumes(chapters: list[Chapter], limit: int, front_pages: int) -> Split:
    """The volumes for `chapters` with at most `limit` pages each (front matter included);
    `front_pages`: the whole book's front matter."""
    def front(count: int) -> int:                 # a volume of `count` chapters
        return front_estimate(front_pages, count, len(chapters))
    room = limit - PAGE_SLACK
    too_long = tuple(c for c in chapters if c.pages + front(1) > room)
    if too_long or not chapters:
        return Split((tuple(chapters),) if chapters and not too_long else (), too_long)
    sizes = [c.pages for c in chapters]
    count = math.ceil(sum(sizes) / room)
    while True:
        best = smallest_largest(sizes, count, front)
        if best <= room:
            break
        count += 1
    cap = min(room, math.floor(best * SLACK))
    cuts = best_cuts(chapters, count, cap, front)
    bounds = [0, *cuts, len(chapters)]
    return Split(tuple(tuple(chapters[a:b]) for a, b in zip(bounds, bounds[1:])), ())


def front_estimate(front_pages: int, chapters: int, book_chapters: int) -> int:
    """The front matter of a volume of `chapters` of the book's `book_chapters`."""
    contents = max(0, front_pages - FRONT_FIXED)
    share = math.ceil(CONTENTS_MARGIN * contents * chapters / max(1, book_chapters))
    return min(front_pages, FRONT_FIXED + share)


def smallest_largest(sizes: list[int], count: int, front) -> int:
    """The least possible size of the largest of `count` consecutive groups of `sizes`, each
    group with its front matter (`front(chapters in it)`)."""
    low, high = max(sizes) + front(1), sum(sizes) + front(len(sizes))
    while low < high:
        middle = (low + high) // 2
        groups, current, members = 1, 0, 0
        for size in sizes:
            if current + size + front(members + 1) > middle:
                groups, current, members = groups + 1, 0, 0
            current, members = current + size, members + 1
        if groups <= count:
            high = middle
        else:
            low = middle + 1
    return low


def best_cuts(chapters: list[Chapter], count: int, cap: int, front) -> list[int]:
    """Cut positions (a volume starts at each) for `count` volumes of at most `cap` pages
    (their front matter, `front(chapters in it)`, included): most cuts at a part boundary,
    then least sum of squared volume sizes."""
    n = len(chapters)
    prefix = [0]
    for chapter in chapters:
        prefix.append(prefix[-1] + chapter.pages)
    # best[j][i]: (part cuts, -squares) of the first i chapters in j volumes, and the last cut
    best = [[None] * (n + 1) for _ in range(count + 1)]
    best[0][0] = ((0, 0), None)
    for j in range(1, count + 1):
        for i in range(1, n + 1):
            found = None
            for k in range(j - 1, i):
                size = prefix[i] - prefix[k] + front(i - k)
                if best[j - 1][k] is None or size > cap:
                    continue
                (parts, squares), _ = best[j - 1][k]
                score = (parts + (1 if k and chapters[k].opens_part else 0), squares - size ** 2)
                if found is None or score > found[0]:
                    found = (score, k)
            best[j][i] = found
    if best[count][n] is None:
        raise ValueError(f"no split of {n} chapters into {count} volumes of at most {cap} pages")
    cuts, i = [], n
    for j in range(count, 0, -1):
        k = best[j][i][1]
        if k:
            cuts.append(k)
        i = k
    return sorted(cuts)
