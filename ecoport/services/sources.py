"""Reading stake files (CSV, JSON, YAML) as rows of ecoport's fields, each with its line.

A file's columns (or keys) become ecoport's fields through a mapping: ecoport's own names
map themselves, ``--map COLUMN=FIELD`` and mapping files map the rest. CSV is streamed, so
a file of millions of rows is read in constant memory.
"""

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from ecoport.core.text import printable
from ecoport.errors import InvalidInput
from ecoport.services.fields import FIELDS, REQUIRED

INDEX = {name: i for i, name in enumerate(FIELDS)}
#: Columns that ecoport writes next to rejected rows; ignored when read back.
REJECT_COLUMNS = ("ecoport_line", "ecoport_error")
_SNIFF_BYTES = 64 * 1024
_SURROGATE = re.compile("[\udc80-\udcff]")


class FileFormat(StrEnum):
    csv = "csv"
    json = "json"
    yaml = "yaml"


@dataclass(frozen=True, slots=True)
class Mapping:
    """How a file's columns become ecoport's fields, and defaults for what it lacks."""

    rename: dict[str, str] = field(default_factory=dict)
    """casefolded column name -> ecoport field"""
    columns: tuple[str, ...] | None = None
    """Column names of a file without a header row."""
    currency: str | None = None
    investor: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    dayfirst: bool | None = None
    constants: dict[str, str] = field(default_factory=dict)
    """field -> the value of every row that gives none (``--set kind=acquisition``)"""
    split_investors: str | None = None
    """The separator of several investors in one cell (``--split-investors ,``)."""

    def over(self, base: "Mapping") -> "Mapping":
        """This mapping's settings, falling back to *base*'s."""
        return Mapping(
            rename={**base.rename, **self.rename},
            constants={**base.constants, **self.constants},
            split_investors=self.split_investors or base.split_investors,
            columns=self.columns or base.columns,
            currency=self.currency or base.currency,
            investor=self.investor or base.investor,
            delimiter=self.delimiter or base.delimiter,
            encoding=self.encoding or base.encoding,
            dayfirst=base.dayfirst if self.dayfirst is None else self.dayfirst,
        )


def _field_name(value: str, *, where: str | None = None, field: str | None = None) -> str:
    name = value.strip().casefold()
    if name not in INDEX:
        raise InvalidInput(
            f"{value!r} is not a field of ecoport (choose from {', '.join(FIELDS)})",
            where=where,
            field=field,
        )
    return name


def parse_map(values: list[str], *, field: str = "map", where: str | None = None) -> dict[str, str]:
    """``["company_name=startup", ...]`` -> ``{"company_name": "startup"}``."""
    rename: dict[str, str] = {}
    for value in values:
        column, sep, target = value.partition("=")
        if not sep or not column.strip():
            raise InvalidInput(f"expected COLUMN=FIELD, got {value!r}", field=field, where=where)
        rename[column.strip().casefold()] = _field_name(target, field=field, where=where)
    return rename


def parse_set(values: list[str], *, field: str = "set", where: str | None = None) -> dict[str, str]:
    """``["date=2019", "kind=acquisition"]`` -> ``{"date": "2019", "kind": "acquisition"}``."""
    constants: dict[str, str] = {}
    for value in values:
        name, sep, constant = value.partition("=")
        if not sep or not name.strip():
            raise InvalidInput(f"expected FIELD=VALUE, got {value!r}", field=field, where=where)
        if not constant.strip():
            raise InvalidInput(f"{name.strip()}: the value is empty", field=field, where=where)
        constants[_field_name(name, field=field, where=where)] = constant.strip()
    return constants


def check_separator(
    value: str | None, *, field: str = "split_investors", where: str | None = None
) -> str | None:
    if value is None:
        return None
    if not value.strip() and value not in ("\t", " "):
        raise InvalidInput("the separator is empty", field=field, where=where)
    return "\t" if value == "\\t" else value


def parse_columns(
    value: str, *, field: str = "columns", where: str | None = None
) -> tuple[str, ...]:
    names = tuple(n.strip() for n in value.split(","))
    if not all(names):
        raise InvalidInput(
            f"expected names separated by commas, got {value!r}", field=field, where=where
        )
    return names


def bundled_mappings() -> dict[str, Path]:
    """The mapping files shipped with ecoport, by name (``crunchbase-2013-investments``)."""
    folder = Path(__file__).resolve().parent.parent / "data" / "mappings"
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


