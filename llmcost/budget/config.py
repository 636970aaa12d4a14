"""``budgets.yaml``: spending limits and their alert thresholds.

Format (every key is optional except ``budgets``)::

    thresholds: [50, 80, 95]        # alert levels, percent of each limit (this is the default)
    teams:                          # named teams: a list of apps and/or users
      growth:
        apps: [search, onboarding]
        users: [alice@example.com]
    budgets:
      - name: everything            # default: derived from the scope
        monthly: 5000               # USD per calendar month (UTC)
        daily: 250                  # USD per UTC day
      - app: support                # one app
        monthly: 800
        thresholds: [80, 95]        # overrides the top-level list
      - model: "gpt-4o*"            # a model, as the log names it (glob allowed)
        daily: 40
      - team: growth                # a team from ``teams:``, or inline {apps: [...], users: [...]}
        monthly: 1200

Scope keys (``app``, ``model``, ``team``) may be combined (all must match);
a budget with none of them (or ``total: true``) covers all spend. Values are
shell-style globs (``*``, ``?``, ``[...]``) matched case-insensitively; a
value may also be a list (any may match). A team matches rows whose app is
one of its apps *or* whose user is one of its users.

Each budget needs ``daily`` and/or ``monthly``: positive numbers in USD.
Thresholds are percentages strictly between 0 and 100 (``"80%"`` works
too); reaching 100 % of the limit is "exceeded" by definition.

Errors (unknown keys, negative or missing limits, bad thresholds, unknown
teams) raise :class:`~llmcost.errors.ConfigError` naming the file, the line
and the key.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError
from ..textfiles import yaml_error_line

DEFAULT_THRESHOLDS: tuple[float, ...] = (50.0, 80.0, 95.0)
TOP_KEYS = ("thresholds", "teams", "budgets")
BUDGET_KEYS = ("name", "app", "model", "team", "total", "daily", "monthly", "thresholds")
TEAM_KEYS = ("apps", "users")
PERIODS = ("daily", "monthly")


@dataclass(frozen=True)
class Team:
    name: str
    apps: tuple[str, ...] = ()
    users: tuple[str, ...] = ()


@dataclass(frozen=True)
class Budget:
    name: str
    limits: dict[str, float]  # period ("daily" / "monthly") -> USD
    thresholds: tuple[float, ...]  # percent, ascending
    apps: tuple[str, ...] = ()  # globs; empty = any
    models: tuple[str, ...] = ()
    team: Team | None = None
    line: int | None = None

    @property
    def scope(self) -> str:
        parts = []
        if self.apps:
            parts.append("app=" + ",".join(self.apps))
        if self.models:
            parts.append("model=" + ",".join(self.models))
        if self.team is not None:
            parts.append(f"team={self.team.name}")
        return " ".join(parts) or "total"


@dataclass(frozen=True)
class BudgetConfig:
    file: str
    budgets: list[Budget] = field(default_factory=list)


class _Map(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers its line and the line of each key."""

    line: int = 0
    key_lines: dict[Any, int]


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    out = _Map()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for knode, vnode in node.value:
        key = loader.construct_object(knode, deep=True)
        try:
            out[key] = loader.construct_object(vnode, deep=True)
        except TypeError:
            raise ConfigError("mapping keys must be plain strings", line=knode.start_mark.line + 1) from None
        out.key_lines[key] = knode.start_mark.line + 1
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)  # type: ignore[arg-type]


class _Ctx:
    def __init__(self, file: str) -> None:
        self.file = file

    def error(self, message: str, line: int | None = None, hint: str | None = None) -> ConfigError:
        return ConfigError(message, file=self.file, line=line, hint=hint)

    def check_keys(self, m: _Map, allowed: tuple[str, ...], where: str) -> None:
        for key in m:
            if key not in allowed:
                raise self.error(
                    f"{where}: unknown key {key!r}", m.key_lines.get(key, m.line), f"expected one of: {', '.join(allowed)}"
                )


def _line(m: Any, key: str) -> int | None:
    return m.key_lines.get(key, m.line) if isinstance(m, _Map) else None


def _amount(ctx: _Ctx, m: _Map, key: str, where: str) -> float:
    v = m[key]
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ctx.error(f"{where}.{key} must be a number of USD, got {v!r}", _line(m, key))
    if not math.isfinite(v):
        raise ctx.error(f"{where}.{key} must be a finite number, got {v!r}", _line(m, key))
    if v < 0:
        raise ctx.error(f"{where}.{key} is negative ({v}): limits must be positive", _line(m, key))
    if v == 0:
        raise ctx.error(f"{where}.{key} is 0: limits must be positive", _line(m, key))
    return float(v)


def _thresholds(ctx: _Ctx, m: _Map, key: str, where: str) -> tuple[float, ...]:
    raw = m[key]
    items = raw if isinstance(raw, list) else [raw]
    out: list[float] = []
    for v in items:
        if isinstance(v, str) and v.strip().endswith("%"):
            try:
                v = float(v.strip()[:-1])
            except ValueError:
                raise ctx.error(f"{where}.{key}: {raw!r} is not a percentage", _line(m, key)) from None
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v < 100:
            raise ctx.error(
                f"{where}.{key}: {v!r} is not a percentage between 0 and 100", _line(m, key), "e.g. [50, 80, 95]"
            )
        out.append(float(v))
    if not out:
        raise ctx.error(f"{where}.{key} is empty", _line(m, key), "e.g. [50, 80, 95]")
    return tuple(sorted(set(out)))


