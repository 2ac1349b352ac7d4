"""Hostile input to every command and every file the app reads, as a table.

Each row is one command line run against a court database (with a kit, a change package and a
transfer package of its own, tests/hostile_files.py). Each must end with its exit code (1 for bad
input, 2 for a usage error), one line on stderr naming the problem in Chinese, no traceback, the
database unchanged (the SHA-256 of its SQL dump) and no file written, replaced or removed in the
folders the command could reach (the outputs' folder, the inputs' folder, the database's folder).

Placeholders: {db} the database, {wal} its -wal file, {files} its files folder (audit.key,
court.key), {backups} its backups folder, {data} the user data directory, {work} the folder for
outputs, {in} the folder of hostile inputs; {open}, {failed}, {closed} case numbers.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.hostile_files import Court, dump_hash, make_court
from zhiqian_desktop.cli.main import main
from zhiqian_desktop.store import cipher

pytestmark = pytest.mark.skipif(
    not hasattr(os, "mkfifo"), reason="the corpus makes pipes and symbolic links (POSIX)"
)

CHINESE = re.compile(r"[\u4e00-\u9fff]")
BAD = "\udcff\udcfe"
"""What bytes that are not UTF-8 in argv become in Python (surrogateescape)."""


@dataclass(frozen=True)
class Row:
    id: str
    line: str
    says: str = ""
    code: int = 1
    lines: int = 1
    env: dict[str, str] = field(default_factory=dict)


R = Row
U = 2  # a usage error

CORPUS: list[Row] = [
    # --- values: empty, unreadable, out of range ------------------------------------------------
    R("cases-empty-search", "cases --search ''", "--search 的值是空的"),
    R("cases-empty-status", "cases --status ''", "--status 的值是空的"),
    R("cases-empty-handler", "cases --handler ' '", "--handler 的值是空的"),
    R("cases-blank-limit", "cases --limit ''", code=U),
    R("cases-huge-limit", "cases --limit 1000000000000000000000000000000", "--limit"),
    R("cases-negative-limit", "cases --limit -1", "0至1000000"),
    R("cases-limit-words", "cases --limit 很多", code=U),
    R("cases-non-utf8-search", f"cases --search {BAD}", "不是 UTF-8"),
    R("cases-non-utf8-status", f"cases --status {BAD}", "不是 UTF-8"),
    R("cases-non-utf8-handler", f"cases --handler 王{BAD}", "不是 UTF-8"),
    R("cases-bad-status", "cases --status 不存在的状态", "无法识别"),
    R("cases-unknown-handler", "cases --handler nobody", "没有承办人"),
    R("cases-unknown-option", "cases --frobnicate", code=U),
    R("show-empty", "show ''", "CASE_NO 的值是空的"),
    R("show-unknown", "show （2026）内0221执前督99999号", "没有"),
    R("show-sql", 'show "\'; DROP TABLE supervision_case;--"', "格式不正确"),
    R("show-rtl", "show \u202e号1督前执1220内）6202（", "格式不正确"),
    R("show-overlong", "show " + "1" * 10_000, "格式不正确"),
    R("show-non-utf8", f"show （2026）内0221执前督1{BAD}号", "不是 UTF-8"),
    R("show-nul", "show （2026）内0221执前督1\x00号", "格式不正确"),
    R("show-no-case", "show", code=U),
    R("due-empty-date", "due --date ''", "--date 的值是空的"),
    R("due-blank-date", "due --date '   '", "--date 的值是空的"),
    R("due-feb-30", "due --date 2026-02-30", "不是有效日期"),
    R("due-words", "due --date 明天", "不是有效日期"),
    R("due-non-utf8", f"due --date 2026-01-0{BAD}", "不是 UTF-8"),
    R("stats-empty-from", "stats --from ''", "--from 的值是空的"),
    R("stats-empty-to", "stats --to ''", "--to 的值是空的"),
    R("stats-bad-from", "stats --from 2026-13-01", "不是有效日期"),
    R("stats-bad-to", "stats --to 昨天", "不是有效日期"),
    R("stats-reversed", "stats --from 2026-12-01 --to 2026-01-01"),
    R("stats-non-utf8", f"stats --from {BAD}", "不是 UTF-8"),
    R("stats-bad-group", "stats --by weekday", code=U),
    R("deadline-empty-start", "deadline '' --days 15", "START 的值是空的"),
    R("deadline-feb-30", "deadline 2026-02-30 --days 15", "不是有效日期"),
    R("deadline-month-13", "deadline 2026-13-01 --days 15", "不是有效日期"),
    R("deadline-year-0", "deadline 0000-01-01 --days 15"),
    R("deadline-words", "deadline 昨天 --days 15", "格式不正确"),
    R("deadline-negative-days", "deadline 2026-01-01 --days -3"),
    R("deadline-zero-days", "deadline 2026-01-01 --days 0", "期间天数"),
    R("deadline-huge-days", "deadline 2026-01-01 --days 99999999"),
    R("deadline-overflow-days", "deadline 2026-01-01 --days 99999999999999999999", "--days"),
    R("deadline-nul", "deadline 2026-01-0\x001 --days 3"),
    R("deadline-non-utf8", f"deadline 2026-01-01{BAD} --days 3", "不是 UTF-8"),
    R("deadline-no-days", "deadline 2026-01-01", code=U),
    R("deadline-days-words", "deadline 2026-01-01 --days 十五", code=U),
    R("init-again", "init --court-name 某法院 --court-code 内0221"),
    R("init-bad-code", "init --court-name 某法院 --court-code X0221", "法院代字"),
    R("init-sql-code", 'init --court-name 某法院 --court-code "\'; DROP TABLE x;--"', "法院代字"),
    R("init-bad-word", "init --court-name 某法院 --court-code 内0221 --case-word 执", "类型代字"),
    R("init-empty-name", "init --court-name '' --court-code 内0221", "--court-name 的值是空的"),
    R("init-non-utf8-name", f"init --court-name 法院{BAD} --court-code 内0221", "不是 UTF-8"),
    R("demo-zero", "demo --cases 0", "1至200000"),
    R("demo-huge", "demo --cases 99999999999", "--cases"),
    R("demo-huge-seed", "demo --seed 999999999999999999999999", "--seed"),
    R("token-no-user", "token", "--user"),
    R("token-zero-days", "token --user admin --days 0", "1至366"),
    R("token-too-many-days", "token --user admin --days 367", "1至366"),
    R("token-huge-days", "token --user admin --days 10000000000000", "--days"),
    R(
        "passwd-unknown-user",
        "passwd --reset nobody",
        env={"ZHIQIAN_NEW_PASSWORD": "Xin-mima-2026"},
    ),
    R("passwd-no-new-password", "passwd", "新密码"),
    R("login-unknown-user", "demo --cases 1 --user nobody --password x", "用户名或密码不正确"),
    R("login-forged-token", "demo --cases 1", "令牌无效", env={"ZHIQIAN_TOKEN": "e30.AAAA"}),
    R("login-deep-token", "demo --cases 1", "令牌无效", env={"ZHIQIAN_TOKEN": "W1tbW1tbW1s.AAAA"}),
    R("login-non-ascii-token", "demo --cases 1", "令牌无效", env={"ZHIQIAN_TOKEN": f"令{BAD}.x"}),
    R("login-empty-user", "demo --cases 1 --user ''", "--user 的值是空的"),
    R("login-non-utf8-user", f"demo --cases 1 --user ad{BAD}min", "不是 UTF-8"),
    R("db-and-url", "cases --database-url sqlite:///x.db"),
    R("db-empty", "cases --db ''", "--db 的值是空的"),
    R("db-missing", "cases --db {work}/nothing-here.db", "不存在"),
    R("db-text", "cases --db {in}/backup-text.db", "不是本系统的数据库"),
    R("db-foreign", "cases --db {in}/backup-foreign.db", "不是执前督促系统的数据库"),
    R("db-damaged", "cases --db {in}/backup-damaged.db", "损坏"),
    R("db-folder", "cases --db {in}/a-folder", "不是数据库文件"),
    R("db-device", "cases --db {in}/fifo", "不是数据库文件"),
    R(
        "db-folder-init",
        "init --court-name 某法院 --court-code 内0221 --db {in}/a-folder",
        "文件夹",
    ),
    R("db-non-utf8", f"cases --db {{work}}/{BAD}.db"),
    R("url-junk", "cases --database-url 'not a url'", "无法识别"),
    R("url-unknown-driver", "cases --database-url 'oracle://x/y'", "不支持"),
    R("url-empty", "cases --database-url ''", "--database-url 的值是空的"),
    # --- notice -o -------------------------------------------------------------------------------
    R("notice-bad-kind", "notice {open} --kind nonsense", "无法识别"),
    R("notice-unknown-case", "notice （2026）内0221执前督99999号 --kind urging", "没有"),
    R("notice-closed-case", "notice {closed} --kind urging"),
    R("notice-missing-folder", "notice {open} --kind urging -o {work}/no/such/x.pdf", "不存在"),
    R("notice-onto-db", "notice {open} --kind urging -o {db}", "应以 .pdf 结尾"),
    R("notice-onto-wal", "notice {open} --kind urging -o {wal}"),
    R("notice-onto-device", "notice {open} --kind urging -o {in}/fifo", "应以 .pdf 结尾"),
    R("notice-onto-pipe", "notice {open} --kind urging -o {in}/fifo.pdf --force", "不是普通文件"),
    R("notice-existing", "notice {open} --kind urging -o {in}/existing.pdf", "已存在"),
    R("notice-existing-hint", "notice {open} --kind urging -o {in}/existing.pdf", "--force"),
    R("notice-folder", "notice {open} --kind urging -o {in}/a-folder.pdf", "文件夹"),
    R("notice-link-to-db", "notice {open} --kind urging -o {in}/link-to-db.pdf --force", "数据库"),
    R("notice-into-files", "notice {open} --kind urging -o {files}/x.pdf", "附件和密钥文件夹"),
    R("notice-into-backups", "notice {open} --kind urging -o {backups}/x.pdf", "备份文件夹"),
    R("notice-into-data", "notice {open} --kind urging -o {data}/x.pdf", "数据目录"),
    R("notice-not-pdf", "notice {open} --kind urging -o {work}/x.docx", ".pdf"),
    R("notice-empty-output", "notice {open} --kind urging -o ''", "-o"),
    R("notice-empty-kind", "notice {open} --kind ''", "--kind 的值是空的"),
    R("notice-empty-date", "notice {open} --kind urging --date ''", "--date 的值是空的"),
    R("notice-bad-date", "notice {open} --kind urging --date 2026-02-30 -o {work}/n.pdf", "日期"),
    R("notice-non-utf8-kind", f"notice {{open}} --kind urging{BAD}", "不是 UTF-8"),
    R("notice-receipt-alone", "notice {open} --kind service_receipt -o {work}/r.pdf"),
    R(
        "notice-receipt-unknown",
        "notice {open} --kind service_receipt --serves 无此文书 -o {work}/r.pdf",
    ),
    R("notice-to-without-receipt", "notice {open} --kind urging --to 某人 -o {work}/n.pdf", "--to"),
    # --- serve -------------------------------------------------------------------------------------
    R("serve-unknown-doc", "serve 无此文书 --date 2026-11-25 --server 张三"),
    R("serve-empty-doc", "serve '' --date 2026-11-25 --server 张三"),
    R("serve-empty-date", "serve 无此文书 --date '' --server 张三", "--date"),
    R("serve-bad-date", "serve 无此文书 --date 2026-02-30 --server 张三", "日期"),
    R("serve-empty-server", "serve 无此文书 --date 2026-11-25 --server ''", "--server"),
    R(
        "serve-bad-method",
        "serve 无此文书 --date 2026-11-25 --server 张三 --method 飞鸽",
        "送达方式",
    ),
    R("serve-non-utf8", f"serve {BAD} --date 2026-11-25 --server 张三", "不是 UTF-8"),
    R("serve-no-server", "serve 无此文书 --date 2026-11-25", code=U),
    # --- print-batch -o --------------------------------------------------------------------------
    R("batch-bad-kind", "print-batch --kind nonsense --cases {open} -o {work}/b.pdf", "无法识别"),
    R(
        "batch-unknown-case",
        "print-batch --kind urging --cases （2026）内0221执前督99999号 -o {work}/b.pdf",
    ),
    R("batch-existing", "print-batch --kind urging --cases {open} -o {in}/existing.pdf", "已存在"),
    R("batch-onto-db", "print-batch --kind urging --cases {open} -o {in}/link-to-db.pdf --force"),
    R(
        "batch-missing-folder",
        "print-batch --kind urging --cases {open} -o {work}/no/b.pdf",
        "不存在",
    ),
    R("batch-folder", "print-batch --kind urging --cases {open} -o {in}/a-folder.pdf", "文件夹"),
    R(
        "batch-pipe",
        "print-batch --kind urging --cases {open} -o {in}/fifo.pdf --force",
        "普通文件",
    ),
    R("batch-into-files", "print-batch --kind urging --cases {open} -o {files}/b.pdf"),
    R("batch-not-pdf", "print-batch --kind urging --cases {open} -o {work}/b.txt", ".pdf"),
    R("batch-receipt-kind", "print-batch --kind service_receipt --cases {open} -o {work}/b.pdf"),
    R(
        "batch-handler-alone",
        "print-batch --kind urging --cases {open} --handler admin -o {work}/b.pdf",
    ),
    R("batch-bad-due-date", "print-batch --kind urging --due-date 2026-02-30 -o {work}/b.pdf"),
    R(
        "batch-empty-due-date",
        "print-batch --kind urging --due-date '' -o {work}/b.pdf",
        "--due-date",
    ),
    R("batch-empty-case", "print-batch --kind urging --cases '' -o {work}/b.pdf", "--cases"),
    R("batch-closed-case", "print-batch --kind urging --cases {closed} -o {work}/b.pdf"),
    R("batch-no-output", "print-batch --kind urging --cases {open}", code=U),
    R(
        "batch-both-sources",
        "print-batch --kind urging --cases {open} --due-date 2026-11-25 -o {work}/b.pdf",
        code=U,
    ),
    # --- dossier -o ------------------------------------------------------------------------------
    R("dossier-open-case", "dossier {open} -o {work}/d.pdf", "尚未结案"),
    R("dossier-unknown-case", "dossier （2026）内0221执前督99999号 -o {work}/d.pdf"),
    R("dossier-existing", "dossier {closed} -o {in}/existing.pdf", "已存在"),
    R("dossier-onto-db", "dossier {closed} -o {in}/link-to-db.pdf --force", "数据库"),
    R("dossier-folder", "dossier {closed} -o {in}/a-folder.pdf", "文件夹"),
    R("dossier-missing-folder", "dossier {closed} -o {work}/no/d.pdf", "不存在"),
    R("dossier-device", "dossier {closed} -o {in}/fifo", ".pdf"),
    R("dossier-pipe", "dossier {closed} -o {in}/fifo.pdf --force", "不是普通文件"),
    R("dossier-into-files", "dossier {closed} -o {files}/d.pdf", "附件和密钥文件夹"),
    R("dossier-into-data", "dossier {closed} -o {data}/d.pdf", "数据目录"),
    R("dossier-not-pdf", "dossier {closed} -o {work}/d.doc", ".pdf"),
    # --- transfer -o ------------------------------------------------------------------------------
    R("transfer-open-case", "transfer {closed} -o {work}/t.zip"),
    R("transfer-unknown-case", "transfer （2026）内0221执前督99999号 -o {work}/t.zip"),
    R("transfer-existing", "transfer {failed} -o {in}/existing.zip", "已存在"),
    R("transfer-onto-db", "transfer {failed} -o {in}/link-to-db.zip --force", "数据库"),
    R("transfer-folder-as-zip", "transfer {failed} -o {in}/a-folder.zip", "文件夹"),
    R("transfer-existing-folder", "transfer {failed} -o {in}/full-folder", "已存在"),
    R("transfer-existing-folder-forced", "transfer {failed} -o {in}/a-folder --force", "已存在"),
    R("transfer-missing-folder", "transfer {failed} -o {work}/no/t.zip", "不存在"),
    R("transfer-into-files", "transfer {failed} -o {files}/t.zip", "附件和密钥文件夹"),
    R("transfer-into-backups", "transfer {failed} -o {backups}/t.zip", "备份文件夹"),
    R("transfer-into-data", "transfer {failed} -o {data}/t.zip", "数据目录"),
    R("transfer-device", "transfer {failed} -o {in}/fifo"),
    R("transfer-pipe", "transfer {failed} -o {in}/fifo.zip --force", "不是普通文件"),
    R("transfer-onto-wal", "transfer {failed} -o {wal}"),
    R("transfer-empty-reason", "transfer {failed} -o {work}/t.zip --reason ''", "--reason"),
    R("transfer-empty-date", "transfer {failed} -o {work}/t.zip --date ''", "--date"),
    R("transfer-bad-date", "transfer {failed} -o {work}/t.zip --date 2026-02-30", "日期"),
    # --- backup -o and restore ------------------------------------------------------------------------
    R("backup-onto-db", "backup -o {db}", "数据库"),
    R("backup-onto-db-forced", "backup -o {db} --force", "数据库"),
    R("backup-onto-wal", "backup -o {wal} --force", "数据库"),
    R("backup-onto-link", "backup -o {in}/link-to-db.db --force", "数据库"),
    R("backup-onto-hardlink", "backup -o {in}/hardlink-to-db.db --force", "数据库"),
    R("backup-onto-device", "backup -o {in}/fifo --force", "不是普通文件"),
    R("backup-onto-existing", "backup -o {in}/existing.db", "已存在"),
    R("backup-into-files", "backup -o {files}/b.db", "附件和密钥文件夹"),
    R("backup-onto-audit-key", "backup -o {files}/audit.key --force", "附件和密钥文件夹"),
    R("backup-onto-court-key", "backup -o {files}/court.key --force", "附件和密钥文件夹"),
    R("backup-into-data", "backup -o {data}/b.db", "数据目录"),
    R("backup-into-files-folder", "backup -o {files}/", "附件和密钥文件夹"),
    R("backup-empty-output", "backup -o ''", "-o"),
    R("restore-text", "restore {in}/backup-text.db"),
    R("restore-empty", "restore {in}/backup-empty.db"),
    R("restore-header-only", "restore {in}/backup-header-only.db"),
    R("restore-foreign", "restore {in}/backup-foreign.db", "不是本系统数据库的备份"),
    R("restore-damaged", "restore {in}/backup-damaged.db"),
    R("restore-random", "restore {in}/backup-random.db"),
    R("restore-zip", "restore {in}/backup-zip.db"),
    R("restore-missing", "restore {work}/nothing.db", "不存在"),
    R("restore-folder", "restore {in}/a-folder", "不存在"),
    R("restore-device", "restore {in}/fifo"),
    R("restore-itself", "restore {db}", "数据库自身"),
    R("restore-itself-linked", "restore {in}/link-to-db.db", "数据库自身"),
    R("restore-nothing", "restore", "请指定备份文件"),
    R("restore-empty-name", "restore ''", "FILE 的值是空的"),
    # --- import-template -o and import-cases ------------------------------------------------------------
    R("template-existing", "import-template -o {in}/existing.xlsx", "已存在"),
    R("template-onto-link", "import-template -o {in}/link-to-db.xlsx --force", "数据库"),
    R("template-folder", "import-template -o {in}/a-folder.xlsx", "文件夹"),
    R("template-missing-folder", "import-template -o {work}/no/t.xlsx", "不存在"),
    R("template-into-files", "import-template -o {files}/t.xlsx", "附件和密钥文件夹"),
    R("template-into-data", "import-template -o {data}/t.xlsx", "数据目录"),
    R("template-device", "import-template -o {in}/fifo", ".xlsx"),
    R("template-pipe", "import-template -o {in}/fifo.xlsx --force", "不是普通文件"),
    R("template-not-xlsx", "import-template -o {work}/t.csv", ".xlsx"),
    R("template-empty", "import-template -o ''", "-o"),
    R("import-text", "import-cases {in}/text.xlsx"),
    R("import-empty", "import-cases {in}/empty.xlsx"),
    R("import-nul", "import-cases {in}/nul.xlsx"),
    R("import-no-workbook", "import-cases {in}/no-workbook.xlsx"),
    R("import-slip", "import-cases {in}/slip.xlsx"),
    R("import-absolute", "import-cases {in}/absolute.xlsx"),
    R("import-xml-bomb", "import-cases {in}/xml-bomb.xlsx"),
    R("import-encrypted", "import-cases {in}/ole-encrypted.xlsx"),
    R("import-truncated", "import-cases {in}/truncated.xlsx"),
    R("import-csv", "import-cases {in}/csv.xlsx"),
    R("import-pdf", "import-cases {in}/pdf.xlsx"),
    R("import-foreign-headers", "import-cases {in}/foreign-headers.xlsx", "找不到工作表"),
    R("import-headers-only", "import-cases {in}/headers-only.xlsx"),
    R("import-not-a-case-no", "import-cases {in}/not-a-case-no.xlsx", "不是案号", lines=2),
    R("import-sql-case-no", "import-cases {in}/sql-case-no.xlsx", "（年份）", lines=2),
    R("import-future", "import-cases {in}/future-received.xlsx", lines=2),
    R("import-negative", "import-cases {in}/negative-amount.xlsx", lines=2),
    R("import-missing", "import-cases {work}/nothing.xlsx", "找不到文件"),
    R("import-folder", "import-cases {in}/a-folder.xlsx"),
    R("import-device", "import-cases {in}/fifo"),
    R("import-the-database", "import-cases {db}"),
    R("import-empty-name", "import-cases ''", "FILE.xlsx 的值是空的"),
    # --- offline kits: export-kit -o, open-kit, export-changes -o, import-changes ----------------
    R("kit-unknown-tribunal", "export-kit --tribunal 无此法庭 -o {work}/k.zip", "没有名为"),
    R("kit-unknown-handler", "export-kit --handler nobody -o {work}/k.zip", "没有用户名"),
    R("kit-existing", "export-kit --tribunal 沙尔沁法庭 -o {in}/existing.zip", "已存在"),
    R("kit-onto-db", "export-kit --tribunal 沙尔沁法庭 -o {in}/link-to-db.zip --force", "数据库"),
    R("kit-folder", "export-kit --tribunal 沙尔沁法庭 -o {in}/a-folder.zip", "文件夹"),
    R("kit-pipe", "export-kit --tribunal 沙尔沁法庭 -o {in}/fifo.zip --force", "不是普通文件"),
    R("kit-into-files", "export-kit --tribunal 沙尔沁法庭 -o {files}/k.zip", "附件和密钥文件夹"),
    R("kit-into-data", "export-kit --tribunal 沙尔沁法庭 -o {data}/k.zip", "数据目录"),
    R("kit-missing-folder", "export-kit --tribunal 沙尔沁法庭 -o {work}/no/k.zip", "不存在"),
    R("kit-not-zip", "export-kit --tribunal 沙尔沁法庭 -o {work}/k.rar", ".zip"),
    R(
        "kit-zero-block",
        "export-kit --tribunal 沙尔沁法庭 -o {work}/k.zip --block 0",
        "预留案号数量",
    ),
    R(
        "kit-huge-block",
        "export-kit --tribunal 沙尔沁法庭 -o {work}/k.zip --block 99999999999",
        "--block",
    ),
    R("kit-old-year", "export-kit --tribunal 沙尔沁法庭 -o {work}/k.zip --year 1999", "年份"),
    R("kit-unknown-login", "export-kit --tribunal 沙尔沁法庭 -o {work}/k.zip --login-user nobody"),
    R("kit-empty-tribunal", "export-kit --tribunal '' -o {work}/k.zip", "--tribunal 的值是空的"),
    R("kit-no-owner", "export-kit -o {work}/k.zip", code=U),
    R("open-kit-text", "open-kit {in}/kit-text.zip --dir {work}/laptop"),
    R("open-kit-empty", "open-kit {in}/kit-empty.zip --dir {work}/laptop"),
    R("open-kit-no-manifest", "open-kit {in}/kit-no-manifest.zip --dir {work}/laptop"),
    R("open-kit-deep-manifest", "open-kit {in}/kit-deep-manifest.zip --dir {work}/laptop", "嵌套"),
    R("open-kit-deep-object", "open-kit {in}/kit-deep-object.zip --dir {work}/laptop", "嵌套"),
    R("open-kit-junk-manifest", "open-kit {in}/kit-junk-manifest.zip --dir {work}/laptop"),
    R("open-kit-forged", "open-kit {in}/kit-forged-signature.zip --dir {work}/laptop", "签名"),
    R("open-kit-extra-member", "open-kit {in}/kit-extra-member.zip --dir {work}/laptop"),
    R("open-kit-slip-member", "open-kit {in}/kit-slip-member.zip --dir {work}/laptop"),
    R("open-kit-altered-db", "open-kit {in}/kit-altered-db.zip --dir {work}/laptop"),
    R("open-kit-a-change-package", "open-kit {in}/kit-changes-schema.zip --dir {work}/laptop"),
    R("open-kit-missing", "open-kit {work}/nothing.zip --dir {work}/laptop"),
    R("open-kit-full-folder", "open-kit {in}/kit.zip --dir {in}/full-folder", "不是空的"),
    R("open-kit-onto-file", "open-kit {in}/kit.zip --dir {in}/existing.db", "不是文件夹"),
    R("open-kit-into-files", "open-kit {in}/kit.zip --dir {files}/laptop", "附件和密钥文件夹"),
    R("open-kit-into-data", "open-kit {in}/kit.zip --dir {data}/laptop", "数据目录"),
    R("open-kit-missing-parent", "open-kit {in}/kit.zip --dir {work}/no/laptop", "不存在"),
    R("open-kit-empty-dir", "open-kit {in}/kit.zip --dir ''", "--dir 的值是空的"),
    R("open-kit-no-dir", "open-kit {in}/kit.zip", code=U),
    R("changes-not-a-kit-db", "export-changes -o {work}/c.zip", "不是离线工作包"),
    R("changes-existing", "export-changes -o {in}/existing.zip", "已存在"),
    R("changes-onto-db", "export-changes -o {in}/link-to-db.zip --force", "数据库"),
    R("changes-not-zip", "export-changes -o {work}/c.tar", ".zip"),
    R("changes-pipe", "export-changes -o {in}/fifo.zip --force", "不是普通文件"),
    R("import-changes-text", "import-changes {in}/changes-text.zip"),
    R("import-changes-empty", "import-changes {in}/changes-empty.zip"),
    R("import-changes-no-manifest", "import-changes {in}/changes-no-manifest.zip"),
    R("import-changes-deep", "import-changes {in}/changes-deep-manifest.zip", "嵌套"),
    R("import-changes-deep-object", "import-changes {in}/changes-deep-object.zip", "嵌套"),
    R("import-changes-signed-deep", "import-changes {in}/changes-signed-deep-changes.zip"),
    R("import-changes-signed-junk", "import-changes {in}/changes-signed-junk-changes.zip"),
    R("import-changes-forged", "import-changes {in}/changes-forged-signature.zip", "签名"),
    R("import-changes-altered", "import-changes {in}/changes-altered.zip"),
    R("import-changes-other-court", "import-changes {in}/changes-other-court.zip", "不属于本院"),
    R("import-changes-unknown-kit", "import-changes {in}/changes-unknown-kit.zip"),
    R("import-changes-wrong-schema", "import-changes {in}/changes-wrong-schema.zip"),
    R("import-changes-extra", "import-changes {in}/changes-extra-member.zip"),
    R("import-changes-a-kit", "import-changes {in}/changes-a-kit.zip"),
    R("import-changes-missing", "import-changes {work}/nothing.zip"),
    R("import-changes-folder", "import-changes {in}/a-folder.zip"),
    R("import-changes-device", "import-changes {in}/fifo"),
    R(
        "resolutions-deep",
        "import-changes {in}/changes.zip --resolutions {in}/resolutions-deep.json",
        "嵌套",
    ),
    R(
        "resolutions-junk",
        "import-changes {in}/changes.zip --resolutions {in}/resolutions-junk.json",
    ),
    R(
        "resolutions-list",
        "import-changes {in}/changes.zip --resolutions {in}/resolutions-list.json",
    ),
    R(
        "resolutions-bad-side",
        "import-changes {in}/changes.zip --resolutions {in}/resolutions-bad-side.json",
    ),
    R("resolutions-missing", "import-changes {in}/changes.zip --resolutions {work}/none.json"),
    # --- verify-package ------------------------------------------------------------------------
    R("verify-text", "verify-package {in}/transfer-text.zip", lines=2),
    R("verify-empty", "verify-package {in}/transfer-empty.zip", lines=2),
    R("verify-no-manifest", "verify-package {in}/transfer-no-manifest.zip", lines=2),
    R("verify-slip", "verify-package {in}/transfer-slip.zip", lines=2),
    R("verify-deep", "verify-package {in}/transfer-deep-manifest.zip", "嵌套", lines=2),
    R("verify-deep-object", "verify-package {in}/transfer-deep-object.zip", "嵌套", lines=2),
    R("verify-junk-manifest", "verify-package {in}/transfer-junk-manifest.zip", lines=2),
    R("verify-wrong-schema", "verify-package {in}/transfer-wrong-schema.zip", lines=2),
    R("verify-altered", "verify-package {in}/transfer-altered.zip", "被改动", lines=2),
    R("verify-extra", "verify-package {in}/transfer-extra.zip", "清单中没有登记", lines=2),
    R("verify-missing-file", "verify-package {in}/transfer-missing.zip", lines=2),
    R("verify-missing", "verify-package {work}/nothing.zip", lines=2),
    R("verify-device", "verify-package {in}/fifo", lines=2),
    R("verify-a-kit", "verify-package {in}/kit.zip", lines=2),
    # --- copy-database, encrypt, decrypt ----------------------------------------------------------------
    R("copy-to-itself", "copy-database --from {db} --to {db}", "同一个数据库"),
    R("copy-to-its-link", "copy-database --from {db} --to {in}/link-to-db.db", "同一个数据库"),
    R("copy-to-its-hardlink", "copy-database --from {db} --to {in}/hardlink-to-db.db", "同一个"),
    R("copy-to-device", "copy-database --from {db} --to {in}/fifo", "不是普通文件"),
    R("copy-to-folder", "copy-database --from {db} --to {in}/a-folder", "不是普通文件"),
    R("copy-to-text", "copy-database --from {db} --to {in}/existing.db", "不是本系统的数据库"),
    R("copy-from-missing", "copy-database --from {work}/nothing.db --to {work}/c.db", "不存在"),
    R("copy-to-junk-url", "copy-database --from {db} --to 'postgresql://'", "无法"),
    R("copy-from-text", "copy-database --from {in}/backup-text.db --to {work}/copy.db"),
    R("copy-empty-target", "copy-database --from {db} --to ''", "--to 的值是空的"),
    R("encrypt-no-passphrase", "encrypt", "口令"),
    R("encrypt-short-passphrase", "encrypt", "口令", env={"ZHIQIAN_NEW_PASSPHRASE": "short"}),
    R("decrypt-plain", "decrypt", "没有加密"),
]


def _tree(*folders: Path, skip: frozenset[Path] = frozenset()) -> dict[str, tuple[int, int]]:
    """Every file under the folders with its size and modification time (links not followed)."""
    found: dict[str, tuple[int, int]] = {}
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            for name in [*dirs, *files]:
                path = Path(root) / name
                if path in skip:
                    continue
                st = path.lstat()
                found[str(path)] = (st.st_size, st.st_mtime_ns)
    return found


@pytest.fixture(scope="module")
def court(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Court]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ZHIQIAN_DATA_DIR", str(tmp_path_factory.mktemp("setup-userdata")))
        made = make_court(tmp_path_factory.mktemp("hostile"))
    yield made
    cipher.forget_all()


def _expand(word: str, court: Court) -> str:
    places = {
        "db": str(court.db),
        "wal": f"{court.db}-wal",
        "files": str(court.db.parent / f"{court.db.stem}-files"),
        "backups": str(court.db.parent / "backups"),
        "data": os.environ["ZHIQIAN_DATA_DIR"],
        "work": str(court.work),
        "in": str(court.inputs),
        "open": court.open_case,
        "failed": court.failed_case,
        "closed": court.closed_case,
    }
    for key, value in places.items():
        word = word.replace("{" + key + "}", value)
    return word


def test_the_corpus_is_large_and_its_names_unique() -> None:
    assert len(CORPUS) >= 200
    assert len({row.id for row in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("row", [pytest.param(r, id=r.id) for r in CORPUS])
def test_a_hostile_command_line(
    court: Court, row: Row, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("ZHIQIAN_TOKEN", "ZHIQIAN_USER", "ZHIQIAN_PASSWORD", "ZHIQIAN_NEW_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in row.env.items():
        monkeypatch.setenv(name, value)
    argv = [_expand(word, court) for word in shlex.split(row.line)]
    if "--db" not in argv and "--database-url" not in argv:
        argv += ["--db", str(court.db)]
    live = frozenset(court.db.parent / f"{court.db.name}{s}" for s in ("", "-wal", "-shm"))
    folders = (court.work, court.inputs, court.db.parent)
    before = (dump_hash(court.db), _tree(*folders, skip=live))
    capsys.readouterr()
    code = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert code == row.code, (code, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == row.lines, err
    assert all(CHINESE.search(line) for line in lines), err
    assert row.says in err, err
    assert (dump_hash(court.db), _tree(*folders, skip=live)) == before, "something was written"