def read_mapping(ref: str) -> Mapping:
    """A mapping file by path, or by the name of one shipped with ecoport."""
    import yaml

    path = Path(ref)
    if not path.exists():
        bundled = bundled_mappings()
        if ref not in bundled:
            names = ", ".join(bundled) or "none"
            raise InvalidInput(
                f"no file {ref!r} and no bundled mapping of that name ({names})", field="mapping"
            )
        path = bundled[ref]
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {path}: {exc}", field="mapping") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InvalidInput(
            f"not valid YAML ({getattr(exc, 'problem', exc)})",
            where=f"{path}:{mark.line + 1}" if mark else str(path),
        ) from None
    if not isinstance(data, dict):
        raise InvalidInput("expected a mapping (see data/mappings/)", where=str(path))
    known = {
        "map",
        "columns",
        "currency",
        "investor",
        "delimiter",
        "encoding",
        "dayfirst",
        "set",
        "split_investors",
    }
    unknown = set(data) - known
    if unknown:
        raise InvalidInput(
            f"unknown keys {', '.join(sorted(map(str, unknown)))} "
            f"(expected {', '.join(sorted(known))})",
            where=str(path),
        )
    where = str(path)
    columns = data.get("columns")
    if columns is not None and (
        not isinstance(columns, list) or not all(isinstance(c, str) for c in columns)
    ):
        raise InvalidInput("'columns' must be a list of names", where=where)
    raw_map = data.get("map") or {}
    if not isinstance(raw_map, dict):
        raise InvalidInput("'map' must map column names to fields", where=where)
    dayfirst = data.get("dayfirst")
    if dayfirst is not None and not isinstance(dayfirst, bool):
        raise InvalidInput("'dayfirst' must be true or false", where=where)
    raw_set = data.get("set") or {}
    if not isinstance(raw_set, dict):
        raise InvalidInput("'set' must map fields to values", where=where)
    return Mapping(
        constants=parse_set([f"{k}={v}" for k, v in raw_set.items()], where=f"{where}: set"),
        split_investors=check_separator(
            _opt_text(data.get("split_investors")), where=f"{where}: split_investors"
        ),
        rename={
            str(k).strip().casefold(): _field_name(str(v), where=where) for k, v in raw_map.items()
        },
        columns=tuple(columns) if columns else None,
        currency=_opt_text(data.get("currency")),
        investor=_opt_text(data.get("investor")),
        delimiter=_opt_text(data.get("delimiter")),
        encoding=_opt_text(data.get("encoding")),
        dayfirst=dayfirst,
    )


def _opt_text(value: Any) -> str | None:
    return None if value is None else str(value)


@dataclass(slots=True)
class Row:
    """One stake row: its first line in the file, its fields' raw text, what the file said."""

    line: int
    values: list[str | None]
    """Aligned to FIELDS; None where absent or blank."""
    raw: Any
    """The row as read (a list of cells, or a mapping), written back out for rejects."""
    problem: str | None = None
    """Set when the row cannot be read at all (wrong number of fields, bad bytes)."""


@dataclass(slots=True)
class Source:
    """An opened stake file."""

    path: Path
    format: FileFormat
    size: int
    rows: Iterator[Row]
    header: list[str] = field(default_factory=list)
    """The CSV columns (for writing rejects); empty for JSON and YAML."""
    companies: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    """Company entries of the seed/export shape, with their line."""
    warnings: list[str] = field(default_factory=list)
    position: Any = None
    """A callable giving how many bytes have been read, for progress."""
    labels: list[str] = field(default_factory=list)
    """For each field, how to name it in a message: the file's column that gives it."""
    skipped: int = 0
    """Rows of nothing but delimiters, skipped like blank lines."""
    marks: list[tuple[int, Any]] | None = None
    """Mark entries of the export shape, with their line (None: the format has none)."""
    cells: "Iterator[tuple[int, list[str]] | Row] | None" = None
    """For a CSV file, the same rows as ``rows`` (read one or the other): each usual row (as
    many cells as columns, ASCII, not blank) as its line and its cells as read, untrimmed;
    any other as its Row."""
    raw_fields: "Callable[[list[str]], Sequence[str]] | None" = None
    """For a CSV file: a usual row's cells -> its fields' raw text, aligned to FIELDS (as
    read, untrimmed; "" where no column gives the field)."""
    values_of: "Callable[[list[str]], list[str | None]] | None" = None
    """For a CSV file: a record's cells -> its Row's values."""


