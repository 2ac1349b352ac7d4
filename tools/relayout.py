"""Moves modules to the layout described in docs/architecture.md and rewrites every reference.

Two tables say what moved:

- ``MODULES``: a module that moved as a whole (``zhiqian_desktop.services.sync`` became
  ``zhiqian_desktop.services.exchange.kits``);
- ``NAMES``: a name that left its module when the module was split
  (``export_kit`` of ``…exchange.kits`` lives in ``…exchange.kit_export``).

Commands::

    python tools/relayout.py move              # git mv the files, then `rewrite` the whole tree
    python tools/relayout.py rewrite [PATH…]    # rewrite references in these files or folders
    python tools/relayout.py check [PATH…]      # list references to old places (exit 1 if any)

``rewrite`` is what carries a branch started before the move into the new layout: merge main,
run ``python tools/relayout.py rewrite`` (by default over zhiqian_desktop/, tests/, bench/, db/,
docs/, README.md, build.spec and pyproject.toml), then ``ruff check --fix`` and
``ruff format`` to sort the rewritten imports. It rewrites dotted module names anywhere (imports,
strings such as ``monkeypatch.setattr("zhiqian_desktop.services.auth._hasher", …)``, build
files), file paths in prose (``services/sync.py``), ``from package import module`` lines, and
``from module import name`` lines whose names moved to another module. A module imported as a
whole whose split scattered its names (``from …services import sync`` then ``sync.export_kit``)
is reported by ``check`` for a hand edit.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = "zhiqian_desktop"

MODULES: dict[str, str] = {
    # services/ by the stage of the work
    "services.actor": "services.core.actor",
    "services.audit": "services.core.audit",
    "services.auth": "services.core.auth",
    "services.users": "services.core.users",
    "services.staff": "services.core.staff",
    "services.settings": "services.core.settings",
    "services.calendar": "services.core.calendar",
    "services.case_numbers": "services.intake.case_numbers",
    "services.docket": "services.intake.docket",
    "services.importing": "services.intake.importing",
    "services.case_view": "services.supervision.case_view",
    "services.contacts": "services.supervision.contacts",
    "services.attachments": "services.supervision.attachments",
    "services.notices": "services.supervision.notices",
    "services.document_templates": "services.supervision.templates",
    "services.dues": "services.supervision.dues",
    "services.due_items": "services.supervision.due_items",
    "services.outcomes": "services.closing.outcomes",
    "services.packages": "services.closing.transfer_package",
    "services.batch_transfer": "services.closing.batch_transfer",
    "services.dossier": "services.closing.dossier",
    "services.batch_print": "services.closing.batch_print",
    "services.stats": "services.reporting.stats",
    "services.reports": "services.reporting.reports",
    "services.exports": "services.reporting.exports",
    "services.sync": "services.exchange.kits",
    "services.transfer_db": "services.admin.server_copy",
    "services.maintenance": "services.admin.maintenance",
    "services.database_choice": "services.admin.database_choice",
    "services.encryption": "services.admin.encryption",
    "services.demo": "services.admin.demo",
    # the command line as a package
    "cli": "cli.main",
    "cli_auth": "cli.auth",
    "cli_batch": "cli.batch",
    "cli_dossier": "cli.dossier",
    "cli_due": "cli.due",
    "cli_import": "cli.importing",
    "cli_notice": "cli.notices",
    "cli_server": "cli.server",
    "cli_stats": "cli.stats",
    "cli_errors": "cli.errors",
    "cli_values": "cli.values",
    "cli_sync": "cli.kits",
    "cli_transfer": "cli.transfer",
}

NAMES: dict[str, dict[str, str]] = {
    # The service of documents (送达) left the notices when service became per addressee.
    "services.supervision.notices": dict.fromkeys(
        (
            "addressees_of",
            "AddresseeService",
            "service_status",
            "ServiceSummary",
            "service_summary",
            "document_served_on",
            "stored_content",
            "issued_on",
            "services_of",
            "find_document_by_code",
            "record_service",
            "ScannedDocument",
            "receipt_target",
            "scanned_document",
            "ServiceRecorded",
            "serve_by_code",
            "DocumentToServe",
            "document_to_serve",
        ),
        "services.supervision.service_records",
    )
    | {"renderer_for": "services.supervision.templates"},
    # The engine (URLs, pragmas, checks before a file is touched) left store/database.py, so that
    # database, files and migrations import it at module level without a cycle.
    "store.database": dict.fromkeys(
        (
            "SQLITE_MAGIC",
            "READ_ONLY_OPTION",
            "OUR_TABLES",
            "WRITE_LOCK_KEY",
            "PG_LOCK_TIMEOUT_MS",
            "CIPHER_CACHE_KIB",
            "sqlite_url",
            "encrypted_url",
            "is_encrypted_url",
            "effective_url",
            "sqlite_file",
            "STORAGE_ERRORS",
            "StorageError",
            "DamagedDatabase",
            "storage_error",
            "normalise_url",
            "check_sqlite_file",
            "FOREIGN_DATABASE",
            "DAMAGED_DATABASE",
            "inspect_sqlite_file",
            "inspect_encrypted_file",
            "file_engine",
            "create_database_engine",
            "table_names",
            "quick_check",
            "server_error_message",
        ),
        "store.engine",
    ),
    # Cycles broken: the renderer with the court's fonts beside the court's templates; the text
    # rules in domain/.
    # services/exchange/kits.py (the old sync.py, 2,040 lines) split by what each part does.
    "services.exchange.kits": {
        **dict.fromkeys(("export_changes",), "services.exchange.changes"),
        **dict.fromkeys(
            (
                "ENTITY_LABELS",
                "FIELD_LABELS",
                "FieldChoice",
                "ConflictView",
                "conflict_view",
                "list_conflicts",
                "open_conflict_count",
                "resolve_conflict",
            ),
            "services.exchange.conflicts",
        ),
        **dict.fromkeys(
            (
                "court_key_path",
                "read_court_key",
                "write_court_key",
                "COURT_KEY_SECRET",
                "court_key",
                "ensure_court_key",
            ),
            "services.exchange.court_key",
        ),
        **dict.fromkeys(
            ("KIT_FOLDER", "BASE_DB", "DB_NAME", "kit_folder", "open_kit", "is_kit_database"),
            "services.exchange.kit_opening",
        ),
        **dict.fromkeys(
            (
                "MergeReport",
                "import_changes",
                "_apply_change",
                "MAX_PACKAGE_BYTES",
                "MAX_PACKAGE_UNPACKED",
            ),
            "services.exchange.merge",
        ),
        **dict.fromkeys(("kit_manifest",), "services.exchange.package_reader"),
        **dict.fromkeys(
            (
                "ProgressFn",
                "KIT_SCHEMA",
                "CHANGES_SCHEMA",
                "MANIFEST",
                "SIGNATURE",
                "KIT_DB",
                "COURT_KEY",
                "CHANGES",
                "MAX_KIT_BYTES",
                "MAX_JSON_BYTES",
                "MAX_BLOCK",
                "MERGED_TABLES",
                "APPEND_ONLY",
                "NOT_COMPARED",
                "COURT",
                "TRIBUNAL",
            ),
            "services.exchange.records",
        ),
        **dict.fromkeys(
            ("ENCRYPTED_KIT_SCHEMA", "is_encrypted_kit", "KitPassphraseRequired"),
            "services.exchange.sealed_kits",
        ),
    },
    "services.admin.maintenance": {"resolve_url": "services.admin.database_choice"},
    # The settings page (998 lines): one module per tab.
    "gui.settings_page": {
        **dict.fromkeys(("CourtTab", "FontsTab"), "gui.settings_court"),
        "PeopleTab": "gui.settings_people",
        "DataTab": "gui.settings_data",
        **dict.fromkeys(
            ("WEEKDAYS", "HOLIDAY", "WORKDAY", "KIND_LABELS", "HOLIDAY_NAMES", "CalendarTab"),
            "gui.settings_calendar",
        ),
    },
    # The team's places with its people (core), the holiday table's source with the holiday table.
    "services.intake.docket": {
        "HIDDEN_CHARS": "domain.text",
        "LINE_BREAKS": "domain.text",
        "tribunals": "services.core.staff",
        "add_tribunal": "services.core.staff",
    },
    "services.core.staff": {"calendar_source": "services.core.calendar"},
    # Statistics (961 lines): the 诚信履行名单 and the 执破衔接 screening in modules of their own.
    "services.reporting.stats": {
        **dict.fromkeys(
            ("HonestPerformer", "honest_performers", "export_honest_list"),
            "services.reporting.honest_list",
        ),
        **dict.fromkeys(
            (
                "BANKRUPTCY_MIN_CASES",
                "NO_PROPERTY_WORDS",
                "ENTERPRISE_KINDS",
                "EvidenceCase",
                "ReferralCandidate",
                "cast_licence",
                "bankruptcy_screening",
                "export_screening_xlsx",
            ),
            "services.reporting.bankruptcy",
        ),
        **dict.fromkeys(("write_sheet", "_save_workbook"), "services.core.workbooks"),
    },
    "services.reporting.exports": dict.fromkeys(
        (
            "AMOUNT_FORMAT",
            "DATE_FORMAT",
            "is_formula_like",
            "csv_safe",
            "safe_cell_value",
            "save_workbook",
        ),
        "services.core.workbooks",
    ),
    # The demo data (1,270 lines) split: its people and places, the plan, the records written.
    "services.admin.demo": {
        **dict.fromkeys(
            (
                "BEIJING",
                "LEAD",
                "HANDLERS",
                "TRIBUNALS",
                "DEPARTMENTS",
                "JUDGES",
                "words",
                "SURNAMES",
                "MALE_GIVEN",
                "FEMALE_GIVEN",
                "MONGOLIAN_MALE",
                "MONGOLIAN_FEMALE",
                "ID_REGIONS",
                "TOWNS",
                "COMMUNITIES",
                "MOBILE_PREFIXES",
                "BANKS",
                "Company",
                "COMPANIES",
                "HOT_COMPANY",
                "PROPERTY_COMPANIES",
                "LENDERS",
                "credit_code_for",
                "Cause",
                "CAUSES",
                "CAUSE_BY_NAME",
                "HOT_CAUSES",
                "STATUS_WEIGHTS",
                "MONEY_ONLY",
                "WITHDRAW_REASONS",
                "UNSUITABLE_REASONS",
                "TRANSFER_REASON",
                "FAILED_NOTE",
            ),
            "services.admin.demo_people",
        ),
        **dict.fromkeys(
            (
                "PlannedPerson",
                "CasePlan",
                "plan_cases",
                "hundreds",
                "chinese_day",
                "years_after",
                "years_before",
                "plate_number",
            ),
            "services.admin.demo_plan",
        ),
        **dict.fromkeys(
            ("CaseWriter",),
            "services.admin.demo_records",
        ),
    },
    # The Excel import (1,446 lines) split: columns, template, container checks, cells, plan.
    "services.intake.importing": {
        **dict.fromkeys(
            (
                "MAX_FILE_BYTES",
                "MAX_UNCOMPRESSED_BYTES",
                "MAX_MEMBERS",
                "MAX_RATIO",
                "RATIO_FLOOR",
                "MAX_DATA_ROWS",
                "BLANK_TAIL",
                "MAX_COLUMNS",
                "HEADER_ROW",
                "SHEET_NAME",
                "NOTES_SHEET",
                "EXAMPLE_NOTE",
                "ProgressCallback",
                "Kind",
                "Column",
                "COLUMNS",
                "HEADERS",
                "COLUMN_BY_HEADER",
                "COLUMN_BY_KEY",
                "CASE_COLUMNS",
                "PARTY_COLUMNS",
                "_CASE_KEYS",
                "IGNORED_HEADERS",
                "ROLE_WORDS",
                "TRUE_WORDS",
                "FALSE_WORDS",
            ),
            "services.intake.import_columns",
        ),
        **dict.fromkeys(
            (
                "_example_rows",
                "template_rows",
                "write_import_template",
                "NOTES_INTRO",
            ),
            "services.intake.import_template",
        ),
        **dict.fromkeys(
            (
                "_check_prolog",
                "ZIP_MAGIC",
                "OLE_MAGIC",
                "refusal",
                "check_container",
                "require_defusedxml",
            ),
            "services.intake.import_checks",
        ),
        **dict.fromkeys(
            (
                "DATE_HINT",
                "parse_date_cell",
                "parse_amount_cell",
                "cell_text",
                "normalise_original_case_no",
                "normalise_header",
            ),
            "services.intake.import_cells",
        ),
        **dict.fromkeys(
            (
                "ImportProblem",
                "PlanRow",
                "PlannedCase",
                "ImportPlan",
                "ImportedCase",
                "ImportReport",
                "Directory",
                "SheetScan",
                "read_workbook",
                "locate_problem",
            ),
            "services.intake.import_plan",
        ),
    },
    # The transfer package (1,437 lines) split: zip and folder handling in store/archives.py,
    # the case's records, the printed sheets and the verification beside the building.
    "services.closing.transfer_package": {
        **dict.fromkeys(
            (
                "MAX_MEMBERS",
                "MAX_TOTAL_BYTES",
                "MAX_RATIO",
                "CHUNK",
                "safe_name",
                "member_name_problem",
                "glob_escape",
                "check_destination",
                "PackageRefused",
                "ZipReader",
                "ZipSink",
                "hash_member",
            ),
            "store.archives",
        ),
        **dict.fromkeys(
            (
                "SCHEMA",
                "MANIFEST",
                "MAX_MANIFEST_BYTES",
                "INDEX_NAME",
                "LETTER_NAME",
                "SUMMARY_NAME",
                "RECORD_NAME",
                "DOCUMENTS_DIR",
                "PAYMENTS_NAME",
                "PROPERTY_NAME",
                "ATTACHMENTS_DIR",
                "PROPERTY_WORDS",
                "PackedFile",
                "manifest_case",
            ),
            "services.closing.transfer_data",
        ),
        **dict.fromkeys(
            (
                "summary_sheet",
                "record_sheet",
                "payments_sheet",
                "property_sheet",
                "index_sheet",
                "pdf_pages",
            ),
            "services.closing.transfer_sheets",
        ),
        **dict.fromkeys(
            ("Finding", "VerifyReport", "LABELS", "verify_package"),
            "services.closing.transfer_verify",
        ),
    },
    # The command line: one module per command group, what they share in cli/common.py.
    "cli.auth": {
        **dict.fromkeys(
            (
                "ENV_TOKEN",
                "ENV_USER",
                "ENV_PASSWORD",
                "ENV_NEW_PASSWORD",
                "LOGIN_HINT",
                "add_login_options",
                "acting_user",
            ),
            "cli.login",
        ),
        **dict.fromkeys(
            ("add_restore_arguments", "cmd_restore", "damaged_hint", "cmd_check"),
            "cli.maintenance",
        ),
        **dict.fromkeys(
            ("add_token_arguments", "cmd_token", "add_passwd_arguments", "cmd_passwd"),
            "cli.users",
        ),
    },
    "cli.main": {
        **dict.fromkeys(
            (
                "PROG",
                "INIT_HINT",
                "PASSPHRASE_ENV",
                "NEW_PASSPHRASE_ENV",
                "PASSPHRASE_TRIES",
                "print_table",
                "parse_date",
                "unlock_url",
            ),
            "cli.common",
        ),
        **dict.fromkeys(("cmd_gui", "cmd_init", "cmd_demo"), "cli.setup"),
        **dict.fromkeys(("cmd_cases", "cmd_show"), "cli.cases"),
        **dict.fromkeys(("cmd_deadline",), "cli.due"),
        **dict.fromkeys(("cmd_backup", "cmd_encrypt", "cmd_decrypt"), "cli.maintenance"),
    },
}
"""old module (as in MODULES' values, without the package) -> {name: module it moved to}."""

PACKAGES: dict[str, str] = {
    "services.core": "Who acts and what the court has set: users, logins, audit, settings, holidays.",
    "services.intake": "Taking cases in: the docket, case numbers, hand-over lists from Excel.",
    "services.supervision": "Working a case: contact logs, notices and their service, the due-list.",
    "services.closing": "Ending a case: payments, settlements, closing, transfer, dossiers, batches.",
    "services.reporting": "Figures and lists: statistics, weekly and monthly reports, exports.",
    "services.exchange": "Offline tribunal kits: export, change packages, merging, conflicts.",
    "services.admin": "Keeping the installation: backups, restore, checks, encryption, demo data.",
    "cli": "The `zhiqian` command line: one module per command group, shared helpers in common.",
}

DEFAULT_PATHS = (
    "zhiqian_desktop",
    "tests",
    "bench",
    "db",
    "docs",
    "README.md",
    "build.spec",
    "pyproject.toml",
)
TEXT_SUFFIXES = {".py", ".md", ".spec", ".toml", ".cfg", ".ini", ".txt"}

# A command-line entry point stays valid for `python -m zhiqian_desktop.cli` (cli/__main__.py):
# the old `cli` module becomes `cli.main` only where something is imported *from* it.
ENTRY_MODULE = "cli"


def _full(name: str) -> str:
    return f"{PKG}.{name}"


def _path_of(name: str) -> str:
    return name.replace(".", "/") + ".py"


# --- rewriting ------------------------------------------------------------------------------------


def _dotted_pattern(old: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w.]){re.escape(_full(old))}(?![\w])")


