"""Routing lever (``--route routes.yaml``): send matching requests to another model.

routes.yaml::

    routes:                        # or a bare list of rules
      - name: simple-chat          # optional; default "rule N"
        match:                     # every key given must match (AND); omitted = any
          app: "support*"          # glob or list of globs (case-insensitive)
          feature: ["faq", "tag*"]
          user: "*"
          model: "gpt-4o*"         # the model as the log spells it
          input_tokens: "<2000"    # "<N", "<=N", ">N", ">=N", "A-B", or {min: A, max: B}
          tier: simple             # built-in complexity tier(s): simple / medium / complex
          score: "<0.3"            # built-in complexity score range, same syntax
          prompt: "(?i)translate"  # regex searched in the prompt text
        to: gpt-4o-mini            # must exist in the price table (or --prices overrides)
        provider: openai           # optional provider hint for the target

Rules are tried in file order and the first rule that matches a request decides
it (a request already on the target model stays where it is). Moved requests
are re-priced with the same token counts on the target model's prices: the
target model may answer with a different number of output tokens, and its
quality may differ; the report says what each rule moves, the share of spend
downgraded (cheaper after the move) or upgraded, and, when the table has a
``quality`` column (a score, or thumbs up/down), the mean quality of the
requests each rule moves. Unpriced rows and cost-only rows are never moved.
"""

from __future__ import annotations

import fnmatch
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from ..errors import ConfigError
from ..pricing import BILLED_MODEL, PriceBook, price_usage
from ..schema import PRICED_COLUMNS
from ..textfiles import yaml_error_line
from .base import LeverOutcome
from .complexity import TIERS, classify

GLOB_KEYS = ("app", "feature", "user", "model")
MATCH_KEYS = (*GLOB_KEYS, "input_tokens", "tier", "score", "prompt")
RULE_KEYS = ("name", "match", "to", "provider")
_RANGE_RX = re.compile(r"^\s*(<=|>=|<|>)?\s*(-?[0-9.]+)\s*(?:-\s*([0-9.]+))?\s*$")


@dataclass
class Rule:
    name: str
    to: str
    provider: str
    line: int | None
    globs: dict[str, list[str]] = field(default_factory=dict)
    input_range: tuple[float, float] | None = None
    tiers: list[str] | None = None
    score_range: tuple[float, float] | None = None
    prompt_rx: re.Pattern[str] | None = None


