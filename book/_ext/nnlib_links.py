"""Turn "Chapter N" in nnlib's docstrings into links to the chapter, in the API reference.

Every public name of ``nnlib`` says in its docstring which chapter teaches it, in the form
``Taught in: Chapter 3, Activation functions.`` When autodoc renders a docstring, this
extension rewrites each ``Chapter N`` into a ``:doc:`` reference to that chapter's index page
(``book/NN_<topic>/index``), so a reader of the reference can jump to the lesson. A chapter
that has no page yet is left as plain text (no dangling link, no build warning).

Many docstrings end with that line, after their numpy sections. Napoleon would read it as
part of the last section (under "Returns" it becomes a bogus return value), so before
napoleon runs, such a closing "Taught in:" paragraph is moved up, above the first section.
"""

from __future__ import annotations

import re

CHAPTER = re.compile(r"(?<![\w`/<:])Chapter (\d{1,2})\b(?!`)")
CHAPTER_INDEX = re.compile(r"^book/(\d{2})_[^/]+/index$")
NOTE = re.compile(r"^(Taught in|Used in|Used throughout|Introduced in)\b")
SECTION_RULE = re.compile(r"^-{3,}\s*$")


def move_chapter_notes(lines: list[str]) -> None:
    """Move "Taught in: ..." paragraphs that follow a numpy section above the first one."""
    first = next(
        (
            i
            for i in range(len(lines) - 1)
            if lines[i].strip()
            and not lines[i][0].isspace()
            and SECTION_RULE.match(lines[i + 1])
        ),
        None,
    )
    if first is None:
        return
    ends_blank = not lines[-1].strip()
    moved: list[list[str]] = []
    i = first + 2
    while i < len(lines):
        if NOTE.match(lines[i]) and not lines[i - 1].strip():
            end = i
            while end < len(lines) and lines[end].strip():
                end += 1
            moved.append(lines[i:end])
            del lines[i:end]
            if i < len(lines) and not lines[i].strip() and not lines[i - 1].strip():
                del lines[i]  # the blank line the paragraph leaves behind
            continue
        i += 1
    if not moved:
        return
    for block in reversed(moved):
        lines[first:first] = [*block, ""]
    while lines and not lines[-1].strip():
        lines.pop()
    if ends_blank:
        lines.append("")  # autodoc ends every docstring with a blank line


def chapter_pages(docnames) -> dict[int, str]:
    """Chapter number -> docname of its index page, from the documents Sphinx found."""
    pages = {}
    for docname in docnames:
        match = CHAPTER_INDEX.match(docname)
        if match:
            pages[int(match.group(1))] = docname
    return pages


def link_chapters(line: str, pages: dict[int, str]) -> str:
    """Rewrite every ``Chapter N`` in ``line`` whose page exists into a ``:doc:`` link."""
    if line.lstrip().startswith((">>>", "...")):
        return line  # doctest lines are code

    def repl(match: re.Match) -> str:
        number = int(match.group(1))
        if number not in pages:
            return match.group(0)
        return f":doc:`Chapter {number} </{pages[number]}>`"

    return CHAPTER.sub(repl, line)


def _move_notes(app, what, name, obj, options, lines) -> None:
    if name.startswith("nnlib"):
        move_chapter_notes(lines)


def _process_docstring(app, what, name, obj, options, lines) -> None:
    if not name.startswith("nnlib"):
        return
    pages = chapter_pages(app.env.found_docs)
    in_literal = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if in_literal and stripped and not line.startswith((" ", "\t")):
            in_literal = False
        if not in_literal:
            lines[i] = link_chapters(line, pages)
        directive = stripped.startswith(".. ")
        if (stripped.endswith("::") and not directive) or stripped.startswith(
            ".. code"
        ):
            in_literal = True


def _public_bases(app, name, obj, options, bases):
    """Show a class's nearest public ancestors: private helpers (``_Builtin``) are not API."""
    for i, base in enumerate(bases):
        while base.__name__.startswith("_") and base.__bases__:
            base = base.__bases__[0]
        bases[i] = base


def setup(app):
    # Napoleon converts numpy sections at the default priority (500): move notes before it,
    # link chapters after it.
    app.connect("autodoc-process-docstring", _move_notes, priority=400)
    app.connect("autodoc-process-docstring", _process_docstring, priority=600)
    app.connect("autodoc-process-bases", _public_bases)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
