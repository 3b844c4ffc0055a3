"""Fault plans for the mirror (crawler/mirror.py): which answer the n-th request for a URL gets.

A plan is data, a JSON file, so tests and `projektbank mirror --faults FILE` load the same thing:

    {"about": "what the plan is for (optional)",
     "faults": {"/resultat/projektbanken/projekt/?dnr=2019/00492": ["503", "503", "200"], …}}

(a bare `{target: [actions]}` object is read the same way). A target is the path and query as
sent, or the canonical detail URL `…/projekt/?dnr=…` (which then matches however the request
spells the diarienummer). The n-th request for a target gets the n-th action; the last one
repeats. The bundled plans sit beside the bundled site, in `samples/faults/NAME.json`, and are
reachable by NAME (`--faults default`): they are part of the offline site, not of the server.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from urllib.parse import urlsplit

from projektbank.extract.identifiers import dnr_of

ACTIONS_HELP = """\
fault actions (the n-th request for a target gets the n-th action; the last one repeats):
  200              serve the page normally (validators and 304s included)
  CODE             answer with that status, e.g. 503, 500, 403, 404
  CODE:S           …with Retry-After: S seconds, e.g. 429:2, 503:1
  CODE:date+S      …with Retry-After as the HTTP date S seconds ahead, e.g. 429:date+2
  3xx:LOCATION     a redirect there, e.g. 301:/other/?x=1 or 302:http://elsewhere.invalid/
  drop             close the connection without an answer
  slow:S           wait S seconds, then serve normally
  slowbody:S       send the headers at once, then trickle the body over S seconds"""

REDIRECTS = (301, 302, 303, 307, 308)
_NUMBER = re.compile(r"\d+(\.\d+)?\Z")


class FaultPlanError(ValueError):
    """A plan that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Action:
    """One parsed action. `status` None: serve the page (after `delay`, trickled over `trickle`)."""

    text: str
    drop: bool = False
    delay: float = 0.0
    trickle: float = 0.0
    status: int | None = None
    location: str | None = None
    retry_after: str | None = None
    retry_after_date: float | None = None   # seconds ahead, turned into a date when answering

    def headers(self) -> dict[str, str]:
        """The headers a faulty status answer carries besides its Content-Type."""
        if self.location is not None:
            return {"Location": self.location}
        if self.retry_after_date is not None:
            return {"Retry-After": formatdate(time.time() + self.retry_after_date, usegmt=True)}
        if self.retry_after is not None:
            return {"Retry-After": self.retry_after}
        return {}

    def body(self) -> bytes:
        return f"<html><body><h1>{self.status}</h1></body></html>".encode()


SERVE = Action("200")


def parse_action(text: object) -> Action:
    """An action string as `ACTIONS_HELP` lists it; ValueError says what is wrong."""
    if not isinstance(text, str):
        raise ValueError(f"an action is a string, not {type(text).__name__}")
    if text == "200":
        return SERVE
    if text == "drop":
        return Action(text, drop=True)
    name, sep, arg = text.partition(":")
    if name in ("slow", "slowbody"):
        if not _NUMBER.match(arg):
            raise ValueError(f"{name}: needs seconds, e.g. {name}:1.5")
        return Action(text, **{"delay" if name == "slow" else "trickle": float(arg)})
    if not (len(name) == 3 and name.isdigit() and 100 <= int(name) <= 599):
        raise ValueError("unknown action (known: 200, CODE, CODE:S, CODE:date+S, 3xx:LOCATION, "
                         "drop, slow:S, slowbody:S)")
    status = int(name)
    if not sep:
        return Action(text, status=status)
    if "\r" in arg or "\n" in arg or not arg:
        raise ValueError("the part after ':' is empty or holds a line break")
    if status in REDIRECTS:
        return Action(text, status=status, location=arg)
    if arg.startswith("date+") and _NUMBER.match(arg[5:]):
        return Action(text, status=status, retry_after_date=float(arg[5:]))
    if _NUMBER.match(arg):
        return Action(text, status=status, retry_after=arg)
    raise ValueError(f"{status}: the part after ':' is Retry-After seconds (S) or date+S")