def detect_format(path: Path, head: bytes) -> FileFormat:
    """The format of a file: from its name, else from its first bytes."""
    named = format_of_name(path)
    if named is not None:
        return named
    if path.suffix.lower() == ".txt":
        return FileFormat.csv
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start in (b"[", b"{"):
        return FileFormat.json
    if head.lstrip().startswith((b"---", b"companies:", b"stakes:", b"- ")):
        return FileFormat.yaml
    return FileFormat.csv


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def check_output(path: Path, *, where: str) -> Path:
    """*path* if a file can be written there (checked before anything is read): not a
    folder, in a folder that exists and may be written to."""
    import os

    if path.is_dir():
        raise InvalidInput(f"{path} is a folder; name a file in it", where=where)
    folder = path.parent
    if not folder.is_dir():
        raise InvalidInput(f"folder {folder} does not exist", where=where)
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise InvalidInput(f"{path} cannot be written (permission denied)", where=where)
    return path


def check_encoding(encoding: str, *, field: str = "encoding") -> str:
    """*encoding* if Python can decode text with it; else InvalidInput (``rot13``, ``base64``
    and ``zlib`` are codecs, but not text encodings)."""
    try:
        "".encode(encoding)
    except LookupError:
        raise InvalidInput(
            f"unknown text encoding {encoding!r} (for example utf-8, cp1252, mac_roman, utf-16)",
            field=field,
        ) from None
    return encoding


def _wide(encoding: str | None, head: bytes) -> str | None:
    """The UTF-16/32 encoding of the file, given or announced by its byte-order mark."""
    if encoding is not None:
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            return None
        return encoding if name.startswith(("utf-16", "utf-32")) else None
    return "utf-16" if head.startswith(_UTF16_BOMS) else None


def _refuse_binary(path: Path, head: bytes, encoding: str | None) -> None:
    if not head.strip(b" \t\r\n\x00\xff\xfe"):
        raise InvalidInput(f"{path}: the file is empty")
    if encoding is not None:
        return  # UTF-16 and UTF-32 text has NUL bytes
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InvalidInput(
            f"{path}: is a spreadsheet workbook, not CSV, JSON or YAML; save it as CSV first"
        )
    if b"\x00" in head:
        raise InvalidInput(f"{path}: is not a CSV, JSON or YAML file (it holds binary data)")


def _bad_byte(path: Path, data: bytes, start: int, encoding: str) -> InvalidInput:
    line = data.count(b"\n", 0, start) + 1 if b"\n" in data else data.count(b"\r", 0, start) + 1
    return InvalidInput(
        f"byte 0x{data[start]:02x} is not valid {encoding}; "
        "pass {option:encoding} with the file's encoding (for example cp1252 or mac_roman)",
        where=f"{path}:{line}",
    )


#: The FILE that means standard input (``ecoport import - --input-format csv``).
STDIN = Path("-")
#: How standard input is named in messages (``<stdin>:3: ...``).
STDIN_NAME = Path("<stdin>")


