"""The query language, parsed into a small tree. Never raises: what cannot be understood is
searched as words, with a notice saying what was ignored.

    remittances migrant workers          best match: all words first, fewer words below
    +remittances AND cost                required words
    remittances OR transfers             either
    -asylum  NOT asylum                  excluded
    "exact phrase"  (a OR b) c           phrases, grouping
    migra*  remitances~  remitances~2    trailing wildcard, fuzzy (edit distance 1 or 2)
    lang:fr session:III entity:IOM type:paper year:2018 meeting:16CM symbol:A/RES/71/*
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Occur = Literal["should", "must", "must_not"]

#: Fields a query may name, with the aliases people type.
FIELDS: dict[str, str] = {
    "lang": "lang", "language": "lang", "session": "session", "entity": "entity",
    "type": "type", "year": "year", "meeting": "meeting", "symbol": "symbol",
}
MAX_FUZZY_EDITS = 2


@dataclass(frozen=True)
class Word:
    text: str
    wildcard: bool = False  # trailing `*`
    fuzzy: int = 0  # edit distance from `~`/`~N`, 0 = exact


@dataclass(frozen=True)
class Phrase:
    text: str


@dataclass(frozen=True)
class Field:
    name: str  # a value of FIELDS
    value: str


@dataclass
class Group:
    clauses: list[Clause] = field(default_factory=list)
    #: "best": best match over the clauses (the search box); "any": `a OR b`.
    operator: Literal["best", "any"] = "best"


Node = Word | Phrase | Field | Group


@dataclass
class Clause:
    node: Node
    occur: Occur = "should"


@dataclass
class ParsedQuery:
    text: str
    root: Group
    notices: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not self.root.clauses


# Tokens: parentheses, a quoted phrase (possibly unterminated), or a run of other characters.
_TOKEN = re.compile(r'\s*(?:(?P<paren>[()])|(?P<quote>"[^"]*"?)|(?P<word>[^\s()"]+))')
_FIELD = re.compile(r"^(?P<name>[A-Za-z]+):(?P<value>.*)$", re.DOTALL)
_FUZZY = re.compile(r"^(?P<word>.+?)~(?P<edits>\d*)$")
#: Deeper groups are flattened: no real query nests this far, and a bound keeps hostile
#: input (`((((…` 5,000 deep) from exhausting the stack here and in every tree walk after.
MAX_NESTING = 32
_OPERATORS = {"AND", "OR", "NOT", "&&", "||", "!"}
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u00ab": '"', "\u00bb": '"', "\u201e": '"'})


def parse(text: str) -> ParsedQuery:
    """Parse a query string; syntax problems become notices, never exceptions."""
    notices: list[str] = []
    tokens = _tokenize(text.translate(_QUOTES), notices)
    root, rest = _parse_group(tokens, 0, notices, depth=0)
    while rest < len(tokens):  # a `)` without its `(`
        notices.append("Ignored a ')' without a matching '('.")
        more, rest = _parse_group(tokens, rest + 1, notices, depth=0)
        root.clauses.extend(more.clauses)
    return ParsedQuery(text=text, root=root, notices=_unique(notices))


def _tokenize(text: str, notices: list[str]) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(text):
        if match.group("paren"):
            tokens.append(("paren", match.group("paren")))
        elif match.group("quote") is not None:
            quoted = match.group("quote")
            if len(quoted) == 1 or not quoted.endswith('"'):
                notices.append('Ignored a \'"\' without its closing \'"\'; searched the words.')
                tokens.extend(("word", w) for w in quoted.strip('"').split())
            else:
                tokens.append(("phrase", quoted[1:-1]))
        elif match.group("word"):
            tokens.append(("word", match.group("word")))
    return tokens


def _parse_group(tokens: list[tuple[str, str]], i: int, notices: list[str], *,
                 depth: int) -> tuple[Group, int]:
    """Parse until a `)` (returned index points at it) or the end."""
    items: list[Clause | str] = []  # clauses and the operators AND / OR between them
    pending: Occur | None = None  # from a prefix `+`, `-` or `NOT`
    while i < len(tokens):
        kind, value = tokens[i]
        if kind == "paren" and value == ")":
            if depth == 0:
                return _combine(items, notices), i
            break
        i += 1
        if kind == "paren" and depth >= MAX_NESTING:
            notices.append(f"Ignored parentheses nested more than {MAX_NESTING} deep.")
            continue
        if kind == "paren":
            inner, i = _parse_group(tokens, i, notices, depth=depth + 1)
            if i >= len(tokens):
                notices.append("Closed a '(' that had no matching ')'.")
            else:
                i += 1  # the `)`
            if inner.clauses:
                items.append(Clause(inner, pending or "should"))
            pending = None
            continue
        if kind == "phrase":
            if value.strip():
                items.append(Clause(Phrase(value.strip()), pending or "should"))
            pending = None
            continue
        word = value
        if word in _OPERATORS:
            op = {"&&": "AND", "||": "OR", "!": "NOT"}.get(word, word)
            if op == "NOT":
                pending = "must_not"
            else:
                items.append(op)
            continue
        occur: Occur = pending or "should"
        pending = None
        while word[:1] in "+-" and len(word) > 1 and word[1:2] not in "+-":
            occur = "must" if word[0] == "+" else "must_not"
            word = word[1:]
        if word in {"+", "-"}:
            if i < len(tokens) and tokens[i] in (("paren", "("),) or (
                    i < len(tokens) and tokens[i][0] == "phrase"):
                pending = "must" if word == "+" else "must_not"  # `+(a OR b)`, `-"a b"`
            else:
                notices.append(f"Ignored a lone '{word}'.")
            continue
        node = _word_or_field(word, notices)
        if node is not None:
            items.append(Clause(node, occur))
    if depth == 0 and pending:
        notices.append("Ignored a NOT with nothing after it.")
    return _combine(items, notices), i


def _word_or_field(word: str, notices: list[str]) -> Node | None:
    match = _FIELD.match(word)
    if match and match.group("name").lower() in FIELDS:
        name = FIELDS[match.group("name").lower()]
        value = match.group("value").strip()
        if not value:
            notices.append(f"Ignored '{match.group('name')}:' with no value after it.")
            return None
        return Field(name, value)
    if word.startswith("*") or word.startswith("?"):
        stripped = word.lstrip("*?")
        notices.append(f"A wildcard can only end a word; searched {stripped or 'nothing'!r} "
                       f"for {word!r}.")
        if not stripped:
            return None
        word = stripped
    if len(word) > 1 and word.endswith("*"):
        stem = word.rstrip("*")
        return Word(stem, wildcard=True) if stem else None
    fuzzy = _FUZZY.match(word)
    if fuzzy:
        edits = int(fuzzy.group("edits") or 0) or (1 if len(fuzzy.group("word")) < 6 else 2)
        if edits > MAX_FUZZY_EDITS:
            notices.append(f"Fuzzy matching allows at most {MAX_FUZZY_EDITS} edits; used "
                           f"{MAX_FUZZY_EDITS} for {word!r}.")
            edits = MAX_FUZZY_EDITS
        return Word(fuzzy.group("word"), fuzzy=edits)
    return Word(word)


def _combine(items: list[Clause | str], notices: list[str]) -> Group:
    """Apply the binary operators: `a AND b` makes both required, `a OR b` one OR clause."""
    # Drop operators with nothing on one side.
    cleaned: list[Clause | str] = []
    for item in items:
        if isinstance(item, str) and (not cleaned or isinstance(cleaned[-1], str)):
            notices.append(f"Ignored {item} with nothing before it.")
            continue
        cleaned.append(item)
    while cleaned and isinstance(cleaned[-1], str):
        notices.append(f"Ignored {cleaned.pop()} with nothing after it.")
    # OR binds tighter than the implicit best-match between words: `a b OR c d` = a (b|c) d.
    merged: list[Clause | str] = []
    i = 0
    while i < len(cleaned):
        item = cleaned[i]
        if item == "OR":
            left = merged.pop()
            right = cleaned[i + 1]
            assert isinstance(left, Clause) and isinstance(right, Clause)
            if isinstance(left.node, Group) and left.node.operator == "any":
                left.node.clauses.append(_as_should(right))
                merged.append(left)
            else:
                merged.append(Clause(Group([_as_should(left), _as_should(right)], "any")))
            i += 2
            continue
        merged.append(item)
        i += 1
    clauses: list[Clause] = []
    for j, item in enumerate(merged):
        if item == "AND":
            for neighbour in (merged[j - 1], merged[j + 1]):
                assert isinstance(neighbour, Clause)
                if neighbour.occur == "should":
                    neighbour.occur = "must"
            continue
        assert isinstance(item, Clause)
        clauses.append(item)
    return Group(clauses)


def _as_should(clause: Clause) -> Clause:
    """Inside an OR, a `-x` means "not x" as an alternative, which is rarely meant: keep the
    clause's own occur only when it is a prohibition, and turn `+x` into a plain alternative."""
    if clause.occur == "must":
        clause.occur = "should"
    return clause


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def words(node: Node) -> list[Word | Phrase]:
    """Every word and phrase in a tree, in order (fields excluded)."""
    if isinstance(node, (Word, Phrase)):
        return [node]
    if isinstance(node, Group):
        return [w for c in node.clauses if c.occur != "must_not" for w in words(c.node)]
    return []