def bundled_plans_dir() -> Path:
    """`samples/faults/`, beside the bundled site the plans are written for."""
    return Path(__file__).resolve().parent.parent / "samples" / "faults"


class FaultPlan:
    """Parsed, checked actions per target, and how often each target was asked for."""

    def __init__(self, entries: dict[str, tuple[Action, ...]], source: str = "<plan>",
                 about: str = ""):
        self.entries = entries
        self.source = source
        self.about = about
        self._hits: dict[str, int] = {}

    @classmethod
    def from_data(cls, data: object, source: str = "<plan>") -> FaultPlan:
        if not isinstance(data, dict):
            raise FaultPlanError(f"{source}: a plan is a JSON object, not {type(data).__name__}")
        about = ""
        if "faults" in data:
            unknown = sorted(set(data) - {"faults", "about"})
            if unknown:
                raise FaultPlanError(f"{source}: unknown key {unknown[0]!r} (a plan has 'faults' "
                                     "and an optional 'about')")
            about, data = str(data.get("about", "")), data["faults"]
            if not isinstance(data, dict):
                raise FaultPlanError(f"{source}: 'faults' is an object {{target: [actions]}}")
        entries: dict[str, tuple[Action, ...]] = {}
        for target, actions in data.items():
            where = f"{source}: entry {target!r}"
            if not isinstance(target, str) or not target.startswith("/"):
                raise FaultPlanError(f"{where}: a target is a path (and query) starting with '/'")
            if isinstance(actions, str) or not isinstance(actions, list) or not actions:
                raise FaultPlanError(f"{where}: needs a non-empty list of actions, e.g. [\"503\", \"200\"]")
            parsed = []
            for i, text in enumerate(actions, 1):
                try:
                    parsed.append(parse_action(text))
                except ValueError as exc:
                    raise FaultPlanError(f"{where}, action {i} {text!r}: {exc}") from None
            entries[target] = tuple(parsed)
        return cls(entries, source, about)

    @classmethod
    def load(cls, path: str | Path) -> FaultPlan:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise FaultPlanError(f"{path}: not JSON: {exc}") from None
        except (OSError, UnicodeError) as exc:
            raise FaultPlanError(f"{path}: cannot read: {exc}") from None
        return cls.from_data(data, str(path))

    @classmethod
    def named(cls, spec: str | Path) -> FaultPlan:
        """A plan file, or the name of a bundled plan (`default` → samples/faults/default.json)."""
        path = Path(spec)
        if path.is_file():
            return cls.load(path)
        bundled = bundled_plans_dir() / f"{spec}.json"
        if "/" not in str(spec) and path.suffix != ".json" and bundled.is_file():
            return cls.load(bundled)
        names = ", ".join(sorted(p.stem for p in bundled_plans_dir().glob("*.json")))
        bundled = f"bundled: {names}" if names else f"no bundled plans in {bundled_plans_dir()}"
        raise FaultPlanError(f"{spec}: no such plan file or bundled plan ({bundled})")

    @classmethod
    def of(cls, faults: FaultPlan | dict | str | Path | None) -> FaultPlan:
        """What `Mirror(faults=…)` takes: a plan, a {target: [actions]} dict, a file or a name."""
        if isinstance(faults, FaultPlan):
            return faults
        if isinstance(faults, (str, Path)):
            return cls.named(faults)
        return cls.from_data(faults or {}, "<faults dict>")

    def _key(self, target: str) -> str | None:
        if target in self.entries:
            return target
        dnr = dnr_of(target)
        if dnr is not None:
            path = urlsplit(target).path
            key = f"{path if path.endswith('/') else path + '/'}?dnr={dnr}"
            if key in self.entries:
                return key
        return None

    def next_action(self, target: str) -> Action:
        """The action for this request of *target* (SERVE when the plan has no entry for it)."""
        key = self._key(target)
        if key is None:
            return SERVE
        n = self._hits.get(key, 0)
        self._hits[key] = n + 1
        seq = self.entries[key]
        return seq[min(n, len(seq) - 1)]
