"""Document sets over document numbers: what a word matches, counted without naming it.

A backend that numbers its documents (sphinxql: `doc_no`) gets a word's documents as a few
groups of numbers, one per set of languages its matching entries have. A search needs, per
word, only which documents it matches (the coverage of each document, the union for the
total) and in which languages (the language facet); the ids of the documents only for the
union. So the groups stay arrays of numbers (numpy) and are counted over the number space;
a set is named, as the `Mapping` it is, only when something asks it for a document.

Measured on the 52 known-item queries of the benchmark at 50,000 versions (sphinxql, 2
shards, 3-5 words of about 10,000 documents each): naming every word's documents and
counting coverage over the named sets took 6.1 ms a search, the same over numbers 1.9 ms,
with the same documents, counts and order.

numpy is imported where a set is made or counted (only sphinxql homes make them): `migdocs
get` and Whoosh searches never load it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import ItemsView, Iterator, KeysView, Mapping, Sequence, ValuesView
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

#: (the languages of a group, their bits, the numbers of its documents: a number may repeat)
Group = tuple[frozenset[str], int, "np.ndarray"]


class Numbering:
    """Document numbers -> ids, as arrays: `names[n]` is the id of number n (None when no
    document has it), `known[n]` whether one does."""

    def __init__(self, ids: Mapping[str, str]) -> None:
        import numpy as np

        size = max(map(int, ids), default=0) + 1
        self.names = np.full(size, None, dtype=object)
        self.known = np.zeros(size, dtype=bool)
        self._values: tuple[Mapping[str, int], np.ndarray] | None = None
        for number, doc_id in ids.items():
            self.names[int(number)] = doc_id
            self.known[int(number)] = True

    def missing(self, numbers: np.ndarray) -> bool:
        """Whether a number other than 0 (the marker row's) is no known document's: numbered
        by another process since this numbering was read."""
        if len(numbers) == 0:
            return False
        if int(numbers.max()) >= len(self.known):
            return True
        return bool((~self.known[numbers] & (numbers != 0)).any())

    def values_of(self, of: Mapping[str, int]) -> np.ndarray:
        """number -> `of[its document]` (-1 for none), kept for the last `of` asked (the
        engine's facet numbers, one mapping per catalog change): 2 ms to make at 12,500
        documents, then a search counts facets with one `bincount`."""
        import numpy as np

        if self._values is None or self._values[0] is not of:
            values = np.fromiter((-1 if name is None else of.get(name, -1) for name in self.names),
                                 dtype=np.int64, count=len(self.names))
            self._values = (of, values)
        return self._values[1]

    def only_known(self, numbers: np.ndarray) -> np.ndarray:
        numbers = numbers[numbers < len(self.known)]
        return numbers[self.known[numbers]]


class NumberedMatches(Mapping[str, frozenset[str]]):
    """doc id -> the languages of its matching entries, kept as the engine's groups of
    numbers (largest first) and named on first use as a mapping. Bit i of a group's bits
    is the language `codes[i]`."""

    def __init__(self, numbering: Numbering, groups: list[Group], codes: Sequence[str]) -> None:
        self.numbering = numbering
        self.groups = groups
        self.codes = codes
        self._named: dict[str, frozenset[str]] | None = None

    def named(self) -> dict[str, frozenset[str]]:
        if self._named is None:
            self._named = name_groups([(langs, self.numbering.names[numbers].tolist())
                                       for langs, _, numbers in self.groups])
        return self._named

    def __getitem__(self, doc_id: str) -> frozenset[str]:
        return self.named()[doc_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self.named())

    def __len__(self) -> int:
        return len(self.named())

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.named()

    def get(self, doc_id: str, default: Any = None) -> Any:
        return self.named().get(doc_id, default)

    def keys(self) -> KeysView[str]:
        return self.named().keys()

    def values(self) -> ValuesView[frozenset[str]]:
        return self.named().values()

    def items(self) -> ItemsView[str, frozenset[str]]:
        return self.named().items()


def name_groups(groups: Sequence[tuple[frozenset[str], list[Any]]]) -> dict[str, frozenset[str]]:
    """doc id -> the union of the languages of the groups it is in, in the order first met
    (the largest group named whole in C; the others OR-ed in one by one). Ids that are None
    (numbers no document has) are left out."""
    if not groups:
        return {}
    first_langs, first_ids = groups[0]
    out: dict[Any, frozenset[str]] = dict.fromkeys(first_ids, first_langs)
    unions: dict[tuple[frozenset[str], frozenset[str]], frozenset[str]] = {}
    for langs, ids in groups[1:]:
        get = out.get
        for doc_id in ids:
            found = get(doc_id)
            if found is None:
                out[doc_id] = langs
            elif not langs <= found:
                union = unions.get((found, langs))
                if union is None:
                    union = unions[(found, langs)] = found | langs
                out[doc_id] = union
    out.pop(None, None)
    return out


def numbered(sets: Sequence[object]) -> bool:
    """Whether every set is a `NumberedMatches` of one numbering (so they can be counted
    together over numbers)."""
    return bool(sets) and all(isinstance(s, NumberedMatches) for s in sets) and len(
        {(id(s.numbering), id(s.codes)) for s in sets if isinstance(s, NumberedMatches)}) == 1


def coverage(sets: Sequence[NumberedMatches]) -> tuple[dict[str, int], Levels]:
    """doc id -> how many of the sets hold it, in the order first met (each set's groups
    largest first, as `name_groups` meets them): what `Counter(chain(*sets))` gives; and
    the same as arrays (`Levels`)."""
    import numpy as np

    numbering = sets[0].numbering
    size = len(numbering.known)
    counts = np.zeros(size, dtype=np.int32)
    seen = np.zeros(size, dtype=bool)
    parts = []
    for matches in sets:
        seen[:] = False
        for _, _, numbers in matches.groups:
            seen[numbers] = True
            parts.append(numbers)
        counts += seen
    every = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    first = np.full(size, len(every), dtype=np.int64)
    first[every[::-1]] = np.arange(len(every) - 1, -1, -1)  # the earliest place wins
    union = np.flatnonzero(counts)
    union = union[np.argsort(first[union], kind="stable")]
    ids, levels = numbering.names[union], counts[union]
    return dict(zip(ids.tolist(), levels.tolist(), strict=True)), Levels(ids, levels)


class Levels:
    """The documents of a coverage count in their order (object array of ids) and their
    counts: a tier (the documents holding so many words) is one comparison in C, where a
    pass over a dict per tier took 1-2 ms at 12,000 documents."""

    def __init__(self, ids: np.ndarray, counts: np.ndarray) -> None:
        self.ids, self.counts = ids, counts

    def distinct(self) -> list[int]:
        """The counts that occur, most first."""
        import numpy as np

        return [int(n) for n in np.unique(self.counts)[::-1]]

    def tier(self, level: int) -> list[str]:
        return list(self.ids[self.counts == level].tolist())


def languages(sets: Sequence[NumberedMatches]) -> Counter[str]:
    """How many documents of the sets' union have each language among the groups holding
    them."""
    import numpy as np

    held = np.zeros(len(sets[0].numbering.known), dtype=np.int64)
    for matches in sets:
        for _, bits, numbers in matches.groups:
            held[numbers] |= bits
    counts: Counter[str] = Counter()
    for i, code in enumerate(sets[0].codes):
        n = int(np.count_nonzero(held & (1 << i)))
        if n:
            counts[code] = n
    return counts


def count_values(sets: Sequence[NumberedMatches], of: Mapping[str, int]) -> Counter[int | None]:
    """How many documents of the sets' union have each value of `of` (None: documents `of`
    has no value for): `Counter(map(of.get, union))`, without naming the union."""
    import numpy as np

    numbering = sets[0].numbering
    seen = np.zeros(len(numbering.known), dtype=bool)
    for matches in sets:
        for _, _, numbers in matches.groups:
            seen[numbers] = True
    counted = np.bincount(numbering.values_of(of)[seen] + 1)
    out: Counter[int | None] = Counter({value - 1: int(n) for value, n in enumerate(counted.tolist())
                                        if n and value})
    if len(counted) and counted[0]:
        out[None] = int(counted[0])
    return out
