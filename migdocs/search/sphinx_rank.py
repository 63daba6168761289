"""The ranking expression the sphinxql backend sends: Whoosh's BM25F, written out field by field.

Sphinx 2.2.11's own `bm25f(k1, b)` is not usable on a real-time index: it divides each
field's length by an average length about 5x10^5 too small, so `tf / (tf + k1 (1 - b + b
dl/avgdl))` no longer saturates and the whole score sits a few float32 steps above 0.5. On the
781-document relevance corpus that cost English 0.022 MRR@10 on one node; at 50,000 versions
"women" scored 0.5 + 64e-9 for its best page and exactly 0.5 for the next 19: ties
everywhere. (Checked here: docs/scale-out.md.)

So the expression computes BM25F itself from what the expression ranker does give right:
per matched field, `hit_count` (occurrences of the query's keywords), `word_count` (distinct
keywords matched) and `sum_idf`; per row, each field's length (`index_field_lengths = 1`
adds `FIELD_len` attributes). Which field a `sum()` is looking at is told by `user_weight`:
each field gets its own weight (`FIELD_WEIGHTS`), and a chain of `IF(user_weight = i, ...)`
picks that field's length, average and title boost. As in Whoosh (`_term_scores`):

    idf * (tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * fl / avgfl))      tf x2 in titles

with avgfl = the field's total length over every row (Whoosh's avg_field_length) and
idf = log(N/n) + 1 (Whoosh: log(N/(n+1)) + 1). Sphinx's `sum_idf` with `idf='plain'` is
log(N/n) / (2 log(N + 1)) (checked: 0.278 for 4 rows of 24), so the expression multiplies it
back by 2 log(N + 1), N being a shard's rows (the index's rows / shards: hash shards are
about equal) and adds `word_count`. One difference: the
expression ranker gives a field's hits for all keywords together, so several keywords in one
field share one saturation, at their mean frequency (`hit_count / word_count`); exact for a
one-word query or keywords as frequent as each other. Keyword fields (`kw_*`: filters,
symbols) add their idf once, unnormalised.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from migdocs.indexer.entries import field_boost
from migdocs.search.sphinx_config import FIELDS, TEXT_FIELDS

K1 = 1.2
B = 0.75
#: WEIGHT() is an integer: scores (a few units to a few hundred) are sent x SCALE.
SCALE = 100_000
#: `user_weight` of the keyword fields (the text fields have 1, 2, ...).
KEYWORD_WEIGHT = 100
#: `OPTION field_weights`: each text field its position (1-based), keyword fields 100.
FIELD_WEIGHTS = ", ".join(f"{name}={TEXT_FIELDS.index(name) + 1 if name in TEXT_FIELDS else KEYWORD_WEIGHT}"
                          for name in FIELDS)
#: What `field_totals` asks: every text field's total length, and the number of rows.
TOTALS = ", ".join(f"SUM({name}_len)" for name in TEXT_FIELDS) + ", COUNT(*)"


def field_totals(row: tuple) -> tuple[dict[str, float], int]:
    """field -> its average length over all rows, and the rows, from the `TOTALS` row."""
    *sums, rows = (float(x or 0) for x in row)
    return ({name: total / rows if rows else 0.0 for name, total in zip(TEXT_FIELDS, sums, strict=True)},
            int(rows))


def ranker(averages: Mapping[str, float], *, shard_rows: float) -> str:
    """The OPTION clause (without OPTION) that ranks by BM25F with these average lengths;
    `shard_rows`: the rows of one shard (Sphinx's idf is per shard)."""
    # Per field: k1 * ((1 - b) + b * fl / avgfl) / boost, as a nested IF on user_weight.
    chain = "0"
    for i, name in reversed(list(enumerate(TEXT_FIELDS, 1))):
        average = max(averages.get(name, 0.0), 1.0)
        boost = field_boost(name)
        part = f"({K1 * (1 - B) / boost:.6g}+{K1 * B / average / boost:.6g}*{name}_len)"
        chain = f"IF(user_weight={i},{part},{chain})"
    per_field = (f"IF(user_weight={KEYWORD_WEIGHT},1,"
                 f"hit_count*{K1 + 1:g}/(hit_count+word_count*{chain}))")
    idf = f"(sum_idf*{2 * math.log(shard_rows + 1):.6g}+word_count)"
    expression = f"sum({idf}*{per_field})*{SCALE}"
    return (f"ranker=expr('{expression}'), idf='plain,tfidf_unnormalized', "
            f"field_weights=({FIELD_WEIGHTS})")


def score(weight: int) -> float:
    """A row's WEIGHT() back as its BM25F score."""
    return weight / SCALE
