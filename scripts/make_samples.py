"""Generate the shipped ``samples/`` folder: one fictional company's LLM usage.

The story: **Acme** runs six LLM features in October 2025 (31 days, quieter
weekends):

* ``support-bot``  customer chat on gpt-4o, switched to gpt-4o-mini on
  2025-10-16 (the model switch), plus a claude-3-5-haiku escalation classifier;
  a long shared system prompt (OpenAI caches it automatically), repeated and
  near-duplicate customer questions;
* ``search``       answers over search results on gpt-4o-mini (gateway log and
  LiteLLM proxy), query expansion on claude-3-5-haiku;
* ``summariser``   document summaries on claude-sonnet-4-5 without prompt
  caching, several instructions per document (a shared prefix the caching
  lever can find), five >200k-token long-context requests, and the cost spike:
  on 2025-10-22 a bug re-sent whole e-mail threads (over 15x the input tokens);
* ``code-review``  claude-sonnet-4-5 with explicit prompt caching (5-minute and
  1-hour writes, reads) and o3 deep reviews with reasoning tokens;
* ``nightly-tagging``  an offline job: claude-3-5-haiku through the LiteLLM
  proxy at night (batch-able, not batched) and gpt-4o-mini through the OpenAI
  Batch API;
* ``sales-email``  gemini-2.5-flash drafts, gpt-4o-mini subject lines, and
  ``acme-finetune-v2``: a self-hosted fine-tune no public price list knows
  (the unpriced section; ``samples/prices.yaml`` prices it).

The developers also use Claude Code and the Codex CLI (their session logs).
The provider exports in ``samples/exports/`` aggregate the same traffic: the
OpenAI ones at list prices, the Anthropic ones with a 10% negotiated discount
(``cost_usd`` = 0.9 x list), so reconciliation shows a difference.

Everything is deterministic (a seeded ``random.Random``, fixed ids, no clock):
running ``python scripts/make_samples.py`` twice gives identical files.
``samples/prompts/`` is owned by another script and left untouched.

Token counts follow each format's published semantics (OpenAI ``prompt_tokens``
includes cached tokens, Anthropic ``input_tokens`` excludes cache tokens,
Gemini ``promptTokenCount`` includes ``cachedContentTokenCount``, ...). Message
text is logged in full except for long attachments (help-centre digest,
documents, repository conventions), which the gateway logger replaces by a
``[... N characters not logged]`` marker; token counts include them (about 4
characters per token).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
import shutil
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SEED = 20251031

MONTH_START = date(2025, 10, 1)
DAYS = [MONTH_START + timedelta(days=i) for i in range(31)]
SWITCH_DAY = date(2025, 10, 16)  # support-bot: gpt-4o -> gpt-4o-mini
SPIKE_DAY = date(2025, 10, 22)  # summariser token explosion
ANTHROPIC_DISCOUNT = 0.10

# List prices, $ per 1M tokens (October 2025): input, cache read, cache write 5m, cache write 1h, output.
PRICES: dict[str, tuple[float, float, float, float, float]] = {
    "gpt-4o": (2.5, 1.25, 2.5, 2.5, 10.0),
    "gpt-4o-mini": (0.15, 0.075, 0.15, 0.15, 0.6),
    "o3": (2.0, 0.5, 2.0, 2.0, 8.0),
    "gpt-5-codex": (1.25, 0.125, 1.25, 1.25, 10.0),
    "claude-sonnet-4-5": (3.0, 0.3, 3.75, 6.0, 15.0),
    "claude-sonnet-4-5>200k": (6.0, 0.6, 7.5, 12.0, 22.5),
    "claude-3-5-haiku": (0.8, 0.08, 1.0, 1.6, 4.0),
    "gemini-2.5-flash": (0.3, 0.03, 0.3, 0.3, 2.5),
}
# Dated model ids as the APIs return them, and the family used for prices.
MODEL_IDS = {
    "gpt-4o": "gpt-4o-2024-08-06",
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
    "o3": "o3-2025-04-16",
    "claude-sonnet-4-5": "claude-sonnet-4-5-20250929",
    "claude-3-5-haiku": "claude-3-5-haiku-20241022",
}
DISPLAY = {"claude-sonnet-4-5": "Claude Sonnet 4.5", "claude-3-5-haiku": "Claude Haiku 3.5"}
UNKNOWN_MODEL = "acme-finetune-v2"


# ------------------------------------------------------------------------------
# The request model every writer renders
# ------------------------------------------------------------------------------

@dataclass
class Req:
    """One model call, in canonical (disjoint) token quantities."""

    time: datetime
    family: str  # key of PRICES (or UNKNOWN_MODEL)
    provider: str
    app: str
    feature: str
    user: str
    input: int  # uncached input
    output: int  # reasoning included
    cache_read: int = 0
    cache_write_5m: int = 0
    cache_write_1h: int = 0
    reasoning: int = 0
    batch: bool = False
    system: str = ""
    messages: list[tuple[str, str]] = field(default_factory=list)  # (role, text)
    response: str = ""
    session: str = ""
    key: str = ""  # API key / workspace hint

    @property
    def total_input(self) -> int:
        return self.input + self.cache_read + self.cache_write_5m + self.cache_write_1h

    @property
    def long_context(self) -> bool:
        return self.family == "claude-sonnet-4-5" and self.total_input > 200_000


def list_cost(r: Req) -> float:
    """List price of one request in USD (batch: 50% off)."""
    if r.family == UNKNOWN_MODEL:
        return 0.0
    fam = "claude-sonnet-4-5>200k" if r.long_context else r.family
    p_in, p_read, p_w5, p_w1h, p_out = PRICES[fam]
    cost = (r.input * p_in + r.cache_read * p_read + r.cache_write_5m * p_w5
            + r.cache_write_1h * p_w1h + r.output * p_out) / 1e6
    return cost * (0.5 if r.batch else 1.0)


# ------------------------------------------------------------------------------
# Small helpers
# ------------------------------------------------------------------------------

def day_weight(d: date) -> float:
    return 0.35 if d.weekday() >= 5 else 1.0


def spread(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` over ``weights`` (largest remainder, deterministic)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    counts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def at(d: date, rng: random.Random, hours: tuple[int, int] = (7, 20)) -> datetime:
    """A time of day on ``d`` (UTC), business hours by default."""
    h = rng.randint(hours[0], hours[1] - 1)
    return datetime(d.year, d.month, d.day, h, rng.randint(0, 59), rng.randint(0, 59), tzinfo=UTC)


def tok(text: str) -> int:
    """Tokens of a text at ~4 characters per token."""
    return max(1, round(len(text) / 4))


def rid(rng: random.Random, n: int = 24) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(rng.choice(alphabet) for _ in range(n))


def uuid_of(*parts: object) -> str:
    h = hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:32]}"


def iso(t: datetime, ms: bool = False) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z" if ms else t.strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch(t: datetime) -> int:
    return int(t.timestamp())


def not_logged(n: int, what: str) -> str:
    return f"[{what}: {n:,} characters not logged]"


def jsonl(path: Path, records: Iterable[dict[str, Any]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
            n += 1
    return n


def write_csv(path: Path, header: list[str], rows: Iterable[list[Any]], delimiter: str = ",") -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    w.writerow(header)
    n = 0
    for row in rows:
        w.writerow(row)
        n += 1
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")
    return n


def write_json(path: Path, doc: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


# ------------------------------------------------------------------------------
# Text pools
# ------------------------------------------------------------------------------

SUPPORT_SYSTEM = (
    "You are Acme Cloud's support assistant. Answer in at most 80 words. "
    "Use only the help-centre digest below; never promise refunds.\n"
    + not_logged(6180, "help-centre digest v12")
)
SUPPORT_QA: list[tuple[str, str]] = [
    ("How do I reset my password?", "Go to acme.cloud/reset, enter your e-mail and follow the link we send (valid 30 minutes)."),
    ("Can I change my plan from Plus to Team?", "Yes: Settings > Billing > Change plan. The price difference is prorated on your next invoice."),
    ("Why was I charged twice this month?", "That is usually a pending authorisation that drops within 3 days. If not, I can open a billing ticket."),
    ("How much storage does the Plus plan include?", "Plus includes 200 GB for $8/month. Team gives 1 TB per user."),
    ("How do I cancel my subscription?", "Settings > Billing > Cancel plan. You keep access until the end of the paid period."),
    ("Is there a student discount?", "Yes, 50% off Plus with a valid university e-mail address: acme.cloud/students."),
    ("My files are not syncing on Windows", "Pause and resume sync from the tray icon, then check that the Acme service is running. Still stuck? I can open a ticket."),
    ("How do I share a folder with someone outside my team?", "Right-click the folder > Share > Invite by e-mail. External guests get view access by default."),
    ("Can I recover a file I deleted last week?", "Yes: deleted files stay in Trash for 30 days (180 on Team). Open Trash and click Restore."),
    ("Do you support two-factor authentication?", "Yes: Settings > Security > Two-factor. We support authenticator apps and security keys."),
    ("Where can I download my invoices?", "Settings > Billing > Invoices: every invoice can be downloaded as PDF."),
    ("What is the maximum file size I can upload?", "50 GB per file on every plan; the browser upload limit is 5 GB, use the desktop app above that."),
    ("How do I add a new user to my Team plan?", "Admin console > Users > Invite. Each new seat is billed prorated from today."),
    ("Is my data encrypted?", "Yes: AES-256 at rest and TLS 1.3 in transit. Team plans can bring their own key."),
    ("The mobile app keeps logging me out", "Update the app to 6.2 or later; the logout bug was fixed there. Then sign in once more."),
    ("Can I pay by bank transfer?", "Bank transfer is available on yearly Team plans. I can open a ticket with our billing team."),
]
SUPPORT_UNIQUE = [
    "Where is the refund for invoice INV-{n}?",
    "Order #{n} still shows as pending, can you check?",
    "I was billed ${m}.00 on the {d}th, what is it for?",
    "Ticket {n} was closed but my problem is not solved",
]
HAIKU_ESCALATION_SYSTEM = (
    'Decide if this support conversation needs a human agent. Reply with JSON {"escalate": bool, "reason": str}.'
)

SEARCH_SYSTEM = "Answer the question using only the search results. Cite them as [1], [2]. Say so if they do not answer it."
SEARCH_QUERIES = [
    "api rate limits", "how to rotate api keys", "sso setup okta", "team plan pricing", "data retention policy",
    "export audit log", "webhook retries", "gdpr data processing agreement", "restore deleted folder",
    "storage quota exceeded", "desktop app proxy settings", "change billing email",
]
SEARCH_DOCS = [
    ("Rate limits", "Each API key may send 600 requests per minute; bursts of 100 are allowed."),
    ("API keys", "Keys are rotated from Admin > API keys; old keys stay valid 24 hours."),
    ("Single sign-on", "SAML SSO is available on Team; Okta and Entra ID have guided setups."),
    ("Pricing", "Team is $15 per user per month billed yearly, $18 monthly."),
    ("Retention", "Deleted files are kept 30 days (Plus) or 180 days (Team)."),
    ("Audit log", "Admins can export the audit log as CSV for the last 365 days."),
]

CODE_REVIEW_SYSTEM = (
    "You are Acme's code reviewer. Review the diff for correctness, security and style against the "
    "conventions below. Report only real problems, most severe first, as '- file:line: problem. Fix: ...'. "
    "Say 'LGTM' when there is nothing to report.\n"
    + not_logged(10240, "acme repository conventions")
)
DIFFS = [
    ("billing", "--- a/billing/invoice.py\n+++ b/billing/invoice.py\n@@ -41,3 +41,4 @@\n-    total = sum(l.amount for l in lines)\n+    total = round(sum(l.amount for l in lines), 2)\n+    log.info('total %s', total)"),
    ("auth", "--- a/auth/session.py\n+++ b/auth/session.py\n@@ -88,2 +88,2 @@\n-    if token == stored:\n+    if hmac.compare_digest(token, stored):"),
    ("sync", "--- a/sync/worker.go\n+++ b/sync/worker.go\n@@ -120,3 +120,5 @@\n+\tfor _, f := range files {\n+\t\tgo upload(f)\n+\t}"),
    ("web", "--- a/web/src/Upload.tsx\n+++ b/web/src/Upload.tsx\n@@ -12,2 +12,3 @@\n+  const [progress, setProgress] = useState(0)\n   useEffect(() => { start(file) }, [])"),
    ("api", "--- a/api/handlers/users.py\n+++ b/api/handlers/users.py\n@@ -17,2 +17,2 @@\n-    q = f\"SELECT * FROM users WHERE id = {user_id}\"\n+    q = \"SELECT * FROM users WHERE id = %s\""),
    ("infra", "--- a/infra/main.tf\n+++ b/infra/main.tf\n@@ -5,2 +5,3 @@\n   bucket = \"acme-backups\"\n+  acl    = \"public-read\""),
]
DEEP_REVIEW_SYSTEM = "You are a principal engineer. Find concurrency, security and data-loss bugs in this change. Think it through, then list findings."

SUMMARY_SYSTEM = (
    "Summarise internal Acme documents for busy executives. Keep names, dates and numbers exact. "
    "Never invent facts. Use plain English."
)
SUMMARY_DOCS = [
    "Q3 board pack", "Storage pricing review", "Incident report: EU sync outage 2025-09-18", "Hiring plan 2026",
    "Customer churn analysis Q3", "Data centre contract (Frankfurt)", "Security audit findings", "Partner programme proposal",
    "Support quality review September", "Mobile roadmap H1 2026", "Vendor assessment: e-mail provider", "Finance close memo",
]
SUMMARY_INSTRUCTIONS = [
    "Give a 3-bullet TL;DR.",
    "List every decision taken, with owner and date.",
    "List the risks and open questions.",
]
SUMMARY_ANSWERS = [
    "- Revenue up 12% QoQ, driven by Team seats.\n- EU sync outage cost 3 enterprise renewals.\n- Hiring paused until January.",
    "1. Raise Team price to $15 from November (owner: CFO, 2025-10-03).\n2. Move backups to Frankfurt (owner: CTO, 2025-10-10).",
    "Risks: the Frankfurt contract has no exit clause; churn may rise after the price change. Open: who owns the partner budget?",
]

SALES_TOPICS = ["the Team plan trial", "SSO and audit logs", "a yearly contract", "migrating from Dropbox", "the storage add-on"]
SALES_NAMES = [("Maria", "Northwind"), ("Tom", "Globex"), ("Aiko", "Initech"), ("Sam", "Umbrella Health"), ("Lena", "Hooli")]
TAG_ITEMS = [
    "Customer asks about invoice copies for the last quarter", "App crashes when uploading photos from iPhone 15",
    "Request to add SAML SSO for 40 users", "Complaint about slow sync in the Berlin office",
    "Question about GDPR data processing agreement", "Feature request: dark mode for the web app",
    "Refund request after accidental yearly upgrade", "Cannot share folder with external auditor",
]
TAGS = ["billing", "bug", "sso", "performance", "legal", "feature-request", "refund", "sharing"]

USERS = [f"cust-{i:04d}" for i in range(1, 181)]
EMPLOYEES = ["ana", "ben", "chloe", "dev", "emre", "fatima", "goran", "hana"]


def near_duplicate(q: str, rng: random.Random) -> str:
    """A near-duplicate of a customer question (case, greeting, punctuation, wording)."""
    variants: list[Callable[[str], str]] = [
        lambda s: s.lower(),
        lambda s: "Hi, " + s[0].lower() + s[1:],
        lambda s: s.rstrip("?") + " please?",
        lambda s: s.replace("How do I", "How can I").replace("Can I", "Is it possible to"),
        lambda s: "hello! " + s.lower().rstrip("?"),
        lambda s: s + " Thanks!",
    ]
    return rng.choice(variants)(q)


# ------------------------------------------------------------------------------
# Traffic generators (one per app / channel); each returns Req objects
# ------------------------------------------------------------------------------

def support_chat(rng: random.Random, n: int) -> list[Req]:
    """support-bot on OpenAI (gateway log): model switch on SWITCH_DAY, automatic prompt caching."""
    out: list[Req] = []
    sys_tokens = tok(SUPPORT_SYSTEM) + 6180 // 4
    for d, k in zip(DAYS, spread(n, [day_weight(d) for d in DAYS])):
        times = sorted(at(d, rng) for _ in range(k))
        last: datetime | None = None
        for t in times:
            r = rng.random()
            if r < 0.5:
                q, a = rng.choice(SUPPORT_QA)
            elif r < 0.8:
                q0, a = rng.choice(SUPPORT_QA)
                q = near_duplicate(q0, rng)
            else:
                q = rng.choice(SUPPORT_UNIQUE).format(n=rng.randint(10000, 99999), m=rng.randint(8, 180), d=rng.randint(1, 28))
                ticket = rng.randint(50000, 59999)
                a = f"I have opened ticket T-{ticket} for our billing team; you will hear back within one business day."
            family = "gpt-4o" if d < SWITCH_DAY else "gpt-4o-mini"
            prompt_total = sys_tokens + tok(q) + 14
            warm = last is not None and (t - last).total_seconds() < 600
            cached = (sys_tokens // 128) * 128 if warm else 0
            last = t
            out.append(Req(t, family, "openai", "support-bot", "chat", rng.choice(USERS),
                           input=prompt_total - cached, cache_read=cached, output=tok(a) + rng.randint(0, 6),
                           system=SUPPORT_SYSTEM, messages=[("user", q)], response=a))
    return out


def search_answers(rng: random.Random, n: int, channel: str) -> list[Req]:
    """search answers on gpt-4o-mini over three search results."""
    out: list[Req] = []
    for d, k in zip(DAYS, spread(n, [day_weight(d) for d in DAYS])):
        for t in sorted(at(d, rng) for _ in range(k)):
            q = rng.choice(SEARCH_QUERIES)
            if rng.random() < 0.3:
                q = rng.choice([q.capitalize(), q + "?", "how do i " + q, q.replace(" ", "  ")])
            docs = rng.sample(SEARCH_DOCS, 2)
            ctx = "\n".join(f"[{i}] {title}: {body}" for i, (title, body) in enumerate(docs, 1))
            user = f"Question: {q}\n\nSearch results:\n{ctx}"
            total = tok(SEARCH_SYSTEM) + tok(user) + 2400 + rng.randint(0, 900)  # full result pages
            cached = 0 if rng.random() < 0.7 else 1024
            ans = f"{docs[0][1]} [1]"
            out.append(Req(t, "gpt-4o-mini", "openai", "search", "answer", rng.choice(USERS),
                           input=total - cached, cache_read=cached, output=tok(ans) + rng.randint(20, 120),
                           system=SEARCH_SYSTEM, messages=[("user", user)], response=ans, key=channel))
    return out


def query_rewrites(rng: random.Random, n: int) -> list[Req]:
    """search query rewriting on gpt-4o-mini through the LiteLLM proxy (short prompts, many repeats)."""
    out: list[Req] = []
    system = "Rewrite the user's search query into precise keywords for the Acme help-centre index."
    for d, k in zip(DAYS, spread(n, [day_weight(d) for d in DAYS])):
        for t in sorted(at(d, rng) for _ in range(k)):
            q = rng.choice(SEARCH_QUERIES)
            if rng.random() < 0.3:
                q = rng.choice([q.capitalize(), q + "?", "how do i " + q])
            ans = q.replace("how do i ", "").replace("?", "").lower() + " guide"
            total = tok(system) + tok(q) + 1150 + rng.randint(0, 300)  # few-shot examples
            cached = 1024 if rng.random() < 0.4 else 0
            out.append(Req(t, "gpt-4o-mini", "openai", "search", "query-rewrite", rng.choice(USERS),
                           input=total - cached, cache_read=cached, output=tok(ans) + 2,
                           system=system, messages=[("user", q)], response=ans))
    return out


def deep_reviews(rng: random.Random, n: int) -> list[Req]:
    """code-review deep reviews on o3 (reasoning tokens)."""
    out: list[Req] = []
    weekdays = [d for d in DAYS if d.weekday() < 5]
    for d, k in zip(weekdays, spread(n, [1.0] * len(weekdays))):
        for t in sorted(at(d, rng, (9, 19)) for _ in range(k)):
            repo, diff = rng.choice(DIFFS)
            user = f"Repository: acme/{repo}, PR #{rng.randint(1200, 2900)}\n{diff}"
            ans = "1. No blocking issues; consider a test for the new branch." if rng.random() < 0.6 else \
                "1. Race: the loop variable is shared by goroutines. 2. Missing error handling on upload."
            reasoning = rng.randint(1200, 6400)
            out.append(Req(t, "o3", "openai", "code-review", "deep-review", rng.choice(EMPLOYEES),
                           input=tok(DEEP_REVIEW_SYSTEM) + tok(user) + rng.randint(3000, 9000),
                           output=reasoning + tok(ans) + rng.randint(50, 400), reasoning=reasoning,
                           system=DEEP_REVIEW_SYSTEM, messages=[("user", user)], response=ans))
    return out


def finetune_emails(rng: random.Random, n: int) -> list[Req]:
    """sales-email drafts on the self-hosted fine-tune (unknown to price lists)."""
    out: list[Req] = []
    days = [d for d in DAYS if d >= date(2025, 10, 20) and d.weekday() < 5]
    for d, k in zip(days, spread(n, [1.0] * len(days))):
        for t in sorted(at(d, rng) for _ in range(k)):
            name, company = rng.choice(SALES_NAMES)
            topic = rng.choice(SALES_TOPICS)
            user = f"Draft a short follow-up e-mail to {name} at {company} about {topic}."
            ans = f"Hi {name}, thanks for your time last week. Here is a quick recap of {topic} and the next steps..."
            system = "You write Acme sales e-mails: warm, short, one clear call to action."
            out.append(Req(t, UNKNOWN_MODEL, "", "sales-email", "draft", rng.choice(EMPLOYEES),
                           input=tok(system) + tok(user) + 10, output=tok(ans) + rng.randint(60, 140),
                           system=system, messages=[("user", user)], response=ans))
    return out


def summaries(rng: random.Random, n: int, long_context: int) -> list[Req]:
    """summariser on claude-sonnet-4-5: documents asked 1-3 questions each, no prompt caching."""
    out: list[Req] = []
    counts = spread(n, [day_weight(d) for d in DAYS])
    lc_days = {date(2025, 10, x) for x in (3, 9, 14, 23, 29)}
    for d, k in zip(DAYS, counts):
        made = 0
        while made < k:
            title = rng.choice(SUMMARY_DOCS)
            hidden = rng.randint(16_000, 60_000)
            n_q = min(k - made, rng.choice([1, 2, 3, 3]))
            if d == SPIKE_DAY:
                hidden = rng.randint(560_000, 780_000)  # the bug: whole e-mail threads attached
            if d in lc_days and made == 0 and long_context > 0:
                hidden = rng.randint(820_000, 900_000)  # a >200k-token contract bundle, asked once
                long_context -= 1
                n_q = 1
            doc = f"Title: {title}\n" + not_logged(hidden, "document body")
            t0 = at(d, rng)
            for i in range(n_q):
                instr = SUMMARY_INSTRUCTIONS[i]
                ans = SUMMARY_ANSWERS[i]
                t = t0 + timedelta(seconds=40 * i + rng.randint(5, 30))
                out.append(Req(t, "claude-sonnet-4-5", "anthropic", "summariser", "summary", rng.choice(EMPLOYEES),
                               input=tok(SUMMARY_SYSTEM) + tok(doc) + hidden // 4 + tok(instr),
                               output=tok(ans) + rng.randint(150, 700),
                               system=SUMMARY_SYSTEM, messages=[("user", f"{doc}\n\n{instr}")], response=ans))
            made += n_q
    return out


def code_reviews(rng: random.Random, n: int) -> list[Req]:
    """code-review on claude-sonnet-4-5 with explicit prompt caching of the conventions."""
    out: list[Req] = []
    prefix = tok(CODE_REVIEW_SYSTEM) + 10240 // 4
    weekdays = [d for d in DAYS if d.weekday() < 5]
    for d, k in zip(weekdays, spread(n, [1.0] * len(weekdays))):
        last: datetime | None = None
        use_1h = d >= date(2025, 10, 13)  # the team moved to the 1-hour TTL mid-month
        ttl = 3600 if use_1h else 300
        for t in sorted(at(d, rng, (8, 19)) for _ in range(k)):
            repo, diff = rng.choice(DIFFS)
            user = f"Review pull request #{rng.randint(1200, 2900)} for acme/{repo}:\n{diff}"
            live = last is not None and (t - last).total_seconds() < ttl
            last = t
            ans = "LGTM" if rng.random() < 0.35 else "- billing/invoice.py:44: logs the invoice total (PII policy). Fix: log the invoice id."
            w5 = 0 if live or use_1h else prefix
            w1h = prefix if (not live and use_1h) else 0
            out.append(Req(t, "claude-sonnet-4-5", "anthropic", "code-review", "pr-review", rng.choice(EMPLOYEES),
                           input=tok(user) + 3, cache_read=prefix if live else 0, cache_write_5m=w5, cache_write_1h=w1h,
                           output=tok(ans) + rng.randint(20, 300),
                           system=CODE_REVIEW_SYSTEM, messages=[("user", user)], response=ans))
    return out


def escalations(rng: random.Random, n: int) -> list[Req]:
    """support-bot escalation classifier on claude-3-5-haiku."""
    out: list[Req] = []
    for d, k in zip(DAYS, spread(n, [day_weight(d) for d in DAYS])):
        for t in sorted(at(d, rng) for _ in range(k)):
            q, _ = rng.choice(SUPPORT_QA)
            esc = rng.random() < 0.15
            ans = json.dumps({"escalate": esc, "reason": "angry customer" if esc else "answered"})
            user = f"Customer: {q}\nAssistant: (answered from the help centre)"
            out.append(Req(t, "claude-3-5-haiku", "anthropic", "support-bot", "escalation-check", rng.choice(USERS),
                           input=tok(HAIKU_ESCALATION_SYSTEM) + tok(user) + 8, output=tok(ans) + 2,
                           system=HAIKU_ESCALATION_SYSTEM, messages=[("user", user)], response=ans))
    return out


def nightly_tags(rng: random.Random, per_night: int, family: str, batch: bool, hour: int) -> list[Req]:
    """nightly-tagging: support tickets tagged at night (every night, weekends included)."""
    out: list[Req] = []
    for d in DAYS:
        for _ in range(per_night):
            t = datetime(d.year, d.month, d.day, hour, rng.randint(0, 59), rng.randint(0, 59), tzinfo=UTC)
            item = rng.choice(TAG_ITEMS)
            tag = TAGS[TAG_ITEMS.index(item)]
            system = "Tag the support ticket with one of: " + ", ".join(TAGS) + ". Reply with the tag only."
            out.append(Req(t, family, "openai" if family.startswith("gpt") else "anthropic", "nightly-tagging", "tagging",
                           "tagging-job", input=tok(system) + tok(item) + rng.randint(300, 900), output=rng.randint(2, 6),
                           batch=batch, system=system, messages=[("user", item)], response=tag))
    return sorted(out, key=lambda r: r.time)


def gemini_drafts(rng: random.Random, n: int) -> list[Req]:
    """sales-email drafts on gemini-2.5-flash (thinking tokens, implicit caching)."""
    out: list[Req] = []
    weekdays = [d for d in DAYS if d.weekday() < 5]
    for d, k in zip(weekdays, spread(n, [1.0] * len(weekdays))):
        for t in sorted(at(d, rng, (8, 18)) for _ in range(k)):
            name, company = rng.choice(SALES_NAMES)
            prompt = 1800 + rng.randint(0, 1400)
            cached = 1024 * rng.choice([0, 0, 1]) if prompt > 2048 else 0
            thoughts = rng.randint(0, 900)
            cand = rng.randint(180, 420)
            out.append(Req(t, "gemini-2.5-flash", "google", "sales-email", "draft", "",
                           input=prompt - cached, cache_read=cached, output=cand + thoughts, reasoning=thoughts,
                           response=f"Subject: Next steps for {company}\n\nHi {name}, ..."))
    return out


def internal_metering(rng: random.Random, n: int) -> list[Req]:
    """The sales tools' own usage table: subject lines (gpt-4o-mini) and query expansion (haiku)."""
    out: list[Req] = []
    for d, k in zip(DAYS, spread(n, [day_weight(d) for d in DAYS])):
        for t in sorted(at(d, rng) for _ in range(k)):
            if rng.random() < 0.55:
                out.append(Req(t, "gpt-4o-mini", "openai", "sales-email", "subject-lines", rng.choice(EMPLOYEES),
                               input=rng.randint(250, 700), output=rng.randint(30, 90)))
            else:
                out.append(Req(t, "claude-3-5-haiku", "anthropic", "search", "query-expansion", rng.choice(USERS),
                               input=rng.randint(120, 400), output=rng.randint(20, 60)))
    return out


