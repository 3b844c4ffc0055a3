"""Serve a saved copy of the project bank on 127.0.0.1, so a full crawl can be tried offline.

DIR defaults to the bundled sample site (samples/site/: list pages with pagination and a filter
sidebar, project pages of all three programme periods, robots.txt, sitemap.xml, traps).
Layout and URL mapping: samples/site/README.md. Stop with Ctrl-C.

  projektbank mirror --port 8000 &
  projektbank crawl --start-url http://127.0.0.1:8000/resultat/projektbanken/ \\
      --out /tmp/esf -s DOWNLOAD_DELAY=0 -s AUTOTHROTTLE_ENABLED=False

--faults injects faults from a plan: a JSON file, or the name of a bundled plan in
samples/faults/ ('default': the bundled site's 503s, 429s, a dropped connection, slow pages):

  {"about": "what it is for", "faults": {"/resultat/projektbanken/?sida=2": ["500", "200"],
                                         "/resultat/projektbanken/projekt/?dnr=2019/00492": ["503"]}}
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "serve a saved copy of the site (default: the bundled sample site) on 127.0.0.1"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", nargs="?", default=None, metavar="DIR",
                   help="site folder (default: the bundled samples/site)")
    p.add_argument("--port", type=int, default=8000, metavar="N",
                   help="port on 127.0.0.1 (default: %(default)s; 0: any free port)")
    from projektbank.crawler.mirror_faults import ACTIONS_HELP

    p.add_argument("--faults", metavar="FILE|NAME",
                   help="inject faults: a plan file {\"faults\": {target: [actions]}}, or a "
                        "bundled plan's name ('default')")
    p.epilog = ACTIONS_HELP
    p.add_argument("--log", metavar="FILE", help="append every request to FILE (JSON lines)")


def run(args: argparse.Namespace) -> int:
    from projektbank.crawler.mirror import Mirror, repo_site_dir
    from projektbank.crawler.mirror_faults import FaultPlan, FaultPlanError

    root = Path(args.dir) if args.dir else repo_site_dir()
    if not root.is_dir():
        print(f"projektbank mirror: no such folder: {root}", file=sys.stderr)
        return 2
    if not 0 <= args.port <= 65535:
        print(f"projektbank mirror: invalid port: {args.port}", file=sys.stderr)
        return 2
    try:
        faults = FaultPlan.named(args.faults) if args.faults else None
    except FaultPlanError as exc:  # not JSON, unreadable, an unknown action: names the entry
        print(f"projektbank mirror: --faults {exc}", file=sys.stderr)
        return 2
    try:
        mirror = Mirror(root, args.port, faults=faults, log_path=args.log)
    except OSError as exc:  # a log file that cannot be opened
        print(f"projektbank mirror: {exc}", file=sys.stderr)
        return 2
    import asyncio

    async def serve() -> None:
        await mirror._serve()

    def announce() -> None:
        mirror._ready.wait()
        print(f"serving {root} at {mirror.url()} (Ctrl-C stops)", flush=True)

    import threading

    threading.Thread(target=announce, daemon=True).start()
    try:
        if mirror.log_path:
            mirror._log = mirror.log_path.open("a", encoding="utf-8")
        asyncio.run(serve())
    except OSError as exc:
        print(f"projektbank mirror: cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    finally:
        if mirror._log:
            mirror._log.close()
    return 0
