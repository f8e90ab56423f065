"""Tests of nnlib.history: the milestone data, the eras, the table and the timeline."""

from __future__ import annotations

import dataclasses
import re

import matplotlib
import pytest
from conftest import ROOT

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from nnlib import history  # noqa: E402
from nnlib.history import (  # noqa: E402
    Milestone,
    chapter_link,
    eras,
    milestone,
    milestones,
    page_written,
    table_html,
    table_markdown,
    timeline,
    winters,
)

BIB_KEYS = set(re.findall(r"@\w+\{([^,\s]+),", (ROOT / "book/references.bib").read_text()))
TOC = (ROOT / "_toc.yml").read_text(encoding="utf-8")
CHAPTER_FOLDERS = (
    "01_history",
    "02_neurons",
    "03_activations",
    "04_backprop",
    "05_architectures",
    "06_applications",
)


YEARS = [1943, 1949, 1958, 1960, 1969, 1970, 1974, 1980, 1982, 1986, 1989, 1997, 2006, 2012]
YEARS += [2014, 2015, 2017]


def test_the_seventeen_milestones_of_the_syllabus():
    assert [m.year for m in milestones()] == YEARS


def test_milestones_are_sorted_and_a_fresh_list():
    ms = milestones()
    assert ms == sorted(ms, key=lambda m: m.year)
    ms.clear()
    assert len(milestones()) == 17


def test_every_field_is_filled():
    for m in milestones():
        assert isinstance(m, Milestone)
        assert m.people and all(p.strip() for p in m.people)
        assert m.title and m.idea.endswith(".") and m.why.endswith(".")
        assert re.match(r"Chapter [1-6], ", m.chapter), m.chapter


@pytest.mark.parametrize("m", milestones(), ids=lambda m: str(m.year))
def test_citation_key_is_in_references_bib(m):
    assert m.cite_key in BIB_KEYS


@pytest.mark.parametrize("m", milestones(), ids=lambda m: str(m.year))
def test_page_lives_in_a_chapter_folder_and_is_linked_once_written(m):
    if m.page is None:
        assert chapter_link(m) == "" and not page_written(m)
        return
    parts = m.page.split("/")
    assert parts[0] == "book" and parts[1] in CHAPTER_FOLDERS and len(parts) == 3
    number = int(parts[1][:2])
    assert m.chapter.startswith(f"Chapter {number},")
    exists = (ROOT / f"{m.page}.md").exists() or (ROOT / f"{m.page}.ipynb").exists()
    assert page_written(m) == exists
    assert (chapter_link(m) != "") == exists  # a page still to be written gets no link


def test_chapters_1_to_4_pages_exist():
    for m in milestones():
        if m.page and int(m.page.split("/")[1][:2]) <= 4:
            assert page_written(m), m.page


@pytest.mark.parametrize("m", milestones(), ids=lambda m: str(m.year))
def test_every_milestone_links_to_a_notebook_that_runs_it(m):
    assert m.page is not None, f"{m.year} {m.title}: no page of the book runs it"
    assert (ROOT / f"{m.page}.ipynb").is_file(), f"{m.page}.ipynb does not exist"
    assert re.search(rf"file:\s*{re.escape(m.page)}\s*$", TOC, re.M), f"{m.page} not in _toc.yml"
    assert chapter_link(m).endswith(".ipynb")
    assert f"]({chapter_link(m)})" in table_markdown()


def test_nothing_in_the_tables_is_left_to_come():
    for table in (table_markdown(), table_html()):
        assert "(to come)" not in table and "(told here, not run)" not in table


def test_a_missing_page_says_to_come_and_an_untold_one_says_so(monkeypatch):
    missing = dataclasses.replace(milestone(2017), page="book/05_architectures/99_not_yet")
    untold = dataclasses.replace(milestone(1982), page=None)
    assert not page_written(missing) and chapter_link(missing) == ""
    assert not page_written(untold) and chapter_link(untold) == ""
    others = tuple(m for m in history.MILESTONES if m.year not in (1982, 2017))
    monkeypatch.setattr(history, "MILESTONES", (*others, missing, untold))
    assert "Chapter 1, History (told here, not run)" in table_markdown()
    assert "Chapter 5, Architectures (to come)" in table_markdown()
    assert "(told here, not run)" in table_html() and "(to come)" in table_html()


def test_without_the_book_every_named_page_counts_as_written(monkeypatch):
    monkeypatch.setattr(history, "_book_root", lambda: None)
    missing = dataclasses.replace(milestone(2017), page="book/05_architectures/99_not_yet")
    assert page_written(missing)
    assert chapter_link(missing) == "../05_architectures/99_not_yet.ipynb"
    assert not page_written(dataclasses.replace(milestone(1982), page=None))


def test_page_written_errors():
    with pytest.raises(TypeError, match="expected a Milestone"):
        page_written(1943)


def test_the_claims_the_timeline_notebook_makes():
    assert milestone(1986).year - milestone(1969).year == 17
    assert "Rumelhart" in milestone(1986).people
    assert milestone(1958).people == ("Rosenblatt",)


def test_authors_string():
    assert milestone(1949).authors == "Hebb"
    assert milestone(1943).authors == "McCulloch and Pitts"
    assert milestone(1986).authors == "Rumelhart, Hinton and Williams"