def format_of_name(path: Path) -> FileFormat | None:
    """The format a file's name tells (``.csv``, ``.tsv``, ``.json``, ``.yaml``, ``.yml``);
    None when it tells none (standard input, a pipe, ``data.txt``)."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        return FileFormat.csv
    if suffix == ".json":
        return FileFormat.json
    if suffix in (".yaml", ".yml"):
        return FileFormat.yaml
    return None


def _open_bytes(path: Path) -> tuple[IO[bytes], int, Path]:
    """*path* opened once for reading: (stream at its start, size, name for messages).

    A regular file is read in place. Standard input (``-``), ``/dev/stdin``, a pipe or a
    process substitution (``<(zcat x.csv.gz)``) can be read only once: it is copied to an
    anonymous temporary file first, so that sniffing its start does not consume it."""
    import os
    import shutil
    import stat
    import sys
    import tempfile

    if path == STDIN:
        raw, shown = sys.stdin.buffer, STDIN_NAME
    else:
        try:
            raw, shown = path.open("rb"), path
            mode = os.fstat(raw.fileno()).st_mode
        except FileNotFoundError:
            raise InvalidInput(f"{path}: no such file") from None
        except IsADirectoryError:
            raise InvalidInput(f"{path}: is a folder, not a file") from None
        except OSError as exc:
            raise InvalidInput(f"{path}: cannot read ({exc.strerror})") from None
        if stat.S_ISREG(mode):
            return raw, os.fstat(raw.fileno()).st_size, path
    spool = tempfile.TemporaryFile(prefix="ecoport-import-")
    try:
        shutil.copyfileobj(raw, spool, 1024 * 1024)
    except OSError as exc:
        spool.close()
        raise InvalidInput(f"{shown}: cannot read ({exc.strerror})") from None
    finally:
        if raw is not sys.stdin.buffer:
            raw.close()
    size = spool.tell()
    spool.seek(0)
    return spool, size, shown


def open_source(path: Path, mapping: Mapping, *, format: FileFormat | None = None) -> Source:
    """Open *path* (``-``: standard input) and check its shape (header, required columns);
    rows are read lazily. The file is opened once, and a pipe read once."""
    stream, size, path = _open_bytes(path)
    try:
        head = stream.read(_SNIFF_BYTES)
        stream.seek(0)
        if mapping.encoding is not None:
            check_encoding(mapping.encoding)
        wide = _wide(mapping.encoding, head)
        _refuse_binary(path, head, wide)
        if wide is not None and mapping.encoding is None:
            mapping = Mapping(**{**_fields_of(mapping), "encoding": wide})
        chosen = format or detect_format(
            path, head.decode(wide, errors="replace").encode() if wide else head
        )
        if chosen is FileFormat.csv:
            return _open_csv(path, stream, size, head, mapping)
        data = stream.read()
    except BaseException:
        stream.close()
        raise
    stream.close()
    encoding = mapping.encoding or "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _bad_byte(path, data, exc.start, exc.encoding) from None
    except LookupError:
        raise InvalidInput(f"unknown encoding {encoding!r}", field="encoding") from None
    if chosen is FileFormat.json:
        companies, items, marks = _json_items(path, text)
    else:
        companies, items, marks = _yaml_items(path, text)
    source = Source(path, chosen, size, iter(()), companies=companies, marks=marks)
    source.rows = _dict_rows(source, items, mapping)
    source.position = lambda: size
    return source


def _fields_of(mapping: Mapping) -> dict[str, Any]:
    return {name: getattr(mapping, name) for name in Mapping.__dataclass_fields__}


# -- CSV ---------------------------------------------------------------------------------


def _open_csv(path: Path, binary: IO[bytes], size: int, head: bytes, mapping: Mapping) -> Source:
    """A CSV source reading *binary* (at its start) as rows; *path* names it in messages."""
    encoding = mapping.encoding or "utf-8-sig"
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise InvalidInput(f"unknown encoding {encoding!r}", field="encoding") from None
    if codec.startswith("utf-8"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # not a character cut at the end of the sample
                raise _bad_byte(path, head, exc.start, "UTF-8") from None
    sample = head.decode(encoding, errors="replace")
    delimiter = mapping.delimiter
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    elif delimiter in ("\\t", "tab"):
        delimiter = "\t"
    if len(delimiter) != 1:
        raise InvalidInput(f"a delimiter is one character, got {delimiter!r}", field="delimiter")

    text = io.TextIOWrapper(binary, encoding=encoding, errors="surrogateescape", newline="")
    # strict: a cell like "Xiaomi"x is malformed quoting, not the name Xiaomix
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    try:
        first = next(reader, None)
    except csv.Error as exc:
        binary.close()
        raise InvalidInput(f"not valid CSV ({exc})", where=f"{path}:1") from None
    if first is None:
        binary.close()
        raise InvalidInput(f"{path}: the file is empty")
    cells = [c.strip() for c in first]
    has_header = True
    if mapping.columns:
        names = list(mapping.columns)
        wanted = [n.casefold() for n in names]
        given = [c.casefold() for c in cells if c.casefold() not in REJECT_COLUMNS]
        has_header = given == wanted  # a rejects file written by ecoport has the names
    else:
        names = cells
    source = Source(
        path,
        FileFormat.csv,
        size,
        iter(()),
        position=lambda: size if binary.closed else binary.tell(),
    )
    if has_header:
        source.header = list(cells)
    else:
        source.header = names
    take = _take(source, names if not has_header else cells, mapping, has_header)
    width = len(source.header)
    if has_header:
        # Excel writes a trailing delimiter on every line: an empty last header is no column
        while width and not source.header[width - 1].strip():
            width -= 1
        source.header = source.header[:width]
    values_of = source.values_of = _fields_of_cells(take)
    records = _csv_records(source, reader, binary, first, has_header, width, values_of)
    source.cells = records
    source.rows = _csv_rows(records, values_of)
    source.raw_fields = _raw_fields(take, width)
    return source


def _raw_fields(take: list[int], width: int) -> "Callable[[list[str]], Sequence[str]]":
    """Source.raw_fields for the columns *take* of a file of *width* columns."""
    read = sum(1 for i in take if i >= 0)
    padding = [""] * (len(take) - read)
    if take[:read] == list(range(read)):  # FIELDS' first fields, in the first columns
        if read == width:
            return lambda cells: cells + padding
        return lambda cells: cells[:read] + padding
    # any other order: each field's cell, or the "" put after the row's last cell
    pick = itemgetter(*(i if i >= 0 else width for i in take))
    blank = [""]
    return lambda cells: pick(cells + blank)


def _take(source: Source, names: list[str], mapping: Mapping, has_header: bool) -> list[int]:
    """For each field, the index of the column that gives it (-1 for none)."""
    path = source.path
    take = [-1] * len(FIELDS)
    labels = source.labels = list(FIELDS)
    given_by: dict[str, str] = {}
    for i, name in enumerate(names):
        key = name.strip().casefold()
        target = mapping.rename.get(key) or (key if key in INDEX else None)
        if target is None:
            if key not in REJECT_COLUMNS and key:
                source.warnings.append(
                    f"{path}:1: column {name!r} is not a field of ecoport; ignored "
                    f"(map it with {{option:map}} '{name}=FIELD')"
                )
            continue
        if target in given_by:
            raise InvalidInput(
                f"columns {given_by[target]!r} and {name!r} both give {target!r}",
                where=f"{path}:1",
            )
        given_by[target] = name
        take[INDEX[target]] = i
        labels[INDEX[target]] = name if key == target else f"{name} ({target})"
    present = {n.strip().casefold() for n in names}
    for key in mapping.rename:
        if key not in present:
            source.warnings.append(f"{path}: the mapping names column {key!r}, which it lacks")
    missing = [
        f
        for f in REQUIRED
        if take[INDEX[f]] < 0
        and f not in mapping.constants
        and not (f == "investor" and mapping.investor)
    ]
    if missing:
        hint = (
            "; if the file has no header row, name its columns with {option:columns}"
            if has_header and not given_by
            else ""
        )
        need = ", ".join(repr(m) for m in missing)
        how = (
            "{option:investor} NAME or {option:map} COLUMN=investor"
            if missing == ["investor"]
            else (
                f"{{option:map}} COLUMN={missing[0]}, "
                f"or {{option:set}} {missing[0]}=VALUE for every row"
            )
        )
        raise InvalidInput(
            f"no column gives {need} (name it with {how}){hint}",
            where=f"{path}:1",
        )
    return take


def _csv_records(
    source: Source,
    reader: Any,
    binary: IO[bytes],
    first: list[str],
    has_header: bool,
    width: int,
    values_of: "Callable[[list[str]], list[str | None]]",
) -> Iterator[tuple[int, list[str]] | Row]:
    """Source.cells: the usual row as (line, cells), any other as its Row."""
    try:
        if not has_header:
            yield from _csv_row(source, 1, first, has_header, width, values_of)
        last = reader.line_num
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                start, last = last + 1, reader.line_num
                problem = f"is not valid CSV ({exc}); quote a cell that holds quotes whole"
                yield Row(start, [], [], problem)
                continue
            start, last = last + 1, reader.line_num
            joined = "".join(record)
            if len(record) == width > 0 and joined and joined.isascii() and not joined.isspace():
                # the usual row: as many cells as columns, ASCII, not blank
                yield start, record
            else:
                yield from _csv_row(source, start, record, has_header, width, values_of)
    finally:
        binary.close()


def _csv_rows(
    cells: Iterator[tuple[int, list[str]] | Row],
    values_of: "Callable[[list[str]], list[str | None]]",
) -> Iterator[Row]:
    for item in cells:
        if type(item) is tuple:
            line, record = item
            yield Row(line, values_of(record), record)
        else:
            yield item  # type: ignore[misc]


def _csv_row(
    source: Source,
    line: int,
    record: list[str],
    has_header: bool,
    width: int,
    values_of: "Callable[[list[str]], list[str | None]]",
) -> Iterator[Row]:
    """The row of a record (none for a blank one), with the problem that keeps it from being
    read, if any."""
    if not record or (len(record) == 1 and not record[0].strip()):
        return  # a blank line is not a row
    if not "".join(record).strip():
        source.skipped += 1  # a line of nothing but delimiters (",,,,") is blank too
        return
    if len(record) > width and not "".join(record[width:]).strip():
        record = record[:width]  # empty cells under a trailing delimiter
    problem = None
    if len(record) != width:
        problem = (
            f"has {len(record)} fields, the header has {width}"
            if has_header
            else f"has {len(record)} fields, {{option:columns}} names {width}"
        )
    elif not all(map(str.isascii, record)):
        bad = next((m for c in record if (m := _SURROGATE.search(c))), None)
        if bad is not None:
            problem = (
                f"byte 0x{ord(bad.group()) - 0xDC00:02x} is not valid in this encoding; "
                "pass {option:encoding} with the file's encoding "
                "(for example cp1252 or mac_roman)"
            )
    if problem is not None:
        yield Row(line, [], record, problem)
        return
    yield Row(line, values_of(record), record)


def trimmed(cell: str | None) -> str | None:
    """A cell's text as a Row's value: trimmed of ASCII white space only, None when blank."""
    return (cell.strip(_BLANK) or None) if cell else None


def _fields_of_cells(take: list[int]) -> "Callable[[list[str]], list[str | None]]":
    """For a record's cells, the raw text of each field (aligned to FIELDS): the cell of its
    column trimmed of ASCII white space only (a control character at a cell's edge, such as
    U+0085, must reach the field parser, which refuses it); None where blank or not given."""
    columns = [i for i in take if i >= 0]
    given = [f for f, i in enumerate(take) if i >= 0]
    if not columns:
        return lambda _record: [None] * len(take)
    pick = itemgetter(*columns) if len(columns) > 1 else lambda record: (record[columns[0]],)
    blanks = (_BLANK,) * len(columns)
    if given == list(range(len(given))):  # the fields given are FIELDS' first ones
        rest: list[str | None] = [None] * (len(take) - len(given))
        if columns == list(range(len(columns))):
            # ...in the file's first columns: the cells as they come (map stops at blanks' end)

            def first(record: list[str]) -> list[str | None]:
                values: list[str | None] = [c or None for c in map(str.strip, record, blanks)]
                values += rest
                return values

            return first

        def leading(record: list[str]) -> list[str | None]:
            values: list[str | None] = [c or None for c in map(str.strip, pick(record), blanks)]
            values += rest
            return values

        return leading
    # each field's place among the given cells, or that of a None put after them
    at = [given.index(f) if f in given else len(given) for f in range(len(take))]

    def scattered(record: list[str]) -> list[str | None]:
        cells: list[str | None] = [c or None for c in map(str.strip, pick(record), blanks)]
        cells.append(None)
        return [cells[i] for i in at]

    return scattered


# -- JSON and YAML -------------------------------------------------------------------------


_Items = list[tuple[int, Any]]
#: The lists of the export shape's top level (``{"companies": [...], "stakes": [...],
#: "marks": [...]}``, the same in YAML); any other key is refused, where it is.
TOP_LEVEL = ("companies", "stakes", "marks")


def _unknown_key(key: Any, where: str) -> InvalidInput:
    return InvalidInput(
        f"key {printable(str(key))!r} is not one ecoport reads at the top level "
        f"({', '.join(TOP_LEVEL)}); nothing was imported",
        where=where,
    )


#: What is trimmed from a cell before its field parser sees it.
_BLANK = " \t\r\n"


class _DuplicateKey(ValueError):
    pass


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object's members; a key given twice is an error, not a silent last-wins."""
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return out