def _short_pattern(old: str) -> re.Pattern[str]:
    # "services.sync" in prose and comments, not preceded by a name or a dot.
    return re.compile(rf"(?<![\w./]){re.escape(old)}(?![\w])")


def _path_pattern(old: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w]){re.escape(_path_of(old))}(?![\w])")


def _module_of_package(package: str, name: str) -> tuple[str, str] | None:
    """`from package import name` where name is a moved module: (new package, new name)."""
    old = f"{package}.{name}" if package else name
    new = MODULES.get(old)
    if new is None:
        return None
    parent, _, leaf = new.rpartition(".")
    return parent, leaf


def _rewrite_from_imports(source: str) -> str:
    """`from zhiqian_desktop.services import sync` and `from old.module import moved_name`."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    lines = source.splitlines(keepends=True)
    edits: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
            continue
        if not (node.module == PKG or node.module.startswith(PKG + ".")):
            continue
        package = node.module[len(PKG) + 1 :]
        groups: dict[str, list[str]] = {}
        whole: list[str] = []
        changed = False
        for alias in node.names:
            target = node.module
            text = alias.name if alias.asname is None else f"{alias.name} as {alias.asname}"
            moved_module = _module_of_package(package, alias.name)
            if package == "" and alias.name == ENTRY_MODULE:
                # `from zhiqian_desktop import cli` meant the old module, now cli.main.
                whole.append(f"import {_full(MODULES[ENTRY_MODULE])} as {alias.asname or 'cli'}")
                changed = True
                continue
            elif moved_module is not None:
                parent, leaf = moved_module
                target = _full(parent)
                local = alias.asname or alias.name
                text = leaf if leaf == local else f"{leaf} as {local}"
                changed = True
            else:
                current = MODULES.get(package, package)
                if package == ENTRY_MODULE:
                    # The old cli module's names (main, build_parser, …) are now in cli.main;
                    # `from zhiqian_desktop.cli import auth` already names a new submodule.
                    old_style = alias.name == "main" or alias.name not in _submodules(package)
                    current = MODULES[ENTRY_MODULE] if old_style else package
                moved_to = NAMES.get(current, {}).get(alias.name)
                if moved_to is not None:
                    target = _full(moved_to)
                    changed = True
                elif current != package:
                    target = _full(current)
                    changed = True
            groups.setdefault(target, []).append(text)
        if not changed:
            continue
        indent = re.match(r"\s*", lines[node.lineno - 1]).group(0)  # type: ignore[union-attr]
        statements = [*whole] + [
            f"from {module} import {', '.join(names)}" for module, names in groups.items()
        ]
        # A comment after the statement (a lint exception, a reason) stays with its first line.
        last = lines[(node.end_lineno or node.lineno) - 1]
        comment = last[node.end_col_offset :].rstrip("\n") if node.end_col_offset else ""
        statements[0] += comment
        new = "".join(f"{indent}{line}\n" for line in statements)
        edits.append((node.lineno - 1, node.end_lineno or node.lineno, new))
    for start, end, new in sorted(edits, reverse=True):
        lines[start:end] = [new]
    return "".join(lines)


def _submodules(package: str) -> set[str]:
    """The modules of a package in the new layout (moved there, split out there, or present)."""
    prefix = package + "."
    targets = [*MODULES.values(), *(t for moved in NAMES.values() for t in moved.values())]
    folder = ROOT / PKG / package.replace(".", "/")
    present = {p.stem for p in folder.glob("*.py")} if folder.is_dir() else set()
    return present | {t[len(prefix) :].split(".")[0] for t in targets if t.startswith(prefix)}


def _module_bindings(tree: ast.Module) -> dict[str, tuple[str, int, str]]:
    """Local names bound to a split module: name -> (module, line after the import, indent)."""
    found: dict[str, tuple[str, int, str]] = {}
    for node in ast.walk(tree):
        pairs: list[tuple[str, str]] = []
        if isinstance(node, ast.ImportFrom) and not node.level and node.module:
            if node.module == PKG or node.module.startswith(PKG + "."):
                package = node.module[len(PKG) + 1 :]
                pairs = [
                    (f"{package}.{a.name}" if package else a.name, a.asname or a.name)
                    for a in node.names
                ]
        elif isinstance(node, ast.Import):
            pairs = [
                (a.name[len(PKG) + 1 :], a.asname)
                for a in node.names
                if a.asname and a.name.startswith(PKG + ".")
            ]
        for module, local in pairs:
            if module in NAMES:
                found[local] = (module, node.end_lineno or node.lineno, " " * node.col_offset)
    return found


def _rewrite_module_attributes(source: str) -> str:
    """`sync.export_changes` where `sync` is a split module: the name's new module instead."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    bindings = _module_bindings(tree)
    if not bindings:
        return source
    taken = {
        getattr(node, "name", None) or getattr(node, "id", None) or getattr(node, "arg", None)
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Name, ast.arg))
    }
    inserts: dict[int, list[str]] = {}
    for local, (module, after, indent) in bindings.items():

        def replace(
            match: re.Match[str], moved: dict[str, str] = NAMES[module], at: int = after,
            indent: str = indent,
        ) -> str:  # fmt: skip
            target = moved.get(match.group(1))
            if target is None:
                return match.group(0)
            parent, _, leaf = target.rpartition(".")
            # A module name the file already uses for something else gets a distinct name.
            name = f"{leaf}_module" if leaf in taken else leaf
            alias = leaf if name == leaf else f"{leaf} as {name}"
            line = f"{indent}from {_full(parent)} import {alias}\n"
            if line not in inserts.setdefault(at, []):
                inserts[at].append(line)
            return f"{name}.{match.group(1)}"

        source = re.sub(rf"(?<![\w.]){re.escape(local)}\.(\w+)", replace, source)
    lines = source.splitlines(keepends=True)
    for after in sorted(inserts, reverse=True):
        lines[after:after] = inserts[after]
    return "".join(lines)