# ------------------------------------------------------------------------------
# Writers: request-level logs
# ------------------------------------------------------------------------------

def openai_chat_line(r: Req, rng: random.Random) -> dict[str, Any]:
    model = MODEL_IDS.get(r.family, r.family)
    msgs: list[dict[str, Any]] = [{"role": "system" if r.family != "o3" else "developer", "content": r.system}]
    msgs += [{"role": role, "content": text} for role, text in r.messages]
    prompt_tokens = r.input + r.cache_read
    usage = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": r.output,
        "total_tokens": prompt_tokens + r.output,
        "prompt_tokens_details": {"cached_tokens": r.cache_read},
        "completion_tokens_details": {"reasoning_tokens": r.reasoning},
    }
    return {
        "request": {"model": r.family, "messages": msgs, "user": r.user,
                    "metadata": {"app": r.app, "feature": r.feature}},
        "response": {
            "id": "chatcmpl-" + rid(rng, 29), "object": "chat.completion", "created": epoch(r.time), "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": r.response}, "finish_reason": "stop"}],
            "usage": usage, "service_tier": "default",
            "system_fingerprint": None if r.family == UNKNOWN_MODEL else "fp_" + rid(rng, 10).lower(),
        },
    }


def anthropic_line(r: Req, rng: random.Random) -> dict[str, Any]:
    model = MODEL_IDS[r.family]
    system: Any = r.system
    if r.cache_read or r.cache_write_5m or r.cache_write_1h:
        cc: dict[str, Any] = {"type": "ephemeral"}
        if r.cache_write_1h or r.time.date() >= date(2025, 10, 13):
            cc["ttl"] = "1h"
        system = [{"type": "text", "text": r.system, "cache_control": cc}]
    return {
        "timestamp": iso(r.time, ms=True),
        "app": r.app,
        "feature": r.feature,
        "request": {"model": r.family, "max_tokens": 1024, "system": system,
                    "messages": [{"role": role, "content": text} for role, text in r.messages],
                    "metadata": {"user_id": r.user}},
        "response": {
            "id": "msg_01" + rid(rng, 22), "type": "message", "role": "assistant", "model": model,
            "content": [{"type": "text", "text": r.response}], "stop_reason": "end_turn", "stop_sequence": None,
            "usage": {
                "input_tokens": r.input,
                "cache_creation_input_tokens": r.cache_write_5m + r.cache_write_1h,
                "cache_read_input_tokens": r.cache_read,
                "cache_creation": {"ephemeral_5m_input_tokens": r.cache_write_5m,
                                   "ephemeral_1h_input_tokens": r.cache_write_1h},
                "output_tokens": r.output,
                "service_tier": "standard",
            },
        },
    }