@dataclass
class RouteLever:
    """The routing lever; build it with :meth:`from_file` or :meth:`from_text`."""

    rules: list[Rule]
    file: str = "routes.yaml"
    explain: bool = False
    name: str = "route"
    explain_frame: pd.DataFrame | None = None

    @classmethod
    def from_file(cls, path: str | Path, book: PriceBook, *, explain: bool = False) -> RouteLever:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as err:
            raise ConfigError(f"cannot read routes file: {err.strerror}", file=str(p)) from None
        return cls.from_text(text, book, file=str(p), explain=explain)

    @classmethod
    def from_text(cls, text: str, book: PriceBook, *, file: str = "routes.yaml", explain: bool = False) -> RouteLever:
        return cls(rules=parse_routes(text, book, file), file=file, explain=explain)

    # -- apply ------------------------------------------------------------------------
    def apply(self, table: pd.DataFrame, book: PriceBook) -> LeverOutcome:
        priced = table if "cost_usd" in table.columns else price_usage(table, book)
        n = len(table)
        needs_cx = self.explain or any(r.tiers or r.score_range for r in self.rules)
        total_in = _total_input(table)
        has_text = "prompt" in table.columns and bool(table["prompt"].notna().any())
        cx = classify(table["prompt"] if has_text else None, total_in) if needs_cx else None

        movable = priced["priced"].to_numpy(dtype=bool) & (priced["price_model"] != BILLED_MODEL).to_numpy()
        if "cache_hit" in table.columns:
            movable &= ~table["cache_hit"].fillna(False).to_numpy(dtype=bool)
        decided = ~movable
        rule_of = np.full(n, -1, dtype="int64")
        matched_counts: list[int] = []
        warnings: list[str] = []
        for i, rule in enumerate(self.rules):
            m = _match(rule, table, total_in, cx, has_text) & ~decided
            matched_counts.append(int(table["requests"].to_numpy()[m].sum()))
            if rule.prompt_rx is not None and not has_text:
                warnings.append(f"{self.file}: rule {rule.name!r} needs prompt text and the log has none")
            elif not m.any():
                warnings.append(f"{self.file}: rule {rule.name!r} matched no request")
            rule_of[m] = i
            decided |= m

        new = table.copy()
        cur_model = table["model"].astype("string").fillna("").to_numpy(dtype=object)
        targets = np.array([r.to for r in self.rules] + [""], dtype=object)
        tgt = targets[rule_of]
        # "already there" compares price-table ids, so gpt-4o-mini-2024-07-18 is on gpt-4o-mini
        # each rule's target, quoted once: its price-table id, context window and web-search price
        targets_q = [book.quote(r.to, provider=r.provider) for r in self.rules]
        target_ids = [q.model_id if q is not None else r.to for q, r in zip(targets_q, self.rules)]
        tgt_id = np.array(target_ids + [""], dtype=object)[rule_of]
        cur_id = priced["price_model"].astype("string").fillna("").to_numpy(dtype=object)
        moved = (rule_of >= 0) & (tgt != cur_model) & (tgt_id != cur_id)
        # never move a request into a model whose context window cannot hold its input
        windows = [float(q.context_window) if q is not None and q.context_window else np.inf for q in targets_q]
        window = np.array(windows + [np.inf], dtype="float64")[rule_of]
        # input and output share the context window (total_in is already per request)
        out_per_req = table["output_tokens"].to_numpy(dtype="float64") / np.maximum(
            table["requests"].to_numpy(dtype="float64"), 1.0)
        too_long = moved & (total_in + out_per_req > window)
        # a request that used server-side web search needs a target that offers (and prices) it
        searches = (table["web_search_requests"].to_numpy(dtype="int64") > 0) if "web_search_requests" in table.columns \
            else np.zeros(len(table), dtype=bool)
        no_search = [q is None or not q.web_search_per_k for q in targets_q]
        needs_search = moved & searches & np.array(no_search + [False], dtype=bool)[rule_of]
        if needs_search.any():
            moved &= ~needs_search
            for i, r in enumerate(self.rules):
                n_s = int(table["requests"].to_numpy()[needs_search & (rule_of == i)].sum())
                if n_s:
                    warnings.append(
                        f"{self.file}: rule {r.name!r}: {n_s:,} request(s) kept on their model: they used web "
                        f"search, which {r.to} does not offer in the price table"
                    )
        if too_long.any():
            moved &= ~too_long
            for i, r in enumerate(self.rules):
                n_long = int(table["requests"].to_numpy()[too_long & (rule_of == i)].sum())
                if n_long:
                    warnings.append(
                        f"{self.file}: rule {r.name!r}: {n_long:,} request(s) kept on their model: their input "
                        f"exceeds {r.to}'s {int(windows[i]):,}-token context window"
                    )
        providers = np.array([r.provider for r in self.rules] + [""], dtype=object)
        if moved.any():
            new.loc[moved, "model"] = tgt[moved]
            new.loc[moved, "provider"] = providers[rule_of][moved]
        before = priced["cost_usd"].to_numpy(dtype="float64")
        after = before.copy()
        if moved.any():
            sub = price_usage(new.loc[moved, [c for c in new.columns if c not in _PRICED]], book)
            after[moved] = sub["cost_usd"].to_numpy(dtype="float64")

        req = table["requests"].to_numpy(dtype="int64")
        total_cost = float(before.sum())
        quality = _quality(table)
        rules_out = [
            self._rule_report(i, r, matched_counts[i], moved & (rule_of == i), req, before, after, total_cost, quality)
            for i, r in enumerate(self.rules)
        ]
        if self.explain or cx is not None:
            self.explain_frame = _explain(table, cx, rule_of, moved, self.rules, total_in)
        n_moved = int(req[moved].sum())
        notes = [
            "first matching rule wins; moved requests keep their token counts and are re-priced on the target model",
            *warnings,
        ]
        if needs_cx and not has_text:
            notes.append("the log has no prompt text: complexity is scored from input length only")
        unpriced = int(req[~priced["priced"].to_numpy(dtype=bool)].sum())
        if unpriced:
            notes.append(f"{unpriced:,} unpriced request(s) were not routed")
        risks = []
        down = [r for r in rules_out if r["downgraded_requests"]]
        if down:
            risks.append(
                "downgraded requests may get worse answers: "
                + ", ".join(f"{r['name']} ({r['downgraded_requests']:,} req, {r['downgraded_spend_share']:.1%} of spend)" for r in down)
                + "; check quality on a sample before switching"
            )
        if any(r["upgraded_requests"] for r in rules_out):
            risks.append("some rules move requests to a more expensive model")
        return LeverOutcome(
            name=self.name,
            table=new,
            requests_affected=n_moved,
            notes=notes,
            risks=risks,
            details={"rules": rules_out, "warnings": warnings, "has_quality": quality is not None},
        )

    def _rule_report(
        self, i: int, rule: Rule, matched: int, mask: np.ndarray, req: np.ndarray,
        before: np.ndarray, after: np.ndarray, total_cost: float, quality: np.ndarray | None,
    ) -> dict[str, Any]:
        down = mask & (after < before)
        up = mask & (after > before)
        share = (lambda m: float(before[m].sum()) / total_cost if total_cost else 0.0)
        out: dict[str, Any] = {
            "name": rule.name,
            "to": rule.to,
            "requests_matched": matched,
            "requests_moved": int(req[mask].sum()),
            "cost_before_usd": float(before[mask].sum()),
            "cost_after_usd": float(after[mask].sum()),
            "savings_usd": float(before[mask].sum() - after[mask].sum()),
            "downgraded_requests": int(req[down].sum()),
            "upgraded_requests": int(req[up].sum()),
            "downgraded_spend_share": share(down),
            "upgraded_spend_share": share(up),
        }
        if quality is not None:
            q = quality[mask]
            q = q[~np.isnan(q)]
            out["quality_rated"] = int(q.size)
            out["quality_mean_moved"] = float(q.mean()) if q.size else None
        return out


