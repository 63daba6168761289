"""The speed benchmark's query mix (130 queries in ar/en/es/fr) and each query's SQLite FTS5
baseline.

Kinds: one-word and two-word (common words included: `security council`, `human rights`,
`women` match nearly every generated document, which is what makes them slow), phrase,
filtered (`lang:fr` in the query, or `lang=` through the API), symbol (several spellings),
wildcard, fuzzy, and known-item queries: 3-5 words of one line of a document of the first
5,000 versions, so the mix is the same at every size. Seeded: the same mix every run.

FTS5 baseline (issue 7): OR of the words, a phrase as a phrase, `word*` as a prefix, `word~`
as the plain word, `lang:` as `WHERE lang = ?`, a symbol as a phrase in the `symbol`
column (the baseline is given the canonical spelling); `bm25()`, `snippet()`, `LIMIT 10`.
"""

from __future__ import annotations

import random
import re
from dataclasses import asdict, dataclass, field

from bench import speed_corpus

# The figures issue 7 quotes by name; the report shows each one.
NAMED = ("security council", "human rights", "women", "migra*", "remitances~")

ONE_WORD = {
    "en": ["women", "development", "children", "education", "climate", "trafficking"],
    "fr": ["femmes", "développement", "enfants", "éducation", "climat", "migrants"],
    "es": ["mujeres", "desarrollo", "niños", "educación", "clima", "migrantes"],
    "ar": ["النساء", "التنمية", "الأطفال", "التعليم", "المناخ", "المهاجرين"],
}
TWO_WORD = {
    "en": ["security council", "human rights", "migrant workers", "sustainable development"],
    "fr": ["conseil de sécurité", "droits de l'homme", "travailleurs migrants",
           "développement durable"],
    "es": ["consejo de seguridad", "derechos humanos", "trabajadores migrantes",
           "desarrollo sostenible"],
    "ar": ["مجلس الأمن", "حقوق الإنسان", "العمال المهاجرين", "التنمية المستدامة"],
}
PHRASE = {
    "en": ['"security council"', '"human rights"', '"general assembly"'],
    "fr": ['"conseil de sécurité"', '"droits de l\'homme"', '"assemblée générale"'],
    "es": ['"consejo de seguridad"', '"derechos humanos"', '"asamblea general"'],
    "ar": ['"مجلس الأمن"', '"حقوق الإنسان"', '"الجمعية العامة"'],
}
FILTERED = [  # (query, API keyword arguments)
    ("women lang:en", {}), ("femmes lang:fr", {}), ("mujeres lang:es", {}),
    ("النساء lang:ar", {}), ("human rights lang:fr", {}), ("desarrollo", {"lang": "es"}),
    ("développement", {"lang": "fr"}), ("مجلس الأمن", {"lang": "ar"}),
]
SYMBOLS = ["A/98/123", "a98/123", "A_98_123-EN.txt", "a / 98 / 1000", "A/98/1", "A/98/77"]
WILDCARD = ["migra*", "develop*", "réfugi*", "desarroll*", "secur*", "التنم*"]
FUZZY = ["remitances~", "devlopment~", "refugess~", "securty~1", "mujers~", "migracion~"]
KNOWN_ITEM_PER_LANGUAGE = 13
KNOWN_ITEM_DOCUMENTS = 1250                   # documents of the smallest size (5,000 versions)
WORD = re.compile(r"[^\W\d_]{4,}")            # letters only, 4 or more


@dataclass(frozen=True)
class Query:
    kind: str
    q: str                                    # what `repo.search(q, ...)` gets
    kwargs: dict[str, str] = field(default_factory=dict)
    fts: str = ""                             # the FTS5 MATCH expression
    fts_lang: str | None = None               # FTS5: WHERE lang = ?

    @property
    def label(self) -> str:
        extra = "".join(f" [{k}={v}]" for k, v in self.kwargs.items())
        return f"{self.q}{extra}"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def fts_match(q: str) -> tuple[str, str | None]:
    """The FTS5 expression and language filter for a query of the mix's syntax."""
    lang = None
    terms = []
    for m in re.finditer(r'"([^"]*)"|(\S+)', q):
        phrase, word = m.group(1), m.group(2)
        if phrase is not None:
            terms.append(quote(phrase))
        elif word.startswith("lang:"):
            lang = word[5:]
        elif word.endswith("*"):
            terms.append(quote(word[:-1]) + "*")
        else:
            terms.append(quote(re.sub(r"~\d?$", "", word)))
    return " OR ".join(terms), lang


def make(kind: str, q: str, kwargs: dict[str, str] | None = None) -> Query:
    kwargs = kwargs or {}
    if kind == "symbol":
        digits = re.findall(r"\d+", q)
        return Query(kind, q, kwargs, f"symbol : {quote(' '.join(['A', *digits]))}", None)
    match, lang = fts_match(q)
    return Query(kind, q, kwargs, match, kwargs.get("lang", lang))


def known_items(seed: int, pool: speed_corpus.Pool) -> list[Query]:
    """Words from one line of a sampled document, per language: a person looking for it."""
    rng = random.Random(f"{seed}-queries")
    out = []
    for lang in ("ar", "en", "es", "fr"):
        found = 0
        while found < KNOWN_ITEM_PER_LANGUAGE:
            i = rng.randint(1, KNOWN_ITEM_DOCUMENTS)
            lines = speed_corpus.document(pool, seed, i)[lang.upper()].splitlines()
            words = list(dict.fromkeys(WORD.findall(rng.choice(lines))))
            if len(words) >= 3:
                picked = rng.sample(words, min(len(words), rng.randint(3, 5)))
                out.append(make("known-item", " ".join(picked)))
                found += 1
    return out


def mix(seed: int = speed_corpus.SEED, pool: speed_corpus.Pool | None = None) -> list[Query]:
    pool = pool or speed_corpus.load_pool()
    queries: list[Query] = []
    for kind, table in (("one-word", ONE_WORD), ("two-word", TWO_WORD), ("phrase", PHRASE)):
        queries += [make(kind, q) for lang in table for q in table[lang]]
    queries += [make("filtered", q, kw) for q, kw in FILTERED]
    queries += [make("symbol", q) for q in SYMBOLS]
    queries += [make("wildcard", q) for q in WILDCARD]
    queries += [make("fuzzy", q) for q in FUZZY]
    queries += known_items(seed, pool)
    return queries