_FROM_IMPORT_LINE = re.compile(
    rf"^(?P<indent>[ \t]*)(?P<statement>from {PKG}(?:\.\w+)* import [\w, ]+?)[ \t]*$", re.M
)


def _rewrite_import_lines_in_strings(text: str) -> str:
    """`from zhiqian_desktop.services import sync` or `from zhiqian_desktop.store.database import
    sqlite_url` written inside a string (a script a test runs in a subprocess), where the syntax
    tree sees no import: each such line is rewritten as the import statement it is."""

    def replace(m: re.Match[str]) -> str:
        rewritten = _rewrite_from_imports(m["statement"] + "\n").rstrip("\n")
        return "\n".join(m["indent"] + line for line in rewritten.split("\n"))

    return _FROM_IMPORT_LINE.sub(replace, text)


def rewrite_text(text: str, *, python: bool) -> str:
    if python:
        text = _rewrite_module_attributes(text)
        text = _rewrite_from_imports(text)
        text = _rewrite_import_lines_in_strings(text)
    for old in sorted(MODULES, key=len, reverse=True):
        new = MODULES[old]
        if old == ENTRY_MODULE:
            # zhiqian_desktop.cli:main (the console script) and "zhiqian_desktop.cli.main"
            text = text.replace(f"{_full(old)}:main", f"{_full(new)}:main")
            text = _path_pattern(old).sub(_path_of(new), text)
            continue
        text = _dotted_pattern(old).sub(_full(new), text)
        text = _path_pattern(old).sub(_path_of(new), text)
        if "." in old:
            text = _short_pattern(old).sub(new, text)
    return text