def test_short_authors():
    assert milestone(1989).short_authors == "LeCun et al."
    assert milestone(1986).short_authors == "Rumelhart, Hinton and Williams"
    assert "LeCun et al." in table_markdown() and "Boser" not in table_html()


def test_milestone_lookup_errors():
    with pytest.raises(ValueError, match="no milestone in 1950; the milestones are from 1943"):
        milestone(1950)
    with pytest.raises(TypeError, match="year must be an int"):
        milestone("1958")
    with pytest.raises(TypeError, match="year must be an int"):
        milestone(True)


def test_eras_cover_the_history_without_gaps():
    es = eras()
    assert es[0].start == 1943
    for a, b in zip(es, es[1:], strict=False):
        assert a.end == b.start
    assert es[-1].end >= 2017


def test_winters():
    ws = winters()
    assert [w.name for w in ws] == ["First winter", "Second winter"]
    assert ws[0].start == 1969  # Perceptrons
    assert all(w.winter for w in ws)
    # backprop ends the first winter's aftermath inside the revival, not inside a winter
    assert not any(w.start < 1986 < w.end for w in ws)


def test_module_data_is_immutable():
    with pytest.raises(AttributeError):
        history.MILESTONES[0].year = 1900
    assert isinstance(history.MILESTONES, tuple)


def test_chapter_link_picks_the_source_extension():
    assert chapter_link(milestone(1943)) == "02_mcculloch_pitts.ipynb"
    assert chapter_link(milestone(1986)) == "../04_backprop/04_backprop_matrix.ipynb"
    index_page = dataclasses.replace(milestone(1986), page="book/04_backprop/index")
    assert chapter_link(index_page) == "../04_backprop/index.md"  # index pages are Markdown
    assert chapter_link(index_page, relative_to="book") == "04_backprop/index.md"
    assert chapter_link(milestone(1943), ext=".html") == "02_mcculloch_pitts.html"


def test_chapter_link_without_page_is_empty():
    assert chapter_link(dataclasses.replace(milestone(2017), page=None)) == ""


def test_chapter_link_errors():
    with pytest.raises(TypeError, match="expected a Milestone"):
        chapter_link(1943)
    with pytest.raises(ValueError, match="ext must be"):
        chapter_link(milestone(1943), ext=".pdf")


def test_table_html():
    text = table_html()
    assert text.startswith("<table") and text.endswith("</table>")
    assert text.count("<tr>") == 1 + 17
    assert '<a href="../04_backprop/04_backprop_matrix.html">Chapter 4, Learning</a>' in text
    assert "McCulloch and Pitts" in text


def test_table_html_escapes():
    assert "&" not in re.sub(r"&(amp|lt|gt|quot|#x27);", "", table_html())


def test_table_markdown():
    lines = table_markdown().splitlines()
    assert len(lines) == 2 + 17
    assert lines[0].startswith("| Year |")
    assert all(line.count("|") - line.count("\\|") == 6 for line in lines)
    assert "[Chapter 1, History](02_mcculloch_pitts.ipynb)" in lines[2]
    assert "[Chapter 4, Learning](../04_backprop/04_backprop_matrix.ipynb)" in table_markdown()


def test_timeline_draws_every_milestone_with_labels():
    ax = timeline()
    texts = [t.get_text() for t in ax.texts]
    for m in milestones():
        assert any(t.startswith(f"{m.year} {m.title}") for t in texts), m.year
    assert "first winter" in texts and "second winter" in texts
    assert ax.get_title() and ax.get_ylabel() == "Year"
    assert ax.get_ylim() == (2022, 1938)  # time runs down the page
    plt.close(ax.figure)


def test_timeline_labels_do_not_overlap_and_stay_near_their_years():
    ax = timeline()
    ys = sorted(t.get_position()[1] for t in ax.texts if t.get_text()[:4].isdigit())
    assert len(ys) == 17
    gaps = [b - a for a, b in zip(ys, ys[1:], strict=False)]
    assert min(gaps) >= 0.92 * (2022 - 1938) / 17 - 1e-9
    assert 1938 <= ys[0] and ys[-1] <= 2022
    for m, y in zip(milestones(), ys, strict=True):
        assert abs(m.year - y) < 12, (m.year, y)
    plt.close(ax.figure)


def test_spread_keeps_isolated_labels_at_their_years():
    assert history._spread([1950, 1980], gap=5, lo=1940, hi=2000) == [1950.0, 1980.0]
    pos = history._spread([1990, 1991, 1992], gap=5, lo=1940, hi=2000)
    assert pos == [1986.0, 1991.0, 1996.0]  # a crowd is centred on its mean
    assert history._spread([1999, 2000], gap=5, lo=1940, hi=2000) == [1995.0, 2000.0]


def test_timeline_on_given_axes_and_range():
    fig, ax = plt.subplots()
    assert timeline(ax, start=1940, end=1990) is ax
    labels = [t.get_text() for t in ax.texts]
    assert any(t.startswith("1986") for t in labels)
    assert not any(t.startswith("2012") for t in labels)
    plt.close(fig)


def test_timeline_errors():
    with pytest.raises(ValueError, match="start must be before end"):
        timeline(start=2000, end=1990)
    with pytest.raises(TypeError, match="start must be an int year"):
        timeline(start=1940.5)