def _json_int(text: str) -> int | str:
    """A JSON integer; one too long for Python to convert (past 4,300 digits) stays its
    text, for the field's parser to refuse."""
    try:
        return int(text)
    except ValueError:
        return text


def _json_float(text: str) -> float | str:
    """A JSON number with a fraction or exponent; one a float cannot hold exactly (more
    digits than 17, or beyond its range) stays its text, so nothing is rounded unseen."""
    from decimal import Decimal

    value = float(text)
    return value if Decimal(repr(value)) == Decimal(text) else text


def json_decoder() -> json.JSONDecoder:
    """ecoport's JSON reader: a key given twice in an object is an error, not a silent
    last-wins; numbers keep their exact value."""
    return json.JSONDecoder(
        object_pairs_hook=_unique_pairs, parse_int=_json_int, parse_float=_json_float
    )


def _json_items(path: Path, text: str) -> tuple[_Items, _Items, _Items]:
    """The company entries, stake objects and mark entries of a JSON file, each with its
    line (a plain list is stakes only)."""
    decoder = json_decoder()
    lines = _LineCounter(text)

    def fail(exc: json.JSONDecodeError) -> InvalidInput:
        return InvalidInput(f"not valid JSON ({exc.msg})", where=f"{path}:{exc.lineno}")

    def decode(i: int) -> tuple[Any, int]:
        """The JSON value at offset *i* and where it ends; every failure one line."""
        try:
            return decoder.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            raise fail(exc) from None
        except _DuplicateKey as exc:
            raise InvalidInput(
                f"key {printable(str(exc))!r} is given twice in one object",
                where=f"{path}:{lines.at(i)}",
            ) from None
        except RecursionError:
            raise InvalidInput(
                "not valid JSON for ecoport (nested too deeply)", where=f"{path}:{lines.at(i)}"
            ) from None

    def skip(i: int) -> int:
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        return i

    def array(i: int) -> tuple[_Items, int]:
        items: _Items = []
        i = skip(i + 1)
        if i < len(text) and text[i] == "]":
            return items, i + 1
        while True:
            value, end = decode(i)
            items.append((lines.at(i), value))
            i = skip(end)
            if i < len(text) and text[i] == ",":
                i = skip(i + 1)
                continue
            if i < len(text) and text[i] == "]":
                return items, i + 1
            raise InvalidInput(
                "not valid JSON (expected ',' or ']')", where=f"{path}:{lines.at(i)}"
            )

    i = skip(1 if text.startswith("\ufeff") else 0)
    if text[i : i + 1] == "[":
        items, end = array(i)
        companies: _Items = []
        marks: _Items = []
    elif text[i : i + 1] == "{":
        # the export shape: {"companies": [...], "stakes": [...], ...}, read key by key
        found: dict[str, _Items] = {}
        i = skip(i + 1)
        while text[i : i + 1] != "}":
            at = i
            key, i = decode(i)
            i = skip(i)
            if text[i : i + 1] != ":" or not isinstance(key, str):
                raise InvalidInput(
                    "not valid JSON (expected a key and ':')", where=f"{path}:{lines.at(i)}"
                )
            if key not in TOP_LEVEL:
                raise _unknown_key(key, f"{path}:{lines.at(at)}")
            i = skip(i + 1)
            if key in found:
                raise InvalidInput(
                    f"key {key!r} is given twice in one object", where=f"{path}:{lines.at(i)}"
                )
            if text[i : i + 1] == "[":
                found[key], i = array(i)
            else:
                value, i = decode(i)
                if value is not None:
                    raise InvalidInput(f"'{key}' must be a list", where=f"{path}:{lines.at(i)}")
                found[key] = []
            i = skip(i)
            if text[i : i + 1] == ",":
                i = skip(i + 1)
            elif text[i : i + 1] != "}":
                raise InvalidInput(
                    "not valid JSON (expected ',' or '}')", where=f"{path}:{lines.at(i)}"
                )
        end = i + 1
        if "stakes" not in found:
            raise InvalidInput(
                "expected a list of stakes, or an object with 'stakes' (as ecoport export writes)",
                where=f"{path}:1",
            )
        companies, items, marks = (
            found.get("companies", []),
            found["stakes"],
            found.get("marks", []),
        )
    else:
        raise InvalidInput(
            "not valid JSON (expected a list of stakes or an object)", where=f"{path}:1"
        )
    if text[skip(end) :].strip():
        raise InvalidInput(
            "not valid JSON (extra data after the end)", where=f"{path}:{lines.at(end)}"
        )
    return companies, items, marks