def _patterns(ctx: _Ctx, m: _Map, key: str, where: str) -> tuple[str, ...]:
    raw = m[key]
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for v in items:
        if isinstance(v, bool) or not isinstance(v, (str, int, float)) or str(v).strip() == "":
            raise ctx.error(f"{where}.{key}: {v!r} is not a name", _line(m, key))
        out.append(str(v).strip())
    if not out:
        raise ctx.error(f"{where}.{key} is empty", _line(m, key))
    return tuple(out)


def _team(ctx: _Ctx, name: str, raw: Any, line: int | None, where: str) -> Team:
    if not isinstance(raw, _Map):
        raise ctx.error(f"{where} must be a mapping with apps and/or users", line)
    ctx.check_keys(raw, TEAM_KEYS, where)
    apps = _patterns(ctx, raw, "apps", where) if "apps" in raw else ()
    users = _patterns(ctx, raw, "users", where) if "users" in raw else ()
    if not apps and not users:
        raise ctx.error(f"{where} lists no apps or users", raw.line)
    return Team(name=name, apps=apps, users=users)


def _budget(ctx: _Ctx, i: int, m: Any, teams: dict[str, Team], default_thr: tuple[float, ...]) -> Budget:
    where = f"budgets[{i}]"
    if not isinstance(m, _Map):
        raise ctx.error(f"{where} must be a mapping (e.g. {{app: support, monthly: 500}}), got {m!r}")
    ctx.check_keys(m, BUDGET_KEYS, where)
    limits = {p: _amount(ctx, m, p, where) for p in PERIODS if p in m}
    if not limits:
        raise ctx.error(f"{where} has no limit", m.line, "add daily: and/or monthly: (USD)")
    apps = _patterns(ctx, m, "app", where) if "app" in m else ()
    models = _patterns(ctx, m, "model", where) if "model" in m else ()
    team: Team | None = None
    if "team" in m:
        raw = m["team"]
        if isinstance(raw, _Map):
            team = _team(ctx, str(raw.get("name", "team")), _strip_name(raw), raw.line, f"{where}.team")
        elif isinstance(raw, str) and raw in teams:
            team = teams[raw]
        else:
            known = ", ".join(sorted(teams)) or "none defined"
            raise ctx.error(f"{where}.team: unknown team {raw!r}", _line(m, "team"), f"teams: {known}")
    if "total" in m:
        if m["total"] is not True:
            raise ctx.error(f"{where}.total must be true (or left out)", _line(m, "total"))
        if apps or models or team:
            raise ctx.error(f"{where}: total: true cannot be combined with app, model or team", _line(m, "total"))
    thr = _thresholds(ctx, m, "thresholds", where) if "thresholds" in m else default_thr
    name = m.get("name")
    if name is not None and (not isinstance(name, (str, int)) or str(name).strip() == ""):
        raise ctx.error(f"{where}.name must be a non-empty string", _line(m, "name"))
    b = Budget(name="", limits=limits, thresholds=thr, apps=apps, models=models, team=team, line=m.line)
    return dataclasses.replace(b, name=str(name).strip() if name is not None else b.scope)


def _strip_name(raw: _Map) -> _Map:
    out = _Map({k: v for k, v in raw.items() if k != "name"})
    out.line = raw.line
    out.key_lines = {k: v for k, v in raw.key_lines.items() if k != "name"}
    return out


def parse_budgets(text: str, file: str) -> BudgetConfig:
    """Parse and validate the text of a budgets file."""
    ctx = _Ctx(file)
    try:
        doc = yaml.load(text, Loader=_Loader)
    except ConfigError as err:
        raise ctx.error(err.message, err.line) from None
    except yaml.YAMLError as err:
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ctx.error(f"not valid YAML: {problem}", yaml_error_line(err)) from None
    if doc is None:
        raise ctx.error("the file is empty", hint="add a budgets: list")
    if isinstance(doc, list):
        wrapped = _Map({"budgets": doc})
        wrapped.line, wrapped.key_lines = 1, {"budgets": 1}
        doc = wrapped
    if not isinstance(doc, _Map):
        raise ctx.error("expected a mapping with a budgets: list", 1)
    ctx.check_keys(doc, TOP_KEYS, "top level")
    if "budgets" not in doc:
        raise ctx.error("no budgets: list", 1, "e.g. budgets: [{monthly: 1000}]")
    default_thr = _thresholds(ctx, doc, "thresholds", "thresholds") if "thresholds" in doc else DEFAULT_THRESHOLDS
    teams: dict[str, Team] = {}
    raw_teams = doc.get("teams")
    if raw_teams is None:
        raw_teams = _Map()
        raw_teams.key_lines = {}
    if not isinstance(raw_teams, _Map):
        raise ctx.error("teams must be a mapping of team name -> {apps, users}", _line(doc, "teams"))
    for tname, traw in raw_teams.items():
        teams[str(tname)] = _team(ctx, str(tname), traw, raw_teams.key_lines.get(tname), f"teams.{tname}")
    items = doc["budgets"]
    if not isinstance(items, list) or not items:
        raise ctx.error("budgets must be a non-empty list", _line(doc, "budgets"))
    return BudgetConfig(file=file, budgets=[_budget(ctx, i, m, teams, default_thr) for i, m in enumerate(items)])


def load_budgets(path: str | Path) -> BudgetConfig:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("budgets file not found", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read the budgets file: {err}", file=str(path)) from None
    return parse_budgets(text, str(path))
