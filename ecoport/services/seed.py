"""Loading a seed file (the shape of data/seed_companies.yaml): companies, targets, stakes."""

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ecoport.core.money import to_minor
from ecoport.core.names import clean_name, name_key
from ecoport.core.percent import to_micro
from ecoport.core.sectors import normalize_sector
from ecoport.errors import InvalidInput
from ecoport.services.fields import stake_from_fields, text
from ecoport.services.lookup import find_company
from ecoport.store.db import SessionReader

if TYPE_CHECKING:
    from sqlmodel import Session


@dataclass(slots=True)
class SeedResult:
    companies_created: int = 0
    aliases_added: int = 0
    targets_set: int = 0
    stakes_added: int = 0
    stakes_present: int = 0


def bundled_seed() -> Path:
    """The seed file shipped with ecoport."""
    return Path(__file__).resolve().parent.parent / "data" / "seed_companies.yaml"


def read_seed(path: Path) -> dict[str, Any]:
    """Parse the YAML, each mapping carrying its line number under ``__line__``."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class LineLoader(base):  # type: ignore[valid-type, misc]
        def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
            mapping = super().construct_mapping(node, deep=deep)
            mapping["__line__"] = node.start_mark.line + 1
            return mapping  # type: ignore[no-any-return]

    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=LineLoader)  # noqa: S506 - a SafeLoader subclass
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise InvalidInput(
            f"not valid YAML ({getattr(exc, 'problem', exc)})", where=where
        ) from None
    if not isinstance(data, dict):
        raise InvalidInput("expected a mapping with 'companies' and 'stakes'", where=str(path))
    return data


def load_seed(*, session: "Session", path: Path) -> SeedResult:
    """Load companies, aliases, targets and stakes; what is already stored is left alone.

    Every problem in the file is reported at once (``file:line: field: reason``) and
    nothing is written when there is any.
    """
    from ecoport.store.models import Company, CompanyAlias, Stake, Target

    data = read_seed(path)
    errors: list[str] = []
    result = SeedResult()
    reader = SessionReader(session)

    def at(entry: dict[str, Any], field: str | None = None) -> str:
        return f"{path}:{entry.get('__line__', '?')}" + (f": {field}" if field else "")

    companies = data.get("companies") or []
    stakes = data.get("stakes") or []
    for name, value in (("companies", companies), ("stakes", stakes)):
        if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
            raise InvalidInput(f"'{name}' must be a list of mappings", where=str(path))

    for entry in companies:
        try:
            name = clean_name(text(entry.get("name")) or "")
            sector = normalize_sector(entry["sector"]) if text(entry.get("sector")) else None
        except InvalidInput as exc:
            errors.append(f"{at(entry)}: {exc.message}")
            continue
        found = find_company(reader, name)
        if found is None:
            company = Company(
                name=name,
                name_key=name_key(name),
                sector=sector,
                note=text(entry.get("note")),
                source=text(entry.get("source")),
            )
            session.add(company)
            session.flush()
            result.companies_created += 1
        else:
            company_or_none = session.get(Company, found.id)
            assert company_or_none is not None
            company = company_or_none
            if company.sector is None and sector is not None:
                company.sector = sector
        assert company.id is not None
        for alias in entry.get("aliases") or []:
            key = name_key(str(alias))
            if find_company(reader, str(alias)) is None:
                session.add(
                    CompanyAlias(company_id=company.id, alias=clean_name(str(alias)), alias_key=key)
                )
                session.flush()
                result.aliases_added += 1
        if entry.get("target") is not None:
            target = entry["target"]
            if not isinstance(target, int) or isinstance(target, bool) or target <= 0:
                errors.append(f"{at(entry, 'target')}: must be a positive whole number")
            elif session.get(Target, company.id) is None:
                session.add(
                    Target(
                        investor_id=company.id,
                        target=target,
                        note=text(entry.get("target_note")),
                        source=text(entry.get("target_source")),
                    )
                )
                result.targets_set += 1

    for entry in stakes:

        def where(field: str, entry: dict[str, Any] = entry) -> str:
            return at(entry, field)

        stake_in, problems = stake_from_fields(entry, where=where)
        errors.extend(str(p) for p in problems)
        if stake_in is None:
            continue
        ids = []
        for role, name in (("investor", stake_in.investor), ("startup", stake_in.startup)):
            found = find_company(reader, name)
            if found is None:
                errors.append(f"{at(entry, role)}: {name!r} is not listed under companies")
            ids.append(found.id if found else None)
        if None in ids:
            continue
        minor = (
            None
            if stake_in.amount is None
            else to_minor(stake_in.amount.amount, stake_in.amount.currency)
        )
        row: dict[str, Any] = {
            "investor_id": ids[0],
            "company_id": ids[1],
            "kind": stake_in.kind.value,
            "date": stake_in.date.start.isoformat(),
            "date_precision": stake_in.date.precision.value,
            "amount_minor": minor,
            "currency": None if stake_in.amount is None else stake_in.amount.currency,
            "percent_micro": None if stake_in.percent is None else to_micro(stake_in.percent),
        }
        if _present(reader, row):
            result.stakes_present += 1
            continue
        session.add(Stake(**row, round=stake_in.round, source=stake_in.source, note=stake_in.note))
        session.flush()
        result.stakes_added += 1

    if errors:
        raise InvalidInput(
            f"{path}: {len(errors)} problem{'s' if len(errors) > 1 else ''}; nothing was loaded",
            details=errors,
        )
    return result


def _present(reader: SessionReader, row: dict[str, Any]) -> bool:
    """Is a stake with the same identity (parties, kind, date, amount, percent) stored?"""
    found = reader.rows(
        """
        SELECT 1 FROM stake WHERE investor_id = :investor_id AND company_id = :company_id
        AND kind = :kind AND date = :date AND date_precision = :date_precision
        AND (amount_minor = :amount_minor OR (amount_minor IS NULL AND :amount_minor IS NULL))
        AND (currency = :currency OR (currency IS NULL AND :currency IS NULL))
        AND (percent_micro = :percent_micro OR (percent_micro IS NULL AND :percent_micro IS NULL))
        LIMIT 1
        """,
        row,
    )
    return bool(found)
