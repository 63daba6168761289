"""The UN series bodies: first elements of UN document symbols. Data, in one place.

A file name or a line of text is taken as a UN symbol only when its first element is one of
these (`migdocs.repo.symbols.un_symbol`); `report_2017.pdf` is not `REPORT/2017`. Symbols
written in a catalog are taken as written and need not be listed here.

Sources:
- Dag Hammarskjöld Library, "UN Documentation: Document Symbols"
  (research.un.org/en/docs/symbols), and "United Nations Document Series Symbols
  1946-1996" (ST/LIB/SER.B/5/Rev.5): principal organs, treaty bodies, subsidiary organs,
  funds and programmes, conferences.
- The first elements of every symbol in the UN Parallel Corpus v1.0 document table
  (A, S, E, NPT, UNEP, CEDAW, ISBA, HSP, DP, CAC, ST, UNODC, PBC, SPLOS, IPBES, ICCD,
  FCCC, CLCS, CD), all of which the bundled corpus uses.
- This project's meetings: the Coordination Meeting on International Migration's papers
  are `UN/POP/MIG-16CM/2018/1`..., so `UN/POP` is a series (and `UN` alone is not).
"""

from __future__ import annotations

#: Bodies whose symbols start with one element (`A/RES/71/1`, `CEDAW/C/URY/8-9`). Matched on
#: the letters before any `.` or `(`: `UNEP(DTIE)/Hg/INC.6/24` is UNEP's, `PBC.31/...` PBC's.
SERIES_BODIES: frozenset[str] = frozenset({
    # principal organs and the Secretariat
    "A", "S", "E", "T", "ST",
    # human rights treaty bodies and the Human Rights Council
    "CAT", "CCPR", "CED", "CEDAW", "CERD", "CMW", "CRC", "CRPD", "HRI", "HRC",
    # funds, programmes, commissions and other bodies
    "TD", "UNCTAD", "UNEP", "DP", "HSP", "UNW", "ITC", "UNODC", "PBC", "IDB", "ICSC",
    "JIU", "CEB", "ECE", "LC", "EC", "UNAIDS",
    # conventions, conferences and treaty organs
    "NPT", "CD", "CCW", "APLC", "BWC", "ATT", "FCCC", "ICCD", "IPBES", "ISBA", "SPLOS",
    "CLCS", "CAC", "CTOC",
})

#: Series whose body is more than one element; the meeting series of this catalog.
MULTI_ELEMENT_SERIES: tuple[tuple[str, ...], ...] = (("UN", "POP"),)

#: No element of a UN symbol has a run of more than 6 letters in the 4,000+ symbols of the
#: UN Parallel Corpus (`S/Agenda/7373`); `CONTRIBUTION` or `PRESENTATION` is a word, not an
#: element. 8 leaves room for the few longer ones elsewhere (`UNEP/CBD/SBSTTA/...`).
MAX_ELEMENT_LETTERS = 8