class _LineCounter:
    """Line numbers of increasing offsets in a text, counted once."""

    def __init__(self, text: str) -> None:
        self.text, self.offset, self.line = text, 0, 1

    def at(self, offset: int) -> int:
        if offset < self.offset:
            self.offset, self.line = 0, 1
        self.line += self.text.count("\n", self.offset, offset)
        self.offset = offset
        return self.line


def _yaml_items(path: Path, text: str) -> tuple[_Items, _Items, _Items]:
    """The company entries, stake mappings and mark entries of a YAML file, each with its
    line (a plain list is stakes only)."""
    data = parse_yaml(path, text)
    if isinstance(data, list):
        return [], [(_line(e), e) for e in data], []
    if isinstance(data, dict):
        for key in data:
            if key != "__line__" and key not in TOP_LEVEL:
                raise _unknown_key(key, f"{path}:{_key_line(text, key, data)}")
        out: list[_Items] = []
        for key in TOP_LEVEL:
            value = data.get(key) or []
            if not isinstance(value, list):
                raise InvalidInput(
                    f"'{key}' must be a list", where=f"{path}:{data.get('__line__', 1)}"
                )
            out.append([(_line(e), e) for e in value])
        return out[0], out[1], out[2]
    raise InvalidInput("expected a list of stakes, or 'companies' and 'stakes'", where=str(path))