_PRICED = frozenset(PRICED_COLUMNS)


def _total_input(table: pd.DataFrame) -> np.ndarray:
    req = np.maximum(table["requests"].to_numpy(dtype="int64"), 1)
    tot = (table["input_tokens"].to_numpy(dtype="int64") + table["cache_read_tokens"].to_numpy(dtype="int64")
           + table["cache_write_tokens"].to_numpy(dtype="int64"))
    return tot / req  # per request, for bucket rows


def _glob_mask(col: pd.Series, globs: list[str]) -> np.ndarray:
    values = col.astype("string").fillna("")
    codes, uniques = pd.factorize(values)
    ok = np.array([any(fnmatch.fnmatchcase(str(u).lower(), g.lower()) for g in globs) for u in uniques], dtype=bool)
    return ok[codes] if len(uniques) else np.zeros(len(col), dtype=bool)


def _match(rule: Rule, table: pd.DataFrame, total_in: np.ndarray, cx: pd.DataFrame | None, has_text: bool) -> np.ndarray:
    m = np.ones(len(table), dtype=bool)
    for key, globs in rule.globs.items():
        m &= _glob_mask(table[key], globs)
    if rule.input_range is not None:
        lo, hi = rule.input_range
        m &= (total_in >= lo) & (total_in <= hi)
    if rule.tiers is not None and cx is not None:
        m &= cx["tier"].isin(rule.tiers).to_numpy()
    if rule.score_range is not None and cx is not None:
        lo, hi = rule.score_range
        s = cx["score"].to_numpy()
        m &= (s >= lo) & (s <= hi)
    if rule.prompt_rx is not None:
        if not has_text:
            return np.zeros(len(table), dtype=bool)
        m &= _regex_mask(table["prompt"], rule.prompt_rx)
    return m