def _files(paths: list[str]) -> list[Path]:
    """The text files under these paths (this script itself left alone: its tables name the old
    places on purpose)."""
    found: list[Path] = []
    for name in paths:
        path = (ROOT / name) if not Path(name).is_absolute() else Path(name)
        if path.is_dir():
            found += [
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix in TEXT_SUFFIXES and "__pycache__" not in p.parts
            ]
        elif path.is_file():
            found.append(path)
    return [p for p in found if p.resolve() != Path(__file__).resolve()]


def rewrite(paths: list[str]) -> int:
    changed = 0
    for path in _files(paths):
        text = path.read_text(encoding="utf-8")
        new = rewrite_text(text, python=path.suffix == ".py")
        if path.name == "pyproject.toml":
            new = _packages_list(new)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed += 1
    return changed


def _packages_list(pyproject: str) -> str:
    """The `packages = [...]` list of pyproject.toml: every package folder of zhiqian_desktop."""
    pkg_dir = ROOT / PKG
    ours = sorted(
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in pkg_dir.rglob("__init__.py")
        if "__pycache__" not in p.parts
    )
    mapped = [
        "zhiqian_desktop.ui",
        "zhiqian_desktop.resources",
        "zhiqian_desktop.db",
        "zhiqian_desktop.db.versions",
    ]
    body = "".join(f'    "{name}",\n' for name in ours + mapped)
    return re.sub(r"(?ms)^packages = \[\n.*?^\]", f"packages = [\n{body}]", pyproject, count=1)


