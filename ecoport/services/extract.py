"""Stakes from the news: an article's drafts, resolved against the database's companies, in
the import shape; and adding them through the importer, as one audited change."""

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ecoport.core.dates import PartialDate
from ecoport.core.extract import Directory, Draft, Milestone, decode, extract, plain_text
from ecoport.core.money import plain
from ecoport.core.percent import normalize

if TYPE_CHECKING:
    from sqlmodel import Session

    from ecoport.services.importing import ImportSummary
    from ecoport.store.db import Location, Reader


def _amount(money: Any) -> str | None:
    return None if money is None else plain(money.amount, money.currency)


def _percent(value: Decimal | None) -> str | None:
    return None if value is None else f"{normalize(value):f}"


def _date(value: PartialDate | None) -> str | None:
    return None if value is None else str(value)


def milestone_text(m: Milestone) -> str:
    """ "plans to invest in more than 100 startups", "had invested in about 20 startups by
    2015-04"."""
    amount = f"{m.qualifier} {m.count}" if m.qualifier else str(m.count)
    if m.planned:
        return f"plans to invest in {amount} {m.what}"
    by = f" by {m.date}" if m.date else ""
    return f"had invested in {amount} {m.what}{by}"


@dataclass(frozen=True, slots=True)
class ExtractResult:
    """What `extract` found in one article: draft stakes (with their confidence, what was
    unclear and the sentence each came from), the investors' milestones, and notes."""

    article: str
    """The article's name: its file, or <stdin>."""
    source: str | None
    """The URL or document name each draft carries as its source."""
    article_date: PartialDate | None
    drafts: tuple[Draft, ...]
    milestones: tuple[Milestone, ...]
    notes: tuple[str, ...]

    csv_fields: ClassVar[tuple[str, ...]] = (
        "record",
        "investor",
        "startup",
        "kind",
        "date",
        "amount",
        "currency",
        "percent",
        "round_total",
        "count",
        "confidence",
        "new",
        "unclear",
        "evidence",
    )

    def stake_records(self) -> list[dict[str, str | None]]:
        """The drafts as import records (the fields of `import`, nothing else)."""
        records = []
        for d in self.drafts:
            money = d.amount or d.round_total
            note = f"“{d.evidence}”"
            if d.relation:
                note = f"{d.relation}: {note}"
            records.append(
                {
                    "investor": d.investor,
                    "startup": d.startup,
                    "kind": d.kind.value,
                    "date": _date(d.date),
                    "amount": _amount(d.amount),
                    "currency": None if money is None else money.currency,
                    "percent": _percent(d.percent),
                    "round_total": _amount(d.round_total),
                    "source": self.source,
                    "note": note,
                }
            )
        return records

    def company_entries(self) -> list[dict[str, Any]]:
        """Investors with a target stated (the import's company entries): the target, and
        every milestone in its note."""
        entries: list[dict[str, Any]] = []
        for investor in dict.fromkeys(m.investor for m in self.milestones):
            own = [m for m in self.milestones if m.investor == investor]
            target = next((m.count for m in own if m.planned), None)
            if target is None:
                continue
            note = "; ".join(milestone_text(m) for m in own)
            entry: dict[str, Any] = {"name": investor, "target": target}
            entry["target_note"] = f"{investor} {note} (as reported)."
            if self.source:
                entry["target_source"] = self.source
            entries.append(entry)
        return entries

    def review(self) -> list[dict[str, Any]]:
        """Per draft, aligned with the stakes: how sure, what was unclear, the evidence."""
        return [
            {
                "confidence": f"{d.confidence:.2f}",
                "unclear": list(d.unclear),
                "new_companies": list(d.new),
                "relation": d.relation,
                "evidence": d.evidence,
            }
            for d in self.drafts
        ]

    def milestone_records(self) -> list[dict[str, Any]]:
        return [
            {
                "investor": m.investor,
                "kind": "target" if m.planned else "reached",
                "count": m.count,
                "qualifier": m.qualifier,
                "what": m.what,
                "date": _date(m.date),
                "new_company": m.new,
                "evidence": m.evidence,
            }
            for m in self.milestones
        ]

    def import_shape(self) -> dict[str, Any]:
        """The companies and stakes as `import` reads them."""
        return {"companies": self.company_entries(), "stakes": self.stake_records()}

    def to_json(self) -> dict[str, Any]:
        """The import shape with the review; the long arrays as iterators (render.stream_json
        writes them an item a line, with the C encoder: a 10 MB article's drafts are quick)."""
        return {
            "article": self.article,
            "article_date": _date(self.article_date),
            "companies": self.company_entries(),
            "stakes": iter(self.stake_records()),
            "review": iter(self.review()),
            "milestones": iter(self.milestone_records()),
            "notes": list(self.notes),
        }

    def json_pieces(self, size: int = 2000) -> Iterator[str]:
        """to_json() as render.stream_json writes it (the same text: indented, the long arrays
        an item a line), in pieces of up to *size* items that each end a line, each item made
        by one call of the C encoder: a 10 MB article's drafts are quick."""
        import json

        encode = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps's, made once
        text = ["{"]
        for n, (key, value) in enumerate(self.to_json().items()):
            text.append(("," if n else "") + f"\n  {encode(key)}: ")
            if not isinstance(value, Iterator):
                text.append(json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  "))
                continue
            items = list(map(encode, value))
            if not items:
                text.append("[]")
                continue
            text.append("[\n")
            for i in range(0, len(items), size):
                last = i + size >= len(items)
                text.append(
                    "    " + ",\n    ".join(items[i : i + size]) + ("\n" if last else ",\n")
                )
                yield "".join(text)
                text = []
            text.append("  ]")
        text.append("\n}\n")
        yield "".join(text)

    def csv_rows(self) -> Iterator[dict[str, Any]]:
        for record, d in zip(self.stake_records(), self.drafts, strict=True):
            yield {
                "record": "relation" if d.relation else "stake",
                **{k: record[k] for k in self.csv_fields if k in record},
                "count": None,
                "confidence": f"{d.confidence:.2f}",
                "new": "; ".join(d.new),
                "unclear": "; ".join(d.unclear),
                "evidence": d.evidence,
            }
        for m in self.milestones:
            yield {
                "record": "target" if m.planned else "milestone",
                "investor": m.investor,
                "date": _date(m.date),
                "count": m.count,
                "unclear": m.qualifier or "",
                "new": m.investor if m.new else "",
                "evidence": m.evidence,
            }


def read_article(data: bytes, name: str) -> str:
    """An article file's text: decoded, its markup and scripts dropped."""
    return plain_text(decode(data, name))


def directory_of(reader: "Reader") -> Directory:
    """Every company's name and alias, for resolving the names an article writes."""
    spellings = reader.rows(
        "SELECT name, name FROM company UNION ALL "
        "SELECT a.alias, c.name FROM company_alias a JOIN company c ON c.id = a.company_id"
    )
    return Directory((str(a), str(b)) for a, b in spellings)


def known_companies(location: "Location") -> Directory | None:
    """The database's companies; None when there is no database yet."""
    from ecoport.store.db import State, check, reading

    if check(location) is State.MISSING:
        return None
    with reading(location) as reader:
        return directory_of(reader)


def extract_article(
    text: str,
    *,
    article: str,
    directory: Directory | None,
    date: PartialDate | None = None,
    source: str | None = None,
) -> ExtractResult:
    """The drafts of an article's plain *text*; *date* is the date of deals whose sentence
    and article state none."""
    found = extract(text, directory=directory or Directory(), fallback_date=date)
    notes = list(found.notes)
    if directory is None:
        notes.append("no database yet: every company is new")
    if not found.drafts and not found.milestones:
        notes.append(f"{article}: no deal found; no drafts")
    elif any(d.date is None for d in found.drafts):
        notes.append("a draft has no date: give {option:date} (the article states none)")
    return ExtractResult(
        article=article,
        source=source,
        article_date=found.article_date,
        drafts=found.drafts,
        milestones=found.milestones,
        notes=tuple(notes),
    )


def apply_drafts(*, session: "Session", result: ExtractResult) -> "ImportSummary":
    """Add the drafts (and the targets they state) through the importer, in the session's
    transaction: the same checks as every stake, and nothing written if one is refused."""
    from ecoport.services.fields import FIELDS
    from ecoport.services.importing import import_source
    from ecoport.services.sources import FileFormat, Row, Source

    records = result.stake_records()
    rows = (
        Row(line, [record.get(f) for f in FIELDS], record)
        for line, record in enumerate(records, start=1)
    )
    source = Source(
        Path(result.article),
        FileFormat.yaml,
        0,
        rows,
        companies=[(0, entry) for entry in result.company_entries()],
    )
    source.position = lambda: 0
    return import_source(session=session, source=source)