def _key_line(text: str, key: Any, data: dict[Any, Any]) -> int:
    """The line of a top-level key of a YAML mapping (the mapping's own where not found)."""
    name = re.escape(str(key))
    found = re.search(rf"""^(?:{name}|"{name}"|'{name}')[ \t]*:""", text, re.M)
    if found is None:
        return int(data.get("__line__", 1))
    return text.count("\n", 0, found.start()) + 1


def _line(entry: Any) -> int:
    return entry.get("__line__", 0) if isinstance(entry, dict) else 0


def _dict_rows(source: Source, items: _Items, mapping: Mapping) -> Iterator[Row]:
    warned: set[str] = set()
    for line, item in items:
        if not isinstance(item, dict):
            yield Row(line, [], item, "expected an object with a stake's fields")
            continue
        values: list[str | None] = [None] * len(FIELDS)
        for key, value in item.items():
            if key == "__line__":
                continue
            name = str(key).strip().casefold()
            target = mapping.rename.get(name) or (name if name in INDEX else None)
            if target is None:
                if name not in REJECT_COLUMNS and name not in warned:
                    warned.add(name)
                    source.warnings.append(
                        f"{source.path}:{line}: key {key!r} is not a field of ecoport; ignored "
                        f"(map it with {{option:map}} '{key}=FIELD')"
                    )
                continue
            if not isinstance(value, _SCALARS) or isinstance(value, bool):
                problem = f"{target}: expected text, a number or a date, got {described(value)}"
                break
            values[INDEX[target]] = _scalar(value)
        else:
            yield Row(line, values, item)
            continue
        yield Row(line, [], item, problem)