LITELLM_HEADER = [
    "request_id", "call_type", "api_key", "spend", "total_tokens", "prompt_tokens", "completion_tokens", "startTime",
    "endTime", "completionStartTime", "model", "model_id", "model_group", "custom_llm_provider", "api_base", "user",
    "metadata", "cache_hit", "cache_key", "request_tags", "team_id", "organization_id", "end_user",
    "requester_ip_address", "messages", "response", "session_id", "status", "mcp_namespaced_tool_name", "agent_id",
    "proxy_server_request",
]
LITELLM_KEYS = {"search": "5f0c3a9e8d7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa998877",
                "nightly-tagging": "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b"}
LITELLM_TEAMS = {"search": "team-3c1f", "nightly-tagging": "team-9d2e"}


def litellm_row(r: Req, rng: random.Random, cache_hit: bool) -> list[Any]:
    prompt_tokens = 0 if cache_hit else r.input + r.cache_read
    out_tokens = 0 if cache_hit else r.output
    spend = 0.0 if cache_hit else list_cost(r)
    model = MODEL_IDS[r.family]
    usage: dict[str, Any] = {"completion_tokens": out_tokens, "prompt_tokens": prompt_tokens,
                             "total_tokens": prompt_tokens + out_tokens,
                             "prompt_tokens_details": {"cached_tokens": 0 if cache_hit else r.cache_read}}
    meta = {
        "user_api_key": LITELLM_KEYS[r.app], "user_api_key_alias": f"{r.app}-prod",
        "user_api_key_team_id": LITELLM_TEAMS[r.app], "user_api_key_team_alias": r.app,
        "status": "success", "usage_object": usage,
    }
    start = r.time
    end = start + timedelta(milliseconds=rng.randint(400, 4000))
    store = r.app == "search" and not cache_hit
    messages = json.dumps([{"role": "system", "content": r.system}] + [{"role": a, "content": b} for a, b in r.messages],
                          ensure_ascii=False) if store else "{}"
    response = json.dumps({"choices": [{"message": {"role": "assistant", "content": r.response}}]},
                          ensure_ascii=False) if store else "{}"
    provider = "openai" if r.family.startswith("gpt") else "anthropic"
    ts = "%Y-%m-%d %H:%M:%S.%f"
    return [
        "chatcmpl-" + uuid_of("litellm", start.isoformat(), rng.random()), "acompletion", LITELLM_KEYS[r.app],
        f"{spend:.10f}".rstrip("0").rstrip(".") if spend else "0.0", prompt_tokens + out_tokens, prompt_tokens,
        out_tokens, start.strftime(ts)[:-3], end.strftime(ts)[:-3], (start + timedelta(milliseconds=300)).strftime(ts)[:-3],
        model, "", r.family, provider, "", r.user, json.dumps(meta, separators=(", ", ": ")),
        "True" if cache_hit else "False", "" if not cache_hit else uuid_of("k", r.messages), json.dumps([r.feature]),
        LITELLM_TEAMS[r.app], "", "", "", messages, response, "", "success", "", "", "{}",
    ]