# --- moving ---------------------------------------------------------------------------------------


def _git(*args: str) -> None:
    subprocess.run(["git", *args], cwd=ROOT, check=True)


def move() -> None:
    for package, doc in PACKAGES.items():
        init = ROOT / PKG / package.replace(".", "/") / "__init__.py"
        if not init.exists():
            init.parent.mkdir(parents=True, exist_ok=True)
            init.write_text(f'"""{doc}"""\n', encoding="utf-8")
            _git("add", str(init.relative_to(ROOT)))
    for old, new in MODULES.items():
        source = ROOT / PKG / _path_of(old)
        target = ROOT / PKG / _path_of(new)
        if source.exists() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            _git("mv", str(source.relative_to(ROOT)), str(target.relative_to(ROOT)))
    main = ROOT / PKG / "cli" / "__main__.py"
    if not main.exists():
        main.write_text(
            '"""`python -m zhiqian_desktop.cli`: the same as the `zhiqian` command."""\n\n'
            "import sys\n\n"
            "from zhiqian_desktop.cli.main import main\n\n"
            "sys.exit(main())\n",
            encoding="utf-8",
        )
        _git("add", str(main.relative_to(ROOT)))
    rewrite(list(DEFAULT_PATHS))


# --- checking -------------------------------------------------------------------------------------