#: The JSON/YAML values a field may hold (booleans, objects and lists are not a name).
_SCALARS = (str, int, float, type(None))
_TYPE_NAMES = {bool: "", dict: "an object ", list: "a list "}


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return printable(text if len(text) <= 40 else text[:39] + "…")


def described(value: Any) -> str:
    """A JSON or YAML value as the file spells it (``true``, ``an object {"a": 1}``), for
    a message saying it is not what the key wants."""
    return f"{_TYPE_NAMES.get(type(value), '')}{_shown(value)}"


def _scalar(value: str | int | float | None) -> str | None:
    """A JSON/YAML value as the text a CSV cell would hold (floats by their shortest repr)."""
    if value is None:
        return None
    if isinstance(value, float):
        return repr(value)
    text = str(value).strip(_BLANK)
    return text or None


def parse_yaml(path: Path, text: str) -> Any:
    """Parse YAML text, each mapping carrying its line number under ``__line__``."""
    import yaml

    try:
        return yaml.load(text, Loader=_loader())  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise InvalidInput(
            f"not valid YAML ({printable(str(getattr(exc, 'problem', exc)))})", where=where
        ) from None
    except _DuplicateKey as exc:
        key, line = exc.args
        raise InvalidInput(
            f"key {printable(str(key))!r} is given twice in one mapping", where=f"{path}:{line}"
        ) from None
    except RecursionError:
        raise InvalidInput(
            "not valid YAML for ecoport (nested too deeply)", where=str(path)
        ) from None


@cache
def _loader() -> type:
    """A safe YAML loader that reads every scalar as the text it is, except null, true and
    false: YAML 1.1's ``no``/``on`` (booleans), ``12:30:00`` (a base-60 number) and
    ``2015-02-30`` (a date) stay text, for ecoport's own parsers to read or refuse. A key
    given twice in a mapping is an error; each mapping carries its line under ``__line__``."""
    import re

    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class LineLoader(base):  # type: ignore[valid-type, misc]
        yaml_implicit_resolvers: dict[Any, Any] = {}

        def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
            keys: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if isinstance(key, str | int | float):
                    if key in keys:
                        raise _DuplicateKey(key, key_node.start_mark.line + 1)
                    keys.add(key)
            mapping = super().construct_mapping(node, deep=deep)
            mapping["__line__"] = node.start_mark.line + 1
            return mapping  # type: ignore[no-any-return]

    LineLoader.add_implicit_resolver(
        "tag:yaml.org,2002:bool",
        re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
        list("tTfF"),
    )
    LineLoader.add_implicit_resolver(
        "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
    )
    return LineLoader
