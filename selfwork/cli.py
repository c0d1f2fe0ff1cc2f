"""The ``selfwork`` command: serve, migrate, demo, worker, audit, backup, restore,
process, manage, cards, media, fx, bench."""

import argparse
import json
import os
import signal
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selfwork.config.settings")
    import django

    django.setup()


def _catalogues_compile(*, force: bool = False) -> list[Path]:
    """Compile the translations whose .mo is missing or stale (no Django needed)."""
    from selfwork.core.catalogues import catalogues_compile

    return catalogues_compile(force=force)


def cmd_i18n_compile(args: argparse.Namespace) -> int:
    for mo in _catalogues_compile(force=args.force):
        print(f"compiled {mo}")
    return 0


def _manage(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def cmd_migrate(args: argparse.Namespace) -> int:
    _django()
    _manage("migrate", "--no-input", *(["-v", "0"] if args.quiet else []))
    return 0


def _collectstatic() -> None:
    from django.core.management import call_command

    call_command("collectstatic", "--no-input", verbosity=0)


def _worker_wanted(args: argparse.Namespace) -> bool:
    if getattr(args, "no_worker", False):
        return False
    return os.environ.get("SELFWORK_RUN_WORKER", "1").strip().lower() not in {
        "0",
        "false",
        "no",
        "off",
    }


def _worker_start(args: argparse.Namespace) -> subprocess.Popen | None:
    """Start ``selfwork worker`` beside the web server, unless told not to.

    A child process rather than a thread: gunicorn forks its web workers, and a
    thread would run in none of them (or in every one). Without it a newcomer's
    demo sends no e-mail and fires no timer.
    """
    if not _worker_wanted(args):
        return None
    print("selfwork: starting the worker (timers, outbox, e-mail); --no-worker to skip")
    return subprocess.Popen([sys.executable, "-m", "selfwork.cli", "worker"])


def _worker_stop(worker: subprocess.Popen | None) -> None:
    if worker is None or worker.poll() is not None:
        return
    # The worker finishes the round it is in and returns.
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def _metrics_dir_prepare() -> None:
    """Give gunicorn's worker processes one directory to count requests in.

    prometheus_client's multiprocess mode: each process writes its counters to
    files in ``PROMETHEUS_MULTIPROC_DIR`` and /metrics adds them up. The
    variable must be set before the client is imported, and the directory
    emptied before the server starts, or the last run's counts carry over.
    """
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        data = Path(os.environ.get("SELFWORK_DATA_DIR", "var")).resolve()
        directory = str(data / "prometheus")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve with gunicorn: ``--workers`` processes of ``--threads`` threads each.

    Threads cost little here (measured: /healthz 3,229 vs 2,791 req/s, the
    listings API 616 vs 648 req/s, 4 threads against sync workers) and keep a
    slow request — an image being decoded, a gateway call — from holding up the
    quick ones queued behind it on the same worker.
    """
    _metrics_dir_prepare()
    _catalogues_compile()
    _django()
    _collectstatic()
    from gunicorn.app.wsgiapp import run

    sys.argv = [
        "gunicorn",
        "selfwork.config.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        # More than one thread makes each worker a gthread worker: a slow request
        # (an image being decoded) no longer holds up the quick ones behind it.
        "--threads",
        str(args.threads),
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "10",
    ]
    worker = _worker_start(args)
    try:
        run()
    finally:
        _worker_stop(worker)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    # The demo's webhook receivers are on this machine.
    os.environ.setdefault("SELFWORK_WEBHOOK_ALLOW_PRIVATE", "true")
    _catalogues_compile()
    _django()
    _manage("migrate", "--no-input", "-v", "0")
    import logging

    from django.utils import timezone

    from selfwork.demo.seed import demo_seed

    # The demo's history ends at the start of this hour, so the dashboards' last
    # 30 days show it and its timers fall due from now on, not all at once in the
    # worker's first round.
    present = timezone.now().replace(minute=0, second=0, microsecond=0)
    # Seeding posts hundreds of ledger transactions and moves; the progress bar
    # tells the story, and the per-move log lines would drown it.
    logger = logging.getLogger("selfwork")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        demo_seed(progress=True, now=present)
    finally:
        logger.setLevel(level)
    if args.no_serve:
        return 0
    return cmd_serve(args)


def cmd_manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selfwork.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["selfwork manage", *args.args])
    return 0


def cmd_fx_import(args: argparse.Namespace) -> int:
    _django()
    from selfwork.core.errors import InvalidInput
    from selfwork.core.fx import fx_rates_import

    try:
        count = fx_rates_import(text=Path(args.file).read_text())
    except (OSError, UnicodeDecodeError) as exc:
        print(f"selfwork: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    except InvalidInput as exc:
        print(f"selfwork: {exc.detail}", file=sys.stderr)
        return 2
    print(f"Imported {count} exchange rates.")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    _django()
    from selfwork.exchanges.audit import exchanges_audit_checks
    from selfwork.ledger.commands import audit_command
    from selfwork.payments.audit import payments_audit_checks

    return audit_command(
        sys.stdout, extra_checks=payments_audit_checks() + exchanges_audit_checks()
    )


def cmd_backup(args: argparse.Namespace) -> int:
    _django()
    from django.utils import timezone

    from selfwork.core.backup import BackupError, backup_create

    try:
        manifest = backup_create(path=Path(args.file), now=timezone.now())
    except BackupError as exc:
        print(f"selfwork backup: {exc}", file=sys.stderr)
        return 2
    print(f"Backed up the {manifest.describe()} to {args.file}.")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Restore, bring the schema up to this version, and succeed only on a clean audit."""
    _django()
    from selfwork.core.backup import BackupError, backup_restore

    try:
        manifest = backup_restore(path=Path(args.file), force=args.force)
    except BackupError as exc:
        print(f"selfwork restore: {exc}", file=sys.stderr)
        return 2
    print(f"Restored the {manifest.describe()}.")
    for note in manifest.notes:
        print(f"Note: {note}")
    _manage("migrate", "--no-input", "-v", "0")
    if cmd_audit(args) != 0:
        print(
            "selfwork restore: the restored ledger fails the audit (above); "
            "do not serve from it.",
            file=sys.stderr,
        )
        return 1
    print("Restore done: the audit is clean.")
    return 0


def cmd_ledger_export(args: argparse.Namespace) -> int:
    if args.view == "books" and (args.member or args.community):
        print(
            "selfwork: --view books is the whole platform's books; a member's or "
            "community's statement is in the holders' view.",
            file=sys.stderr,
        )
        return 2
    _django()
    from selfwork.ledger.commands import export_command
    from selfwork.payments.books import owner_names

    prefix = None
    if args.member:
        from selfwork.accounts.models import Member

        member = Member.objects.filter(username=args.member).first()
        if member is None:
            print(f"selfwork: no member '{args.member}'", file=sys.stderr)
            return 2
        prefix = f"member:{member.public_id}"
    elif args.community:
        from selfwork.communities.models import Community

        community = Community.objects.filter(slug=args.community).first()
        if community is None:
            print(f"selfwork: no community '{args.community}'", file=sys.stderr)
            return 2
        prefix = f"community:{community.public_id}"
    return export_command(
        args.format,
        sys.stdout,
        owner_ref_prefix=prefix,
        view=args.view,
        owner_names=owner_names,
    )


def cmd_worker(args: argparse.Namespace) -> int:
    _django()
    from selfwork.exchanges.commands import worker_command
    from selfwork.webhooks.tasks import webhooks_run

    return worker_command(
        once=args.once,
        now=args.now,
        stdout=sys.stdout,
        jobs=[
            ("webhook event(s) fanned out or delivery attempt(s) made", webhooks_run)
        ],
    )


def cmd_media_thumbnails(args: argparse.Namespace) -> int:
    _django()
    from selfwork.core.uploads import thumbnails_backfill

    made, failed = thumbnails_backfill()
    print(f"Made the thumbnails of {made} image(s).")
    for line in failed:
        print(f"selfwork: no thumbnails for {line}", file=sys.stderr)
    return 1 if failed else 0


def cmd_process_check(args: argparse.Namespace) -> int:
    _django()
    from selfwork.exchanges.commands import process_check_command

    return process_check_command(args.file, sys.stdout)


def cmd_process_labels(args: argparse.Namespace) -> int:
    """Rewrite the table of the built-in processes' labels for the translators."""
    _django()
    from selfwork.exchanges.engine.labels import labels_write

    print(f"wrote {labels_write()}")
    return 0


def cmd_process_graph(args: argparse.Namespace) -> int:
    _django()
    from selfwork.exchanges.commands import process_graph_command

    return process_graph_command(args.name, args.format, sys.stdout)


def cmd_cards_rebuild(args: argparse.Namespace) -> int:
    """Rewrite every listing's card (or only the missing ones), with a progress bar."""
    _django()
    from rich.progress import Progress

    from selfwork.catalog.cards import listing_cards_rebuild
    from selfwork.catalog.models import Listing

    written = 0
    with Progress() as progress:
        task = progress.add_task("Cards", total=Listing.objects.count())
        for written in listing_cards_rebuild(missing_only=args.missing):
            progress.update(task, completed=written)
    print(f"Wrote {written} card(s).")
    return 0


def cmd_bench_seed(args: argparse.Namespace) -> int:
    """Migrate, then bulk-load ``--listings`` varied listings with a progress bar."""
    _django()
    _manage("migrate", "--no-input", "-v", "0")
    from rich.progress import Progress

    from selfwork.demo.bulk import bench_orders, bench_seed

    with Progress() as progress:
        task = progress.add_task("Listings", total=args.listings)
        for written in bench_seed(listings=args.listings):
            progress.update(task, completed=written)
    customer = bench_orders(count=args.orders)
    if args.customer_file:
        Path(args.customer_file).write_text(json.dumps(asdict(customer)))
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="selfwork", description=__doc__)
    sub = root.add_subparsers(dest="command", required=True)

    def server_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--host", default=os.environ.get("SELFWORK_HOST", "127.0.0.1"))
        p.add_argument(
            "--port", type=int, default=int(os.environ.get("SELFWORK_PORT", "8000"))
        )
        p.add_argument(
            "--workers", type=int, default=int(os.environ.get("SELFWORK_WORKERS", "2"))
        )
        p.add_argument(
            "--threads", type=int, default=int(os.environ.get("SELFWORK_THREADS", "4"))
        )
        p.add_argument(
            "--no-worker",
            action="store_true",
            help="do not run the worker beside the server (SELFWORK_RUN_WORKER=0)",
        )

    serve = sub.add_parser("serve", help="serve the web UI and API with gunicorn")
    server_options(serve)
    serve.set_defaults(func=cmd_serve)

    migrate = sub.add_parser("migrate", help="create or upgrade the database")
    migrate.add_argument("--quiet", action="store_true")
    migrate.set_defaults(func=cmd_migrate)

    demo = sub.add_parser("demo", help="migrate, seed the demo communities once, serve")
    demo.add_argument("--no-serve", action="store_true", help="seed and exit")
    server_options(demo)
    demo.set_defaults(func=cmd_demo)

    manage = sub.add_parser("manage", help="run any Django management command")
    manage.add_argument("args", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)

    audit = sub.add_parser("audit", help="check every invariant of the ledger")
    audit.set_defaults(func=cmd_audit)

    backup = sub.add_parser(
        "backup", help="write the database and the media to one archive file"
    )
    backup.add_argument("file", help="the archive to write (.tar.gz)")
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser(
        "restore",
        help="replace the database and the media with an archive's, then audit",
    )
    restore.add_argument("file", help="an archive written by `selfwork backup`")
    restore.add_argument(
        "--force",
        action="store_true",
        help="replace a database or media directory that already holds data",
    )
    restore.set_defaults(func=cmd_restore)

    ledger = sub.add_parser("ledger", help="the double-entry ledger")
    ledger_sub = ledger.add_subparsers(dest="ledger_command", required=True)
    export = ledger_sub.add_parser(
        "export", help="write the journal for accounting tools"
    )
    export.add_argument(
        "--format", choices=["hledger", "beancount", "csv"], required=True
    )
    export.add_argument(
        "--view",
        choices=["books", "holders"],
        help="books: the platform's own books (the default for the whole ledger); "
        "holders: each account as its holder sees it (always for --member and "
        "--community)",
    )
    whose = export.add_mutually_exclusive_group()
    whose.add_argument(
        "--member", metavar="USERNAME", help="only this member's accounts"
    )
    whose.add_argument(
        "--community", metavar="SLUG", help="only this community's accounts"
    )
    export.set_defaults(func=cmd_ledger_export)

    worker = sub.add_parser("worker", help="run due timers and outbox jobs")
    worker.add_argument(
        "--once", action="store_true", help="run what is due, then exit"
    )
    worker.add_argument(
        "--now", metavar="ISO-8601", help="run as of this time (fast-forward)"
    )
    worker.set_defaults(func=cmd_worker)

    process = sub.add_parser("process", help="exchange processes")
    process_sub = process.add_subparsers(dest="process_command", required=True)
    check = process_sub.add_parser("check", help="validate a process file")
    check.add_argument("file", help="a process file (.toml)")
    check.set_defaults(func=cmd_process_check)
    graph = process_sub.add_parser("graph", help="draw a process's state graph")
    graph.add_argument("name", help="a process name, or a .toml file")
    graph.add_argument("--format", choices=["svg", "mermaid"], default="svg")
    graph.set_defaults(func=cmd_process_graph)
    labels = process_sub.add_parser(
        "labels",
        help="list the built-in processes' labels for translation "
        "(selfwork/exchanges/process_labels.py)",
    )
    labels.set_defaults(func=cmd_process_labels)

    bench = sub.add_parser("bench", help="benchmark data")
    bench_sub = bench.add_subparsers(dest="bench_command", required=True)
    seed = bench_sub.add_parser("seed", help="bulk-load varied listings, fast")
    seed.add_argument("--listings", type=int, default=10_000)
    seed.add_argument("--orders", type=int, default=100, help="exchanges to start")
    seed.add_argument(
        "--customer-file",
        metavar="JSON",
        help="write the ordering member's API token and exchange ids here",
    )
    seed.set_defaults(func=cmd_bench_seed)

    cards = sub.add_parser("cards", help="the listing cards pages of listings read")
    cards_sub = cards.add_subparsers(dest="cards_command", required=True)
    rebuild = cards_sub.add_parser(
        "rebuild", help="rewrite every listing's card (after a restore or an upgrade)"
    )
    rebuild.add_argument(
        "--missing", action="store_true", help="only the listings that have none"
    )
    rebuild.set_defaults(func=cmd_cards_rebuild)

    media = sub.add_parser("media", help="uploaded images and files")
    media_sub = media.add_subparsers(dest="media_command", required=True)
    thumbnails = media_sub.add_parser(
        "thumbnails", help="make the thumbnails images stored before them lack"
    )
    thumbnails.set_defaults(func=cmd_media_thumbnails)

    i18n = sub.add_parser("i18n", help="translations")
    i18n_sub = i18n.add_subparsers(dest="i18n_command", required=True)
    i18n_compile = i18n_sub.add_parser(
        "compile", help="compile the .po catalogues that changed into .mo files"
    )
    i18n_compile.add_argument(
        "--force", action="store_true", help="compile every catalogue"
    )
    i18n_compile.set_defaults(func=cmd_i18n_compile)

    fx = sub.add_parser("fx", help="reference exchange rates")
    fx_sub = fx.add_subparsers(dest="fx_command", required=True)
    fx_import = fx_sub.add_parser("import", help="replace rates from a CSV file")
    fx_import.add_argument("file", help="CSV with columns base,quote,rate,published_on")
    fx_import.set_defaults(func=cmd_fx_import)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