def _regex_mask(prompts: pd.Series, rx: re.Pattern[str]) -> np.ndarray:
    """Rows whose prompt contains ``rx``: RE2 through pyarrow (fast), or Python's
    ``re`` for syntax RE2 lacks (look-arounds, back-references)."""
    try:
        arr = pa.array(prompts.astype(object).where(prompts.notna(), None).tolist(), type=pa.large_string())
        hit = pc.match_substring_regex(arr, rx.pattern)
        return hit.fill_null(False).to_numpy(zero_copy_only=False).astype(bool)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        with warnings.catch_warnings():  # a user's regex may have groups
            warnings.simplefilter("ignore", UserWarning)
            return prompts.astype("string").str.contains(rx, regex=True, na=False).to_numpy(dtype=bool)


def _quality(table: pd.DataFrame) -> np.ndarray | None:
    """The optional ``quality`` column as floats (thumbs up = 1, down = 0); None if absent."""
    if "quality" not in table.columns:
        return None
    col = table["quality"]
    words = {"up": 1.0, "thumbs_up": 1.0, "good": 1.0, "true": 1.0, "yes": 1.0, "👍": 1.0,
             "down": 0.0, "thumbs_down": 0.0, "bad": 0.0, "false": 0.0, "no": 0.0, "👎": 0.0}
    num = pd.to_numeric(col, errors="coerce").astype("float64")
    text = col.astype("string").str.strip().str.lower().map(words).astype("float64")
    out = num.fillna(text).to_numpy(dtype="float64")
    return None if np.isnan(out).all() else out


def _explain(table: pd.DataFrame, cx: pd.DataFrame | None, rule_of: np.ndarray, moved: np.ndarray,
             rules: list[Rule], total_in: np.ndarray) -> pd.DataFrame:
    names = np.array([r.name for r in rules] + [""], dtype=object)
    targets = np.array([r.to for r in rules] + [""], dtype=object)
    cx = cx if cx is not None else classify(None, total_in)
    return pd.DataFrame(
        {
            "source": table["source"].to_numpy(),
            "source_row": table["source_row"].to_numpy(),
            "request_id": table["request_id"].to_numpy(),
            "model": table["model"].to_numpy(),
            "input_tokens": np.round(total_in).astype("int64"),
            "score": cx["score"].to_numpy(),
            "tier": cx["tier"].to_numpy(),
            "rule": names[rule_of],
            "to_model": np.where(moved, targets[rule_of], ""),
        }
    )


# -- parsing --------------------------------------------------------------------------
def parse_routes(text: str, book: PriceBook, file: str) -> list[Rule]:
    """Parse and validate a routes YAML; ConfigError names the file, line and rule."""
    try:
        data = yaml.safe_load(text)
        node = yaml.compose(text)
    except yaml.YAMLError as err:
        raise ConfigError(f"invalid YAML: {getattr(err, 'problem', None) or err}", file=file,
                          line=yaml_error_line(err)) from None
    if node is None:
        raise ConfigError("the routes file is empty", file=file)
    items: Any = data
    item_nodes: Any = node
    if isinstance(data, dict):
        if set(data) - {"routes"}:
            raise ConfigError(f"unknown top-level key(s) {sorted(set(data) - {'routes'})}; expected 'routes'", file=file)
        items = data.get("routes")
        item_nodes = next((v for k, v in node.value if k.value == "routes"), None)
    if not isinstance(items, list) or not items:
        raise ConfigError("expected a non-empty list of rules under 'routes:'", file=file)
    lines: list[int | None] = (
        [n.start_mark.line + 1 for n in item_nodes.value] if item_nodes is not None else [None] * len(items)
    )
    return [_parse_rule(i, item, lines[i], book, file) for i, item in enumerate(items)]


