"""Configuration files for a Sphinx 2.2.11 / Manticore cluster that serves migdocs over SphinxQL.

One real-time (RT) shard per node, plus a front whose distributed index of the same name
queries every shard. Writes go to the nodes directly (a distributed index takes no INSERT in
Sphinx 2.2.11); searches go to the front.

Ports, from the base port P (so one number names a whole cluster on one machine):
- front: SphinxQL (mysql41) on P, Sphinx native API on P+1 (nothing uses it; a searchd needs
  a listener of each kind only where agents connect);
- node i (1-based): SphinxQL on P + 2*i, native API on P + 2*i + 1 (the front's agents).
So `--port 9306 --nodes 2`: front 9306, node-1 9308/9309, node-2 9310/9311. A node's
SphinxQL port is its agent port minus one: the backend finds the nodes of a front that way.

The text is analysed by migdocs in Python (stemming, folding, stop words); the engine must
only split on spaces and store terms as given: no morphology, `min_word_len = 1`, and a
`charset_table` that maps each character of a term to itself. Terms with a character outside
that table are written in a reversible ASCII form by the backend (`encode_term`), so the
table need not know every script.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

AttrType = Literal["uint", "bigint", "string", "multi", "multi_64"]

#: Bump when a field or attribute changes: an index built with another version is refused
#: (the fix: write the configuration again, restart searchd, `migdocs reindex`).
SCHEMA_VERSION = 4

#: Text fields: the names of `migdocs.indexer.entries.text_fields()`, one per language and role.
TEXT_FIELDS: tuple[str, ...] = (
    "text_ar", "title_ar", "text_en", "title_en", "text_fr", "title_fr", "text_es", "title_es",
    "text_other", "title_other", "text_ar_exact", "title_ar_exact", "entity_name",
)
#: Keyword fields (`entries.KEYWORD_FIELDS` plus the entry's languages), each a full-text field
#: `kw_NAME` holding one encoded term per value: filters, symbol patterns and symbol boosts
#: are MATCH() terms like any other (Sphinx 2.2.11 has no OR across attributes in WHERE and
#: no prefix match on string attributes).
KEYWORDS: tuple[str, ...] = ("doc_id", "kind", "symbol", "language", "sessions", "entity", "type",
                             "meeting", "year")
FIELDS: tuple[str, ...] = TEXT_FIELDS + tuple(f"kw_{k}" for k in KEYWORDS)

#: Attributes: what results, grouping and restriction read.
#: doc_key: a 63-bit hash of the document id (all of a document's entries share it: the shard
#: and deletions); doc_no: the document's number in the home (`DocumentNumbers`: GROUP BY,
#: `doc_no IN (...)` for "only these documents", and the document sets, whose cost in searchd
#: is writing the numbers out: 5 digits instead of 19); group_key: the same for the
#: document id with the entry's languages (one group per document and language set: the
#: matching-document sets with their languages in one grouped query).
ATTRIBUTES: tuple[tuple[str, AttrType], ...] = (
    ("doc_key", "bigint"),
    ("doc_no", "uint"),
    ("group_key", "bigint"),
    ("doc_id", "string"),
    ("entry", "string"),       # the entry key, e.g. `A/69/767#fr#3`
    ("kind", "string"),        # meta | page
    ("page", "uint"),
    ("page_language", "string"),
    ("languages", "string"),   # the entry's languages, comma-separated
    ("language_bits", "uint"),  # the same as bits (LANGUAGE_BITS): aggregated per document
)

#: Bit i of `language_bits` is LANGUAGE_BITS[i]; OTHER_LANGUAGE_BIT stands for any other
#: code. Sphinx 2.2.11 cannot aggregate a string attribute, so the languages of a document's
#: matching entries come back as `GROUP_CONCAT(language_bits)`, one row per document (half
#: the rows of one per document and language set; 7 ms instead of 19 ms for 1,205 documents).
LANGUAGE_BITS: tuple[str, ...] = ("ar", "en", "es", "fr", "ru", "zh")
OTHER_LANGUAGE_BIT = 1 << len(LANGUAGE_BITS)


def language_bits(languages: tuple[str, ...] | list[str]) -> int:
    bits = 0
    for code in languages:
        bits |= (1 << LANGUAGE_BITS.index(code)) if code in LANGUAGE_BITS else OTHER_LANGUAGE_BIT
    return bits


def keyword_field(name: str) -> str | None:
    """The engine field of a keyword (`symbol` -> `kw_symbol`); None for a text field."""
    return f"kw_{name}" if name in KEYWORDS else None


#: Word characters, each mapped to itself (no case folding, no accent folding: migdocs has
#: already folded what it folds): digits, a-z, `_`, the Latin letters of U+00C0..U+024F, Greek,
#: Cyrillic, Hebrew, Arabic (U+0600..U+06FF and the supplement), the Indic and Thai blocks,
#: kana, CJK ideographs, Hangul; and U+00D7 (x-sign), the marker of an encoded term, which
#: never occurs in a word. Any other character in a term is written by `encode_term`.
CHARSET_RANGES: tuple[tuple[int, int], ...] = (
    (0x30, 0x39), (0x5F, 0x5F), (0x61, 0x7A), (0xC0, 0xF6), (0xF8, 0x24F), (0x370, 0x3FF),
    (0x400, 0x52F), (0x590, 0x5FF), (0x600, 0x6FF), (0x750, 0x77F), (0x900, 0xE7F),
    (0x3040, 0x30FF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3),
)
CHARSET_TABLE = ", ".join(f"U+{a:04X}..U+{b:04X}" if a != b else f"U+{a:04X}" for a, b in CHARSET_RANGES)
#: The longest keyword Sphinx keeps (characters); longer ones are cut to this many.
MAX_WORD_LEN = 42
#: Shortest prefix that `word*` may be (Whoosh has no floor; 1 keeps `a*` working).
MIN_PREFIX_LEN = 1
#: The most rows one query may rank. Sphinx's default is 1000; a page of results needs more
#: than the hits shown because pages group into documents.
MAX_MATCHES = 10000


_DESCRIBED = {"uint": "uint", "bigint": "bigint", "string": "string", "multi": "mva", "multi_64": "mva64"}


def described_schema() -> set[tuple[str, str]]:
    """What `DESCRIBE` on a shard answers when its schema is this module's (the schema
    check): fields, attributes, and the per-field token counts of `index_field_lengths`."""
    return ({("id", "bigint")} | {(f, "field") for f in FIELDS}
            | {(name, _DESCRIBED[kind]) for name, kind in ATTRIBUTES}
            | {(f"{f}_len", "tokencount") for f in FIELDS})


@dataclass(frozen=True)
class Node:
    name: str           # node-1, ...
    sql_port: int
    agent_port: int


@dataclass(frozen=True)
class ClusterLayout:
    """Where the files go and who listens where."""

    directory: Path
    port: int
    nodes: tuple[Node, ...]
    index: str = "migdocs"
    host: str = "127.0.0.1"

    @property
    def url(self) -> str:
        return f"sphinxql://{self.host}:{self.port}/{self.index}"

    @property
    def configs(self) -> list[Path]:
        """Node configs first, the front last (the order to start them in)."""
        return [self.directory / f"{n.name}.conf" for n in self.nodes] + [self.directory / "front.conf"]


def layout(directory: Path, *, nodes: int, port: int, index: str = "migdocs",
           host: str = "127.0.0.1") -> ClusterLayout:
    if nodes < 1:
        raise ValueError("a cluster needs at least one node")
    if not 1 <= port <= 65535 - 2 * nodes - 1:
        raise ValueError(f"port {port} leaves no room for {nodes} nodes (ports P..P+{2 * nodes + 1})")
    members = tuple(Node(f"node-{i}", port + 2 * i, port + 2 * i + 1) for i in range(1, nodes + 1))
    return ClusterLayout(directory.resolve(), port, members, index, host)


def rt_index_block(name: str, path: Path, *, global_idf: Path | None = None) -> str:
    lines = [f"index {name}", "{", "    type = rt", f"    path = {path}"]
    lines += [f"    rt_field = {f}" for f in FIELDS]
    lines += [f"    rt_attr_{kind} = {attr}" for attr, kind in ATTRIBUTES]
    lines += [
        f"    charset_table = {CHARSET_TABLE}",
        "    min_word_len = 1",
        "    dict = keywords",
        f"    min_prefix_len = {MIN_PREFIX_LEN}",
        "    index_field_lengths = 1",   # BM25F length normalisation
        # Sphinx 2.2.11 loses BM25F length normalisation in RT disk chunks (bm25f() is a
        # constant 0.5 there; checked in tests/test_sphinx_cluster.py), so the RAM chunk
        # must hold a shard: 2047M is the most 2.2.11 accepts. Manticore has no such limit.
        "    rt_mem_limit = 2047M",
    ]
    if global_idf is not None:
        lines.append(f"    global_idf = {global_idf}")
    return "\n".join(lines + ["}"]) + "\n"


#: The front keeps its connections to the shards open (`agent_persistent`; a pool of this
#: many per shard, each holding one searchd thread there): a new connection to every shard
#: at every statement cost 1.27 against 0.84 ms for a statement that matches nothing at
#: 50,000 versions (a search makes three or four such round trips).
PERSISTENT_CONNECTIONS = 8


def _searchd_block(directory: Path, host: str, sql_port: int, agent_port: int,
                   extra: tuple[str, ...] = ()) -> str:
    return "\n".join([
        "searchd", "{",
        f"    listen = {host}:{sql_port}:mysql41",
        f"    listen = {host}:{agent_port}",
        f"    log = {directory}/searchd.log",
        f"    query_log = {directory}/query.log",
        f"    pid_file = {directory}/searchd.pid",
        f"    binlog_path = {directory}",
        "    workers = threads",
        "    read_timeout = 5",
        "    client_timeout = 300",
        "    agent_connect_timeout = 1000",
        "    agent_query_timeout = 10000",
        "    seamless_rotate = 1",
        "    preopen_indexes = 1",
        "    expansion_limit = 64",   # a wildcard expands to its 64 most frequent terms
        *extra,
        "}", "",
    ])


def node_config(cluster: ClusterLayout, node: Node) -> str:
    folder = cluster.directory / node.name
    return (f"# migdocs shard {node.name}: written by `migdocs engine sphinx-config`\n"
            + rt_index_block(cluster.index, folder / cluster.index)
            + _searchd_block(folder, cluster.host, node.sql_port, node.agent_port))


def front_config(cluster: ClusterLayout) -> str:
    folder = cluster.directory / "front"
    agents = [f"    agent_persistent = {cluster.host}:{n.agent_port}:{cluster.index}"
              for n in cluster.nodes]
    index = "\n".join([f"index {cluster.index}", "{", "    type = distributed", *agents, "}", ""])
    return (f"# migdocs front (distributed over {len(cluster.nodes)} shards): written by "
            "`migdocs engine sphinx-config`\n"
            + index + _searchd_block(folder, cluster.host, cluster.port, cluster.port + 1,
                                     (f"    persistent_connections_limit = {PERSISTENT_CONNECTIONS}",)))


def write_cluster(directory: Path, *, nodes: int, port: int, index: str = "migdocs",
                  host: str = "127.0.0.1") -> ClusterLayout:
    """Write DIR/node-1.conf ... DIR/node-N.conf and DIR/front.conf, and the data folders
    they name (searchd does not create them). Returns the layout (ports, engine URL)."""
    cluster = layout(directory, nodes=nodes, port=port, index=index, host=host)
    for node in cluster.nodes:
        (cluster.directory / node.name).mkdir(parents=True, exist_ok=True)
        (cluster.directory / f"{node.name}.conf").write_text(node_config(cluster, node), encoding="utf-8")
    (cluster.directory / "front").mkdir(parents=True, exist_ok=True)
    (cluster.directory / "front.conf").write_text(front_config(cluster), encoding="utf-8")
    return cluster
