"""The public shapes of records, as their CSV columns (no imports: light to read from
anywhere, the renderers included)."""

#: A stake record's fields, in the order of its CSV columns.
STAKE_FIELDS = (
    "id",
    "date",
    "investor",
    "startup",
    "sector",
    "kind",
    "round",
    "amount",
    "currency",
    "percent",
    "source",
    "note",
    "round_total",
    "round_valuation",
    "round_currency",
    "ref",
)
