"""Forgiving look-up: the document a typed symbol, id or file name means.

In order, the first that finds something wins:
1. as typed: the symbol in any case and spacing, or an id;
2. the literal spellings (`symbols.spellings`: a UN file name, `A69/767`);
3. the forgiving ones, all at once: a lost dot (`a/conf222/6`), a space for a dot
   (`a/c.5/69/sr 32`), a UN Parallel Corpus id (`2015/a/69/720`), a resolution without its
   year (`s/res/2198` -> `S/RES/2198 (2015)`), a stored file's name (`many-pages`,
   `REPORT_2017.PDF`). Exactly one document: it is used, and the answer says what was typed.
   Several: an AmbiguousSymbolError listing them, never a guess.
Never a neighbour: every spelling is an exact symbol, so `E/2015/1` is never
`E/2015/1/Add.1`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from migdocs.errors import NotFoundError
from migdocs.repo import symbols
from migdocs.repo.catalog import Catalog


class AmbiguousSymbolError(NotFoundError):
    """A typed symbol could mean several documents."""


@dataclass
class Resolution:
    typed: str
    doc_id: str | None = None
    name: str | None = None  # the symbol (or id) found
    forgiven: bool = False  # found by a spelling other than the one typed
    candidates: list[str] = field(default_factory=list)  # symbols or ids, when several

    @property
    def notice(self) -> str | None:
        """`A/CONF.222/6 (you typed a/conf222/6)` when the typed spelling was not the
        symbol's own."""
        return f"{self.name} (you typed {self.typed})" if self.forgiven else None


def resolve(catalog: Catalog, text: str) -> Resolution:
    typed = text.strip()
    found = catalog.resolve(typed)
    if found is None:
        found = next((d for d in map(catalog.resolve, symbols.spellings(typed)) if d), None)
    if found is not None:
        return _found(catalog, typed, found)
    ids: list[str] = []
    for spelling in symbols.spellings(typed):
        if symbols.without_year(spelling):
            ids += catalog.ids_with_year(spelling)
    ids += catalog.ids_with_file_stem(symbols.split_filename(typed)[0])
    ids = list(dict.fromkeys(ids))
    if len(ids) == 1:
        return _found(catalog, typed, ids[0])
    return Resolution(typed, candidates=sorted((_name(catalog, d) for d in ids),
                                               key=symbols.natural_key))


def _found(catalog: Catalog, typed: str, doc_id: str) -> Resolution:
    name = _name(catalog, doc_id)
    same = symbols.key(typed) == symbols.key(name) or typed == doc_id
    return Resolution(typed, doc_id, name, forgiven=not same)


def _name(catalog: Catalog, doc_id: str) -> str:
    document = catalog.document(doc_id)
    return (document.symbol if document and document.symbol else None) or doc_id


def require(catalog: Catalog, text: str, *, where: str) -> Resolution:
    """The resolution of `text`; NotFoundError (exit 1) when none or several documents."""
    found = resolve(catalog, text)
    if found.doc_id is not None:
        return found
    if found.candidates:
        raise AmbiguousSymbolError(
            f"{text!r} could be any of {len(found.candidates)} documents: "
            f"{', '.join(found.candidates)}; type one of them")
    raise NotFoundError(f"no document {text!r} in {where}; `migdocs list` shows what is there")