def _parse_rule(i: int, item: Any, line: int | None, book: PriceBook, file: str) -> Rule:
    label = f"rule {i + 1}"
    if not isinstance(item, dict):
        raise ConfigError(f"{label}: expected a mapping with 'match' and 'to'", file=file, line=line)
    name = str(item.get("name") or label)
    where = f"rule {name!r}"
    bad = set(item) - set(RULE_KEYS)
    if bad:
        raise ConfigError(f"{where}: unknown key(s) {sorted(bad)}", file=file, line=line, hint=f"use {', '.join(RULE_KEYS)}")
    to = item.get("to")
    if not isinstance(to, str) or not to.strip():
        raise ConfigError(f"{where}: 'to' must name the target model", file=file, line=line)
    provider = str(item.get("provider") or "")
    res = book.resolve(to.strip(), provider)
    if res is None:
        raise ConfigError(f"{where}: unknown model {to!r}", file=file, line=line,
                          hint="not in the price table: check `llmcost prices`, or add it to a --prices overrides file")
    rule = Rule(name=name, to=to.strip(), provider=provider or res.provider, line=line)
    match = item.get("match") or {}
    if not isinstance(match, dict):
        raise ConfigError(f"{where}: 'match' must be a mapping", file=file, line=line)
    bad = set(match) - set(MATCH_KEYS)
    if bad:
        raise ConfigError(f"{where}: unknown match key(s) {sorted(bad)}", file=file, line=line, hint=f"use {', '.join(MATCH_KEYS)}")
    for key in GLOB_KEYS:
        if key in match:
            v = match[key]
            rule.globs[key] = [str(x) for x in v] if isinstance(v, list) else [str(v)]
    if "input_tokens" in match:
        rule.input_range = _range(match["input_tokens"], f"{where}: input_tokens", file, line)
    if "score" in match:
        rule.score_range = _range(match["score"], f"{where}: score", file, line)
    if "tier" in match:
        tiers = match["tier"] if isinstance(match["tier"], list) else [match["tier"]]
        tiers = [str(t).lower() for t in tiers]
        if set(tiers) - set(TIERS):
            raise ConfigError(f"{where}: tier must be one of {', '.join(TIERS)}, got {tiers}", file=file, line=line)
        rule.tiers = tiers
    if "prompt" in match:
        try:
            rule.prompt_rx = re.compile(str(match["prompt"]))
        except re.error as err:
            raise ConfigError(f"{where}: invalid prompt regex: {err}", file=file, line=line) from None
    return rule


def _range(value: Any, what: str, file: str, line: int | None) -> tuple[float, float]:
    """'<N', '<=N', '>N', '>=N', 'A-B', a number (exactly), or {min:, max:} → inclusive (lo, hi)."""
    eps = 1e-9
    if isinstance(value, dict):
        bad = set(value) - {"min", "max"}
        if bad:
            raise ConfigError(f"{what}: unknown key(s) {sorted(bad)}; use min/max", file=file, line=line)
        try:
            lo = float(value.get("min", -np.inf))
            hi = float(value.get("max", np.inf))
        except (TypeError, ValueError):
            raise ConfigError(f"{what}: min/max must be numbers", file=file, line=line) from None
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        lo = hi = float(value)
    else:
        m = _RANGE_RX.match(str(value))
        if not m:
            raise ConfigError(f"{what}: expected '<N', '>=N', 'A-B' or {{min, max}}, got {value!r}", file=file, line=line)
        op, a, b = m.group(1), float(m.group(2)), m.group(3)
        if b is not None and op is None:
            lo, hi = a, float(b)
        elif op == "<":
            lo, hi = -np.inf, a - eps
        elif op == "<=":
            lo, hi = -np.inf, a
        elif op == ">":
            lo, hi = a + eps, np.inf
        elif op == ">=":
            lo, hi = a, np.inf
        else:
            lo = hi = a
    if lo > hi:
        raise ConfigError(f"{what}: empty range ({value!r})", file=file, line=line)
    return lo, hi
