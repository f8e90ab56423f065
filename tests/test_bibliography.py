"""References and glossary: the .bib is sound, every citation and every term resolves.

Reads book/references.bib, book/glossary.md and the sources in book/ (Markdown pages and
the markdown cells of notebooks); needs no build.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import ROOT

BOOK = ROOT / "book"
BIB = BOOK / "references.bib"
GLOSSARY = BOOK / "glossary.md"
TOC = (ROOT / "_toc.yml").read_text(encoding="utf-8")

# The original papers the course is built around: (first author, year, words of the title).
REQUIRED = [
    ("McCulloch", "1943", "logical calculus"),
    ("Hebb", "1949", "organization of behavior"),
    ("Rosenblatt", "1958", "perceptron"),
    ("Minsky", "1969", "perceptrons"),
    ("Rumelhart", "1986", "back-propagating errors"),
    ("LeCun", "1989", "handwritten zip code"),
    ("LeCun", "1998", "document recognition"),
    ("Hochreiter", "1997", "long short-term memory"),
    ("Glorot", "2010", "deep feedforward"),
    ("Hinton", "2006", "deep belief nets"),
    ("Krizhevsky", "2012", "imagenet classification"),
    ("Kingma", "2014", "adam"),
    ("Srivastava", "2014", "dropout"),
    ("Goodfellow", "2014", "generative adversarial"),
    ("He", "2015", "deep residual learning"),
    ("He", "2015", "delving deep into rectifiers"),
    ("Ronneberger", "2015", "u-net"),
    ("Vaswani", "2017", "attention is all you need"),
]

# A role, not inline code showing one (`{cite}` in prose is preceded by a backtick).
CITE = re.compile(r"(?<!`)\{cite(?::[a-z]+)?\}`([^`]+)`")
TERM = re.compile(r"(?<!`)\{term\}`([^`]+)`")
CODE_FENCE = re.compile(r"^(`{3,}|~{3,})(?!\s*\{).*?^\1\s*$", re.S | re.M)
COMMENT = re.compile(r"<!--.*?-->", re.S)


def _prose(text: str) -> str:
    """Markdown without HTML comments and code blocks (directive blocks are kept)."""
    return CODE_FENCE.sub("", COMMENT.sub("", text))


def bibliography():
    from pybtex.database import parse_file

    return parse_file(str(BIB), bib_format="bibtex")


def book_sources() -> dict[str, str]:
    """Relative path -> the text of every Markdown page and notebook markdown cell in book/."""
    texts = {}
    for path in sorted(BOOK.rglob("*")):
        if ".ipynb_checkpoints" in path.parts or not path.is_file():
            continue
        rel = str(path.relative_to(ROOT))
        if path.suffix == ".md":
            texts[rel] = _prose(path.read_text(encoding="utf-8"))
        elif path.suffix == ".ipynb":
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
            texts[rel] = "\n".join(
                _prose("".join(c["source"]) if isinstance(c["source"], list) else c["source"])
                for c in cells
                if c.get("cell_type") == "markdown"
            )
    return texts


def _plain(text: str) -> str:
    """Lower case, without TeX braces and accents commands, for loose title matching."""
    return re.sub(r"[{}\\'\"]", "", text).lower()


def test_bib_parses_without_duplicate_keys():
    keys = re.findall(r"^\s*@\w+\s*\{\s*([^,\s]+)\s*,", BIB.read_text(encoding="utf-8"), re.M)
    lowered = [k.lower() for k in keys]
    duplicates = sorted({k for k in lowered if lowered.count(k) > 1})
    assert not duplicates, f"keys defined twice in references.bib: {duplicates}"
    data = bibliography()  # pybtex in strict mode: raises on malformed entries
    assert len(data.entries) == len(keys)


@pytest.mark.parametrize("author,year,title", REQUIRED, ids=[f"{a}{y}" for a, y, _ in REQUIRED])
def test_required_paper_is_in_the_bib(author, year, title):
    for entry in bibliography().entries.values():
        people = entry.persons.get("author", []) or entry.persons.get("editor", [])
        first = _plain(" ".join(people[0].last_names)) if people else ""
        if (
            first == author.lower()
            and entry.fields.get("year") == year
            and title in _plain(entry.fields.get("title", ""))
        ):
            return
    pytest.fail(f"references.bib has no entry for {author} {year}, '{title}'")


def test_bibliography_page_lists_everything():
    page = (BOOK / "bibliography.md").read_text(encoding="utf-8")
    assert re.search(r"```\{bibliography\}\s*\n:all:", page), "bibliography.md needs :all:"
    assert re.search(r"file:\s*book/bibliography\b", TOC)


def test_every_cited_key_is_in_the_bib():
    keys = set(bibliography().entries.keys())
    missing = []
    for path, text in book_sources().items():
        for group in CITE.findall(text):
            for key in (k.strip() for k in group.split(",")):
                if key and key not in keys:
                    missing.append(f"{path}: {key}")
    assert not missing, "cited but not in book/references.bib:\n  " + "\n  ".join(missing)


def glossary_terms() -> list[str]:
    """The terms of the {glossary} block: unindented lines, alternatives on following lines."""
    text = GLOSSARY.read_text(encoding="utf-8")
    match = re.search(r"```\{glossary\}\n(.*?)\n```", text, re.S)
    assert match, "book/glossary.md has no ```{glossary} block"
    terms = []
    for line in match.group(1).splitlines():
        if line.strip() and not line[0].isspace() and not line.startswith(":"):
            terms.append(line.strip())
    return terms


def test_glossary_is_well_formed():
    text = GLOSSARY.read_text(encoding="utf-8")
    lines = re.search(r"```\{glossary\}\n(.*?)\n```", text, re.S).group(1).splitlines()
    for i, line in enumerate(lines):
        if line.strip() and not line[0].isspace() and not line.startswith(":"):
            # a term is followed by its alternative names, then by an indented definition
            j = i + 1
            while j < len(lines) and lines[j].strip() and not lines[j][0].isspace():
                j += 1
            assert j < len(lines) and lines[j].startswith("  "), f"term without definition: {line}"
    terms = [t.lower() for t in glossary_terms()]
    duplicates = sorted({t for t in terms if terms.count(t) > 1})
    assert not duplicates, f"terms defined twice: {duplicates}"
    assert re.search(r"file:\s*book/glossary\b", TOC), "book/glossary is not in _toc.yml"


REQUIRED_TERMS = [
    "neuron", "perceptron", "activation function", "weight", "bias", "layer", "loss function",
    "gradient", "gradient descent", "learning rate", "backpropagation", "epoch", "batch",
    "overfitting", "regularisation", "dropout", "softmax", "logit", "one-hot encoding",
    "vanishing gradient", "dying ReLU", "optimizer", "momentum", "Adam", "computational graph",
    "automatic differentiation", "threshold logic unit", "Hebbian learning",
    "linear separability", "XOR problem", "AI winter", "convolution", "recurrent network",
    "LSTM", "attention", "transformer", "residual connection",
]  # fmt: skip


def test_required_terms_are_defined():
    defined = {t.lower() for t in glossary_terms()}
    missing = [t for t in REQUIRED_TERMS if t.lower() not in defined]
    assert not missing, f"glossary lacks: {missing}"


def test_every_term_used_is_defined():
    defined = {t.lower() for t in glossary_terms()}
    missing = []
    for path, text in book_sources().items():
        for ref in TERM.findall(text):
            target = re.search(r"<([^>]+)>\s*$", ref)
            term = (target.group(1) if target else ref).strip().lower()
            if term not in defined:
                missing.append(f"{path}: {ref}")
    assert not missing, "{term} with no entry in book/glossary.md:\n  " + "\n  ".join(missing)