def gemini_line(r: Req, rng: random.Random) -> dict[str, Any]:
    prompt = r.input + r.cache_read
    cand = r.output - r.reasoning
    um: dict[str, Any] = {"promptTokenCount": prompt, "candidatesTokenCount": cand,
                          "totalTokenCount": prompt + r.output}
    if r.cache_read:
        um["cachedContentTokenCount"] = r.cache_read
    if r.reasoning:
        um["thoughtsTokenCount"] = r.reasoning
    um["promptTokensDetails"] = [{"modality": "TEXT", "tokenCount": prompt}]
    if r.cache_read:
        um["cacheTokensDetails"] = [{"modality": "TEXT", "tokenCount": r.cache_read}]
    return {
        "candidates": [{"content": {"role": "model", "parts": [{"text": r.response}]}, "finishReason": "STOP"}],
        "usageMetadata": um,
        "modelVersion": r.family,
        "createTime": r.time.strftime("%Y-%m-%dT%H:%M:%S.") + f"{rng.randint(0, 999999):06d}Z",
        "responseId": rid(rng, 22),
    }


def batch_line(r: Req, rng: random.Random, i: int) -> dict[str, Any]:
    body = {
        "id": "resp_" + rid(rng, 40).lower(), "object": "response", "created_at": epoch(r.time), "status": "completed",
        "model": MODEL_IDS[r.family],
        "output": [{"type": "message", "id": "msg_" + rid(rng, 40).lower(), "status": "completed", "role": "assistant",
                    "content": [{"type": "output_text", "text": r.response, "annotations": []}]}],
        "metadata": {"app": r.app, "feature": r.feature},
        "usage": {"input_tokens": r.input + r.cache_read, "input_tokens_details": {"cached_tokens": r.cache_read},
                  "output_tokens": r.output, "output_tokens_details": {"reasoning_tokens": 0},
                  "total_tokens": r.input + r.cache_read + r.output},
    }
    return {"id": "batch_req_" + rid(rng, 24).lower(), "custom_id": f"tag-{r.time:%Y%m%d}-{i:03d}",
            "response": {"status_code": 200, "request_id": rid(rng, 32).lower(), "body": body}, "error": None}