def check(paths: list[str]) -> int:
    """References to a module that no longer exists, or to a name that left its module."""
    problems = 0
    olds = [old for old in MODULES if old != ENTRY_MODULE]
    for path in _files(paths):
        text = path.read_text(encoding="utf-8")
        for old in olds:
            for match in _dotted_pattern(old).finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                print(f"{path.relative_to(ROOT)}:{line}: {match.group(0)} moved to {MODULES[old]}")
                problems += 1
        if path.suffix != ".py":
            continue
        try:
            bindings = _module_bindings(ast.parse(text))
        except SyntaxError:
            continue
        for local, (module, _after, _indent) in bindings.items():
            for name, target in NAMES[module].items():
                # monkeypatch.setattr(sync, "NAME", …) names the old module as a string.
                pattern = rf"(?<![\w.]){local}\.{name}\b|setattr\(\s*{local},\s*[\"']{name}[\"']"
                for match in re.finditer(pattern, text):
                    line = text.count("\n", 0, match.start()) + 1
                    print(f"{path.relative_to(ROOT)}:{line}: {local}.{name} is now in {target}")
                    problems += 1
    return problems


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"move", "rewrite", "check"}:
        print(__doc__)
        return 2
    paths = argv[1:] or list(DEFAULT_PATHS)
    if argv[0] == "move":
        move()
        return 0
    if argv[0] == "rewrite":
        print(f"{rewrite(paths)} files rewritten")
        return 0
    return 1 if check(paths) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