# ------------------------------------------------------------------------------
# Claude Code and Codex session logs
# ------------------------------------------------------------------------------

CC_PROJECT = "-home-ana-acme-platform"
CC_CWD = "/home/ana/acme-platform"


def claude_code_files(rng: random.Random, root: Path) -> tuple[list[Req], int]:
    """Two sessions (one with a subagent); streamed messages repeat with growing output_tokens."""
    reqs: list[Req] = []
    base = root / "claude-code" / "projects" / CC_PROJECT
    sessions = [("2025-10-07T09:14:00", 9, "Add retry with backoff to the sync uploader"),
                ("2025-10-21T13:40:00", 7, "Why does test_invoice_rounding fail on CI?")]
    lines_total = 0
    for s_idx, (start, turns, ask) in enumerate(sessions):
        sid = uuid_of("cc-session", s_idx)
        t = datetime.fromisoformat(start).replace(tzinfo=UTC)
        lines: list[dict[str, Any]] = [{"type": "summary", "summary": ask, "leafUuid": uuid_of("leaf", s_idx)}]
        parent: str | None = None
        common = {"isSidechain": False, "userType": "external", "cwd": CC_CWD, "sessionId": sid,
                  "version": "2.0.14", "gitBranch": "main"}
        uid = uuid_of("u", s_idx, 0)
        lines.append({"parentUuid": parent, **common, "type": "user", "message": {"role": "user", "content": ask},
                      "uuid": uid, "timestamp": iso(t, ms=True)})
        parent = uid
        context = 14_000
        for turn in range(turns):
            t += timedelta(seconds=rng.randint(4, 40))
            model = "claude-3-5-haiku" if turn % 4 == 3 else "claude-sonnet-4-5"
            inp = rng.randint(3, 40)
            write = rng.randint(300, 4000)
            read = context if model == "claude-sonnet-4-5" else 0
            final_out = rng.randint(60, 900)
            msg_id = "msg_01" + rid(rng, 22)
            req_id = "req_011C" + rid(rng, 20)
            blocks = [{"type": "text", "text": "Let me look at the uploader first."},
                      {"type": "tool_use", "id": "toolu_01" + rid(rng, 22), "name": "Read",
                       "input": {"file_path": f"{CC_CWD}/sync/uploader.py"}}]
            for b_idx, block in enumerate(blocks):  # one line per content block while streaming
                out_tok = final_out if b_idx == len(blocks) - 1 else max(1, final_out // 8)
                uid = uuid_of("a", s_idx, turn, b_idx)
                lines.append({"parentUuid": parent, **common, "message": {
                    "id": msg_id, "type": "message", "role": "assistant", "model": MODEL_IDS[model], "content": [block],
                    "stop_reason": "tool_use" if b_idx == len(blocks) - 1 else None, "stop_sequence": None,
                    "usage": {"input_tokens": inp, "cache_creation_input_tokens": write, "cache_read_input_tokens": read,
                              "cache_creation": {"ephemeral_5m_input_tokens": write, "ephemeral_1h_input_tokens": 0},
                              "output_tokens": out_tok, "service_tier": "standard"}},
                    "requestId": req_id, "type": "assistant", "uuid": uid, "timestamp": iso(t, ms=True)})
                parent = uid
                t += timedelta(milliseconds=rng.randint(300, 2500))
            reqs.append(Req(t, model, "anthropic", "acme-platform", "main", "ana", input=inp, cache_read=read,
                            cache_write_5m=write, output=final_out))
            uid = uuid_of("r", s_idx, turn)
            lines.append({"parentUuid": parent, **common, "type": "user", "message": {"role": "user", "content": [
                {"tool_use_id": "toolu_x", "type": "tool_result", "content": "class Uploader: ..."}]},
                "uuid": uid, "timestamp": iso(t, ms=True)})
            parent = uid
            context += write
        lines_total += jsonl(base / f"{sid}.jsonl", lines)
        if s_idx == 0:  # a subagent searched the code base
            sub: list[dict[str, Any]] = []
            common_sc = {**common, "isSidechain": True, "agentId": "a1b2c3d4"}
            st = datetime.fromisoformat(start).replace(tzinfo=UTC) + timedelta(minutes=2)
            sub.append({"parentUuid": None, **common_sc, "type": "user",
                        "message": {"role": "user", "content": "Find every caller of Uploader.put()"},
                        "uuid": uuid_of("su", 0), "timestamp": iso(st, ms=True)})
            for k in range(3):
                st += timedelta(seconds=rng.randint(3, 15))
                inp, write, out_tok = rng.randint(5, 30), rng.randint(1000, 6000), rng.randint(40, 300)
                msg_id = "msg_01" + rid(rng, 22)
                for rep in range(2):  # thinking block, then the text block: same id, same usage
                    sub.append({"parentUuid": uuid_of("su", k), **common_sc, "message": {
                        "id": msg_id, "type": "message", "role": "assistant", "model": MODEL_IDS["claude-3-5-haiku"],
                        "content": [{"type": "text", "text": f"Found {k + 2} callers."}], "stop_reason": "end_turn" if rep else None,
                        "stop_sequence": None,
                        "usage": {"input_tokens": inp, "cache_creation_input_tokens": write, "cache_read_input_tokens": 0,
                                  "cache_creation": {"ephemeral_5m_input_tokens": write, "ephemeral_1h_input_tokens": 0},
                                  "output_tokens": out_tok, "service_tier": "standard"}},
                        "requestId": "req_011C" + rid(rng, 20) if rep == 0 else sub[-1]["requestId"],
                        "type": "assistant", "uuid": uuid_of("sa", k, rep), "timestamp": iso(st, ms=True)})
                reqs.append(Req(st, "claude-3-5-haiku", "anthropic", "acme-platform", "subagent", "ana", input=inp,
                                cache_write_5m=write, output=out_tok))
            lines_total += jsonl(base / sid / "subagents" / "agent-a1b2c3d4.jsonl", sub)
    return reqs, lines_total


def codex_file(rng: random.Random, root: Path) -> list[Req]:
    """One Codex CLI rollout with cumulative token_count events (some repeated)."""
    start = datetime(2025, 10, 14, 9, 12, 3, tzinfo=UTC)
    sid = "0199e2a4-7b1c-7d3e-9f10-" + hashlib.sha1(b"codex").hexdigest()[:12]
    path = root / "codex" / "sessions" / "2025" / "10" / "14" / f"rollout-2025-10-14T09-12-03-{sid}.jsonl"
    cwd = "/home/dev/acme-billing"
    lines: list[dict[str, Any]] = [
        {"timestamp": iso(start, ms=True), "type": "session_meta", "payload": {
            "id": sid, "timestamp": iso(start, ms=True), "cwd": cwd, "originator": "codex_cli_rs",
            "cli_version": "0.46.0", "instructions": None, "source": "cli", "model_provider": "openai",
            "git": {"branch": "fix/rounding"}}},
        {"timestamp": iso(start + timedelta(seconds=1), ms=True), "type": "turn_context", "payload": {
            "cwd": cwd, "approval_policy": "on-request", "sandbox_policy": {"mode": "workspace-write"},
            "model": "gpt-5-codex", "effort": "medium", "summary": "auto"}},
        {"timestamp": iso(start + timedelta(seconds=2), ms=True), "type": "response_item", "payload": {
            "type": "message", "role": "user",
            "content": [{"type": "input_text", "text": "Invoice totals are off by a cent; find and fix the rounding."}]}},
        {"timestamp": iso(start + timedelta(seconds=2), ms=True), "type": "event_msg",
         "payload": {"type": "token_count", "info": None, "rate_limits": None}},
    ]
    total = {"input_tokens": 0, "cached_input_tokens": 0, "output_tokens": 0, "reasoning_output_tokens": 0,
             "total_tokens": 0}
    reqs: list[Req] = []
    t = start + timedelta(seconds=3)
    for call in range(12):
        t += timedelta(seconds=rng.randint(5, 60))
        inp = 9000 + call * rng.randint(1500, 3000)
        cached = (inp * 8 // 10) // 128 * 128 if call else 0
        reasoning = rng.randint(0, 800)
        out = reasoning + rng.randint(40, 600)
        last = {"input_tokens": inp, "cached_input_tokens": cached, "output_tokens": out,
                "reasoning_output_tokens": reasoning, "total_tokens": inp + out}
        for k in total:
            total[k] += last[k]
        event = {"timestamp": iso(t, ms=True), "type": "event_msg", "payload": {"type": "token_count", "info": {
            "total_token_usage": dict(total), "last_token_usage": last, "model_context_window": 272000},
            "rate_limits": {"primary": {"used_percent": 2.0 + call, "window_minutes": 300, "resets_in_seconds": 15000}}}}
        lines.append(event)
        if call % 4 == 0:  # Codex repeats the same totals (unchanged): counted once
            lines.append(json.loads(json.dumps(event)))
        reqs.append(Req(t, "gpt-5-codex", "openai", "acme-billing", "main", "dev", input=inp - cached,
                        cache_read=cached, output=out, reasoning=reasoning))
    jsonl(path, lines)
    return reqs


# ------------------------------------------------------------------------------
# Exports (daily aggregates of the same traffic)
# ------------------------------------------------------------------------------

OPENAI_PROJECTS = {"support-bot": "proj_Ks8vQ2supportbot", "search": "proj_Lr4tW9search", "code-review": "proj_Mx1yZ3codereview",
                   "nightly-tagging": "proj_Np6uA7tagging", "sales-email": "proj_Oq2iB5salesemail",
                   "acme-billing": "proj_Pz9oC1devtools"}
OPENAI_KEYS = {app: "key_" + hashlib.sha1(app.encode()).hexdigest()[:16] for app in OPENAI_PROJECTS}
ANTHROPIC_WS = {"summariser": ("wrkspc_01Summ4r1s3rAcme", "summariser"), "code-review": ("wrkspc_01C0deRev1ewAcme", "code-review"),
                "support-bot": ("wrkspc_01Supp0rtB0tAcme", "support"), "search": ("wrkspc_01Supp0rtB0tAcme", "support"),
                "nightly-tagging": ("wrkspc_01Ta9g1ngJ0bAcme", "batch-jobs"), "acme-platform": ("", "Claude Code")}
ANTHROPIC_KEYS = {"summariser": "acme-summariser-prod", "code-review": "acme-code-review", "support-bot": "acme-support-prod",
                  "search": "acme-support-prod", "nightly-tagging": "acme-litellm-proxy", "acme-platform": "claude_code_key_ana"}


def day_start(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def openai_groups(reqs: list[Req]) -> dict[tuple[date, str, str, bool], dict[str, int]]:
    """(day, model id, app, batch) -> summed Usage API quantities."""
    g: dict[tuple[date, str, str, bool], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in reqs:
        if r.provider != "openai":
            continue
        k = (r.time.date(), MODEL_IDS.get(r.family, r.family), r.app, r.batch)
        a = g[k]
        a["input_tokens"] += r.input + r.cache_read
        a["input_cached_tokens"] += r.cache_read
        a["output_tokens"] += r.output
        a["num_model_requests"] += 1
    return dict(sorted(g.items()))


def openai_cost_items(reqs: list[Req]) -> dict[tuple[date, str, str], float]:
    """(day, line item, app) -> dollars at list price."""
    g: dict[tuple[date, str, str], float] = defaultdict(float)
    for r in reqs:
        if r.provider != "openai":
            continue
        p_in, p_read, _, _, p_out = PRICES[r.family]
        mid = MODEL_IDS.get(r.family, r.family)
        pre = "batch " if r.batch else ""
        f = 0.5 if r.batch else 1.0
        d = r.time.date()
        g[(d, f"{mid}, {pre}input", r.app)] += r.input * p_in / 1e6 * f
        if r.cache_read:
            g[(d, f"{mid}, {pre}cached input", r.app)] += r.cache_read * p_read / 1e6 * f
        g[(d, f"{mid}, {pre}output", r.app)] += r.output * p_out / 1e6 * f
    return dict(sorted(g.items()))


def write_openai_exports(reqs: list[Req], out: Path) -> None:
    groups = openai_groups(reqs)
    header = ["start_time", "end_time", "start_time_iso", "end_time_iso", "project_id", "num_model_requests", "user_id",
              "api_key_id", "model", "batch", "service_tier", "input_tokens", "output_tokens", "input_cached_tokens",
              "input_uncached_tokens", "input_audio_tokens", "output_audio_tokens"]
    rows = []
    for (d, model, app, batch), a in groups.items():
        s = day_start(d)
        e = s + timedelta(days=1)
        rows.append([epoch(s), epoch(e), s.isoformat(), e.isoformat(), OPENAI_PROJECTS[app], a["num_model_requests"], "",
                     OPENAI_KEYS[app], model, str(batch), "batch" if batch else "default", a["input_tokens"],
                     a["output_tokens"], a["input_cached_tokens"], a["input_tokens"] - a["input_cached_tokens"], 0, 0])
    write_csv(out / "openai_usage_2025-10.csv", header, rows)

    buckets: dict[date, list[dict[str, Any]]] = {d: [] for d in DAYS}
    for (d, model, app, batch), a in groups.items():
        buckets[d].append({"object": "organization.usage.completions.result", "input_tokens": a["input_tokens"],
                           "output_tokens": a["output_tokens"], "input_cached_tokens": a["input_cached_tokens"],
                           "input_audio_tokens": 0, "output_audio_tokens": 0,
                           "num_model_requests": a["num_model_requests"], "project_id": OPENAI_PROJECTS[app],
                           "user_id": None, "api_key_id": OPENAI_KEYS[app], "model": model, "batch": batch})
    write_json(out / "openai_usage_api.json", _pages(buckets, "usage"))

    items = openai_cost_items(reqs)
    header = ["start_time", "end_time", "start_time_iso", "end_time_iso", "amount_value", "amount_currency", "quantity",
              "quantity_unit", "line_item", "user_id", "api_key_id", "project_id", "organization_id", "project_name",
              "organization_name", "user_email", "api_source"]
    rows = []
    cost_buckets: dict[date, list[dict[str, Any]]] = {d: [] for d in DAYS}
    for (d, item, app), usd in items.items():
        s = day_start(d)
        e = s + timedelta(days=1)
        rows.append([epoch(s), epoch(e), s.isoformat(), e.isoformat(), f"{usd:.10f}", "usd", "", "", item, "", "",
                     OPENAI_PROJECTS[app], "org-AcmeCloud42", app, "Acme Cloud", "", ""])
        cost_buckets[d].append({"object": "organization.costs.result",
                                "amount": {"value": round(usd, 10), "currency": "usd"},
                                "line_item": item, "project_id": OPENAI_PROJECTS[app]})
    write_csv(out / "openai_costs_2025-10.csv", header, rows)
    write_json(out / "openai_costs_api.json", _pages(cost_buckets, "costs"))


def _pages(buckets: dict[date, list[dict[str, Any]]], kind: str) -> list[dict[str, Any]]:
    """Split daily buckets into API pages of 7 days (``has_more`` / ``next_page``)."""
    days = sorted(buckets)
    pages = []
    for i in range(0, len(days), 7):
        chunk = days[i:i + 7]
        more = i + 7 < len(days)
        pages.append({
            "object": "page",
            "data": [{"object": "bucket", "start_time": epoch(day_start(d)),
                      "end_time": epoch(day_start(d) + timedelta(days=1)), "results": buckets[d]} for d in chunk],
            "has_more": more,
            "next_page": ("page_" + hashlib.sha1(f"{kind}{i}".encode()).hexdigest()[:20]) if more else None,
        })
    return pages


def anthropic_groups(reqs: list[Req]) -> dict[tuple[date, str, str, str, bool], dict[str, int]]:
    """(day, family, app, tier, long context) -> summed token quantities."""
    g: dict[tuple[date, str, str, str, bool], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in reqs:
        if r.provider != "anthropic":
            continue
        a = g[(r.time.date(), r.family, r.app, "batch" if r.batch else "standard", r.long_context)]
        a["uncached"] += r.input
        a["w5"] += r.cache_write_5m
        a["w1h"] += r.cache_write_1h
        a["read"] += r.cache_read
        a["out"] += r.output
    return dict(sorted(g.items()))


TOKEN_TYPES = (("uncached", "input_no_cache", "uncached_input_tokens", "Input Tokens", 0),
               ("w5", "input_cache_write_5m", "cache_creation.ephemeral_5m_input_tokens", "Cache Write (5m)", 2),
               ("w1h", "input_cache_write_1h", "cache_creation.ephemeral_1h_input_tokens", "Cache Write (1h)", 3),
               ("read", "input_cache_read", "cache_read_input_tokens", "Cache Read", 1),
               ("out", "output", "output_tokens", "Output Tokens", 4))


def write_anthropic_exports(reqs: list[Req], out: Path) -> None:
    groups = anthropic_groups(reqs)
    header = ["usage_date_utc", "model_version", "api_key", "workspace", "usage_type", "context_window",
              "usage_input_tokens_no_cache", "usage_input_tokens_cache_write_5m", "usage_input_tokens_cache_write_1h",
              "usage_input_tokens_cache_read", "usage_output_tokens", "web_search_count", "inference_geo", "speed"]
    rows = []
    for (d, fam, app, tier, lc), a in groups.items():
        rows.append([d.isoformat(), MODEL_IDS[fam], ANTHROPIC_KEYS[app], ANTHROPIC_WS[app][1], tier,
                     "> 200k" if lc else "≤ 200k", a["uncached"], a["w5"], a["w1h"], a["read"], a["out"], 0, "global", ""])
    write_csv(out / "anthropic_usage_2025-10.csv", header, rows)

    usage_buckets: dict[date, list[dict[str, Any]]] = {d: [] for d in DAYS}
    cost_buckets: dict[date, list[dict[str, Any]]] = {d: [] for d in DAYS}
    cost_rows = []
    for (d, fam, app, tier, lc), a in groups.items():
        ws_id, ws_name = ANTHROPIC_WS[app]
        usage_buckets[d].append({
            "api_key_id": "apikey_01" + hashlib.sha1(ANTHROPIC_KEYS[app].encode()).hexdigest()[:20],
            "workspace_id": ws_id or None, "model": MODEL_IDS[fam], "service_tier": tier,
            "context_window": "200k-1M" if lc else "0-200k", "inference_geo": "global",
            "uncached_input_tokens": a["uncached"],
            "cache_creation": {"ephemeral_1h_input_tokens": a["w1h"], "ephemeral_5m_input_tokens": a["w5"]},
            "cache_read_input_tokens": a["read"], "output_tokens": a["out"],
            "server_tool_use": {"web_search_requests": 0}})
        prices = PRICES[fam + ">200k" if lc else fam]
        for qty_key, console_type, api_type, label, p_idx in TOKEN_TYPES:
            if not a[qty_key]:
                continue
            list_usd = a[qty_key] * prices[p_idx] / 1e6 * (0.5 if tier == "batch" else 1.0)
            billed = list_usd * (1 - ANTHROPIC_DISCOUNT)
            cost_rows.append([d.isoformat(), DISPLAY[fam], ws_name, ANTHROPIC_KEYS[app], "message",
                              "> 200k" if lc else "≤ 200k", console_type, f"{billed:.6f}", f"{list_usd:.6f}", "token",
                              "global", "", "apikey_01" + hashlib.sha1(ANTHROPIC_KEYS[app].encode()).hexdigest()[:20],
                              "active"])
            cost_buckets[d].append({
                "amount": f"{billed * 100:.6f}", "currency": "USD", "cost_type": "tokens",
                "token_type": api_type,
                "description": f"{DISPLAY[fam]} Usage - {label}", "model": MODEL_IDS[fam], "service_tier": tier,
                "context_window": "200k-1M" if lc else "0-200k", "inference_geo": "global",
                "workspace_id": ws_id or None})
    write_csv(out / "anthropic_cost_2025-10.csv",
              ["usage_date_utc", "model", "workspace", "api_key", "usage_type", "context_window", "token_type",
               "cost_usd", "list_price_usd", "cost_type", "inference_geo", "speed", "api_key_id", "api_key_status"],
              cost_rows)
    for name, buckets in (("anthropic_usage_report.json", usage_buckets), ("anthropic_cost_report.json", cost_buckets)):
        write_json(out / name, {
            "data": [{"starting_at": iso(day_start(d)), "ending_at": iso(day_start(d) + timedelta(days=1)),
                      "results": buckets[d]} for d in DAYS],
            "has_more": False, "next_page": None})


# ------------------------------------------------------------------------------
# Custom CSV, overrides, README
# ------------------------------------------------------------------------------

def write_custom(reqs: list[Req], out: Path) -> int:
    """The finance team's warehouse extract: odd column names, German dates, semicolons."""
    rows = []
    for r in reqs:
        rows.append([r.time.strftime("%d.%m.%Y %H:%M"), MODEL_IDS.get(r.family, r.family), r.app.upper(),
                     r.input + r.cache_read, r.cache_read, r.output, r.user])
    n = write_csv(out / "warehouse_llm_extract.csv",
                  ["Buchungszeit", "KI_Modell", "Kostenstelle", "Tok_Eingabe_gesamt", "Tok_Cache", "Tok_Ausgabe",
                   "Mitarbeiter"], rows, delimiter=";")
    (out / "mapping.yaml").write_text(
        "# llmcost --map samples/custom/mapping.yaml samples/custom/warehouse_llm_extract.csv\n"
        "# The finance warehouse's extract of the sales tools' OpenAI usage.\n"
        "format: csv\n"
        "columns:\n"
        "  time: Buchungszeit\n"
        "  model: KI_Modell\n"
        "  app: Kostenstelle\n"
        "  input_tokens: Tok_Eingabe_gesamt\n"
        "  cache_read_tokens: Tok_Cache\n"
        "  output_tokens: Tok_Ausgabe\n"
        "  user: Mitarbeiter\n"
        "input_includes_cache: true      # Tok_Eingabe_gesamt counts the cached tokens too\n"
        'time_format: "%d.%m.%Y %H:%M"   # naive times are UTC\n'
        "defaults: {provider: openai, feature: warehouse}\n",
        encoding="utf-8")
    return n


PRICES_YAML = """\
# Price overrides for the Acme samples:  llmcost analyze samples/logs --prices samples/prices.yaml
# (format: see llmcost/pricing/overrides.py)
models:
  # the self-hosted sales fine-tune: 2 GPUs at $4.80/hour, ~1,500 tokens/s measured
  - match: acme-finetune-v2
    hourly_usd: 9.60
    tokens_per_second: 1500
discounts:
  # Acme's negotiated Anthropic contract: 10% off list prices
  - provider: anthropic
    percent: 10
"""


def write_readme(root: Path, lines: list[tuple[str, str, str]]) -> None:
    body = [
        "# llmcost samples: Acme, October 2025",
        "",
        "One fictional company's LLM usage for one month, in every format llmcost reads. Generated",
        "deterministically by `scripts/make_samples.py` (do not edit by hand; rerun the script).",
        "The story: six apps (support-bot, search, summariser, code-review, nightly-tagging,",
        f"sales-email); support-bot switched from gpt-4o to gpt-4o-mini on {SWITCH_DAY}; on {SPIKE_DAY} a",
        "bug made the summariser attach whole e-mail threads (over 15x the input tokens: the cost spike);",
        f"`{UNKNOWN_MODEL}` is a self-hosted fine-tune no price list knows (the unpriced section).",
        "Long attachments in the logged prompts are replaced by `[... N characters not logged]` markers;",
        "the token counts include them.",
        "",
        "Try: `llmcost analyze samples/logs/`, `llmcost analyze samples/logs/ --prices samples/prices.yaml --strict`,",
        "`llmcost analyze samples/exports/anthropic_usage_report.json samples/exports/anthropic_cost_report.json` (the exports overlap each other: CSV and API copies of the same usage), `llmcost whatif samples/logs/ ...`,",
        "`llmcost analyze --map samples/custom/mapping.yaml samples/custom/warehouse_llm_extract.csv`.",
        "",
        "| file | format | what it shows |",
        "|---|---|---|",
    ]
    body += [f"| `{p}` | {fmt} | {what} |" for p, fmt, what in lines]
    (root / "README.md").write_text("\n".join(body) + "\n", encoding="utf-8")


# ------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------

def clean(root: Path) -> None:
    """Remove generated content (everything except ``prompts/``, which another script owns)."""
    root.mkdir(parents=True, exist_ok=True)
    for child in root.iterdir():
        if child.name == "prompts":
            continue
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()


def generate(root: Path = SAMPLES) -> None:
    """Write every sample file under ``root`` (``samples/`` by default)."""
    clean(root)
    rng = random.Random(SEED)
    logs, exports, custom = root / "logs", root / "exports", root / "custom"

    # OpenAI gateway log (Chat Completions request + response + metadata)
    chat = sorted(support_chat(rng, 520) + search_answers(rng, 240, "gateway") + deep_reviews(rng, 120)
                  + finetune_emails(rng, 20), key=lambda r: r.time)
    jsonl(logs / "openai_chat_completions.jsonl", (openai_chat_line(r, rng) for r in chat))

    # Anthropic Messages log
    anth = sorted(summaries(rng, 240, long_context=5) + code_reviews(rng, 130) + escalations(rng, 80),
                  key=lambda r: r.time)
    jsonl(logs / "anthropic_messages.jsonl", (anthropic_line(r, rng) for r in anth))

    # LiteLLM proxy spend logs: search query rewriting on gpt-4o-mini (prompts stored) + nightly tagging on haiku
    lite_search = query_rewrites(rng, 150)
    lite_tags = nightly_tags(rng, 7, "claude-3-5-haiku", batch=False, hour=2)
    lite = sorted(lite_search + lite_tags, key=lambda r: r.time)
    hits = set(rng.sample([i for i, r in enumerate(lite) if r.app == "search"], 6))
    lite_rows = [litellm_row(r, rng, i in hits) for i, r in enumerate(lite)]
    write_csv(logs / "litellm_spend_logs.csv", LITELLM_HEADER, lite_rows)
    lite_billed = [r for i, r in enumerate(lite) if i not in hits]

    # Gemini (Vertex AI) responses
    gem = gemini_drafts(rng, 180)
    jsonl(logs / "gemini_responses.jsonl", (gemini_line(r, rng) for r in gem))

    # OpenAI Batch API output (nightly tagging), with two expired requests
    batch = nightly_tags(rng, 8, "gpt-4o-mini", batch=True, hour=1)
    blines = [batch_line(r, rng, i) for i, r in enumerate(batch)]
    blines += [{"id": "batch_req_" + rid(rng, 24).lower(), "custom_id": f"tag-20251030-9{i:02d}", "response": None,
                "error": {"code": "batch_expired",
                          "message": "This request could not be executed before the completion window expired."}}
               for i in range(2)]
    jsonl(logs / "openai_batch_output.jsonl", blines)

    # Generic usage CSV (the sales tools' own metering table)
    gen = internal_metering(rng, 300)
    write_csv(logs / "generic_usage.csv",
              ["timestamp", "provider", "model", "app", "feature", "user", "input_tokens", "output_tokens", "cost_usd"],
              ([iso(r.time), r.provider, MODEL_IDS[r.family], r.app, r.feature, r.user, r.input, r.output,
                f"{list_cost(r):.8f}"] for r in gen))

    cc, _ = claude_code_files(rng, logs)
    cx = codex_file(rng, logs)

    # Exports: the providers' view of the same month
    everything = chat + anth + lite_billed + gem + batch + gen + cc + cx
    write_openai_exports(everything, exports)
    write_anthropic_exports(everything, exports)

    # Custom CSV + mapping, price overrides
    custom.mkdir(parents=True, exist_ok=True)
    write_custom([r for r in gen if r.family == "gpt-4o-mini"], custom)
    (root / "prices.yaml").write_text(PRICES_YAML, encoding="utf-8")

    write_readme(root, README_LINES)


README_LINES: list[tuple[str, str, str]] = [
    ("logs/openai_chat_completions.jsonl", "openai-responses",
     ("gateway log of Chat Completions (request messages, response, metadata app/feature, user): support-bot "
     "(gpt-4o until 10-15, then gpt-4o-mini; automatic prompt caching; repeated and near-duplicate questions), "
     f"search (gpt-4o-mini), code-review deep reviews (o3, reasoning tokens), sales-email on `{UNKNOWN_MODEL}` (unpriced)")),
    ("logs/anthropic_messages.jsonl", "anthropic-messages",
     ("Messages API request/response log: summariser (claude-sonnet-4-5, no caching, several questions per document, "
     "five >200k-token long-context requests, the 10-22 spike), code-review (explicit caching: 5m then 1h writes, reads), "
     "support-bot escalation check (claude-3-5-haiku)")),
    ("logs/litellm_spend_logs.csv", "litellm-spend-logs",
     ("LiteLLM proxy LiteLLM_SpendLogs export: search query rewriting on gpt-4o-mini (prompts stored, repeats, a few LiteLLM cache hits) and "
     "nightly-tagging on claude-3-5-haiku at 02:00 (batch-able but not batched)")),
    ("logs/gemini_responses.jsonl", "gemini-responses",
     "Vertex AI GenerateContentResponse objects: sales-email drafts on gemini-2.5-flash (thinking tokens, implicit caching)"),
    ("logs/openai_batch_output.jsonl", "openai-batch-output",
     "OpenAI Batch API output (Responses API bodies): nightly-tagging on gpt-4o-mini at Batch prices, two expired requests"),
    ("logs/generic_usage.csv", "generic-csv",
     ("an internal metering table with obvious column names: sales-email subject lines (gpt-4o-mini), "
     "search query expansion (claude-3-5-haiku)")),
    ("logs/claude-code/projects/…/*.jsonl", "claude-code",
     "two Claude Code sessions and a subagent transcript; streamed messages repeat with growing output_tokens (counted once)"),
    ("logs/codex/sessions/2025/10/14/rollout-*.jsonl", "codex",
     "a Codex CLI rollout on gpt-5-codex: cumulative token_count events, some repeated"),
    ("exports/openai_usage_2025-10.csv", "openai-usage-csv", "OpenAI usage dashboard export: daily buckets by project, key, model, batch"),
    ("exports/openai_costs_2025-10.csv", "openai-costs-csv", "OpenAI cost dashboard export: daily line items by project, at list price"),
    ("exports/openai_usage_api.json", "openai-usage-api", "/v1/organization/usage/completions pages (7 daily buckets per page)"),
    ("exports/openai_costs_api.json", "openai-costs-api", "/v1/organization/costs pages"),
    ("exports/anthropic_usage_2025-10.csv", "anthropic-console-usage-csv",
     "Console usage export: daily tokens by model, key, workspace, context window (≤ 200k / > 200k)"),
    ("exports/anthropic_cost_2025-10.csv", "anthropic-console-cost-csv",
     "Console cost export: cost_usd = 90% of list_price_usd (the negotiated discount reconciliation finds)"),
    ("exports/anthropic_usage_report.json", "anthropic-usage-report", "Admin API usage report, daily buckets"),
    ("exports/anthropic_cost_report.json", "anthropic-cost-report", "Admin API cost report (amounts in cents, discounted)"),
    ("custom/warehouse_llm_extract.csv", "generic-csv (with --map)",
     ("a finance warehouse extract with odd German column names, semicolons and dd.mm.yyyy times: the "
      "gpt-4o-mini rows of logs/generic_usage.csv seen from finance (analyse it on its own, not with logs/)")),
    ("custom/mapping.yaml", "--map file", "maps the extract's columns to llmcost's (input includes cached tokens)"),
    ("prices.yaml", "--prices file", f"prices `{UNKNOWN_MODEL}` (self-hosted $/hour) and sets the 10% Anthropic discount"),
]


def main(argv: list[str] | None = None) -> None:
    """``python scripts/make_samples.py [OUTPUT_DIR]`` (default: the repository's samples/)."""
    args = sys.argv[1:] if argv is None else argv
    generate(Path(args[0]) if args else SAMPLES)


if __name__ == "__main__":
    main()
