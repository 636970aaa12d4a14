"""Prompt files the compressor reads and writes.

* Plain text and Markdown (``.txt``, ``.md``, ``.prompt``, anything not JSON /
  YAML): the whole text is one prompt, except a leading YAML front matter
  (``---`` lines around a YAML mapping: Dotprompt ``.prompt`` and Prompty
  files keep the model, its parameters and input defaults there, Markdown
  its metadata), which is configuration, not prompt text: it is kept byte
  for byte and not counted.  In a ``.prompty`` or ``.prompt`` file a leading
  ``---`` always opens one: when it does not load (bad YAML, no closing
  ``---``, not a mapping) the file is an error, not prompt text.
* JSON and YAML (``.json``, ``.yaml``, ``.yml``): only *content fields* are
  compressed; every other value (roles, names, model ids, parameters, ids)
  is left alone.  A content field is a string under one of
  :data:`CONTENT_KEYS`, at any depth, which covers

  - chat messages: a list of ``{"role", "content"}`` (OpenAI Chat Completions
    and Anthropic Messages request bodies: ``messages[*].content`` as a string
    or a list of parts ``{"type": "text", "text": ...}``, Anthropic's
    top-level ``system``; https://platform.openai.com/docs/api-reference/chat/create,
    https://docs.anthropic.com/en/api/messages);
  - GitHub Models ``.prompt.yml`` files (``messages[*].content``;
    https://docs.github.com/en/github-models/use-github-models/storing-prompts-in-github-repositories);
  - prompt-library files with ``system_prompt`` / ``user_prompt`` /
    ``prompt`` / ``template`` / ``instructions`` keys;
  - LangChain serialised prompts (``{"lc": 1, "id": [..., "ChatPromptTemplate"]}``:
    each message template's ``template``; the message class gives its role);
  - promptfoo configs (``prompts`` beside ``providers`` / ``tests``): the inline
    ``prompts`` (strings and ``raw:``), not ``file://`` references.

  Test data is never compressed: GitHub Models ``testData``, promptfoo
  ``tests`` / ``defaultTest`` / ``scenarios`` / ``vars``, few-shot ``examples``.
* JSON Lines (``.jsonl``, ``.ndjson``: OpenAI Batch API input, fine-tuning
  ``messages`` and ShareGPT ``conversations`` datasets): each line is one JSON
  record, read as a JSON file of its own (so each conversation has its own last
  user message); blank lines stay, a record written over several lines is an
  error.  A ShareGPT turn (``{"from": "human", "value": ...}``) is a message.
  A record that ends with the assistant's answer (a fine-tuning or ShareGPT
  example) keeps its user turns as written: they are the example's input,
  paired with that answer; only its system / developer messages are compressed.

  In a conversation (a list of objects with a ``role``: OpenAI / Anthropic
  ``messages``, a Responses API ``input`` list, a ``.prompt.yml``'s
  ``messages``) the past turns are data, not instructions: only the
  ``system`` / ``developer`` messages and the *last* ``user`` message are
  compressed.  Assistant messages, ``tool`` / ``function`` results, items
  without a role, earlier user turns (few-shot pairs, chat history) and
  ``tool_result`` / ``tool_use`` blocks are left byte-identical.  Anthropic's
  top-level ``system`` (a string or text blocks) and the Responses API's
  ``instructions`` are compressed, and so is its ``input`` when it is a
  string (the one user message: an ``input`` string beside ``model`` or
  ``instructions``; elsewhere ``input`` is data, e.g. a test case's).

  JSON keeps the file's layout byte for byte: only the string literals of the
  content fields that changed are replaced, in place, so indentation (spaces,
  tabs, compact), key separators, numbers as written (``1e-5``, ``1.0``),
  key order and the final newline (or its absence) never change, and
  ``--diff`` shows only the changed content lines.  A replaced literal is
  written in the style of the one it replaces: ``\\uXXXX`` escapes for
  non-ASCII when that literal (or, when it has no non-ASCII, the file) used
  them, ``\\/`` when it escaped slashes; a field whose line breaks were
  mostly CRLF is compressed with LF ones and written back with CRLF.

  YAML likewise: each changed scalar is replaced in place (PyYAML's node
  positions), so comments, anchors/aliases, quoting and indentation stay; a
  plain or quoted scalar keeps its quotes (a plain one that no longer loads
  as plain, e.g. with a ``": "``, gets double quotes), a ``|`` / ``>`` block
  keeps its indentation and the blank lines after it; a block that cannot
  stay one (an indentation indicator, ``|+`` keep chomping, a comment on its
  header, a value starting with a space) becomes a double-quoted scalar in
  place.  The result must load as exactly the intended data; when it does
  not, or a scalar cannot be written in place (one scalar under two content
  keys through an alias), the file is re-written with ``yaml.safe_dump``
  (comments, anchor names, quoting and indentation lost) and
  :data:`YAML_REWRITTEN` is among the notes ``PromptDoc.render_with_notes``
  returns.

  Either way a field that ended with a line break keeps it (the compressor
  trims a prompt's final line break, as the file's own is kept).

Source code (``.py`` with a DSPy signature, ``.ts``, ``.ipynb``...) is refused
with one clear error: the prompts in it are code, not a prompt file.

Decoding: UTF-8 (with or without a BOM) or UTF-16/32 with a BOM.  Empty
files, binary files (NUL bytes or many control characters) and text in any
other encoding are rejected with one clear error.

Line endings and BOM: a file whose line breaks are mostly CRLF (Windows) is
compressed with LF line breaks and written back with CRLF, and a UTF-8 BOM is
written back, so an unchanged line stays byte-identical (``PromptDoc.newline``
and ``PromptDoc.bom``; ``PromptDoc.raw`` is the file's exact text, BOM
included).  Token counts are those of the LF text.  UTF-16/32 files are
written back as UTF-8 (``PromptDoc.encoding`` says what was read).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError, json_error
from ..textfiles import BOMS, EmptyFileError, decode_bytes, parse_structured

CONTENT_KEYS = frozenset({
    "content", "text", "prompt", "template", "system", "system_prompt", "systemPrompt", "user_prompt",
    "userPrompt", "instructions", "instruction", "developer", "prompt_template",
})
#: roles whose messages are instructions (compressed wherever they are in a conversation)
INSTRUCTION_ROLES = frozenset({"system", "developer"})
#: content blocks that carry a tool's input or output, or a document the model reads and cites (Anthropic
#: ``document`` and ``search_result`` blocks, whose text blocks are quoted back by citations): data, never
#: compressed
DATA_BLOCK_TYPES = frozenset({"tool_result", "tool_use", "server_tool_use", "function_call", "function_call_output",
                              "document", "search_result", "web_search_tool_result", "web_fetch_tool_result",
                              "code_execution_tool_result", "mcp_tool_use", "mcp_tool_result", "thinking",
                              "redacted_thinking"})
#: keys whose values are test data, never the prompt: GitHub Models ``testData``, promptfoo
#: ``tests`` / ``defaultTest`` / ``scenarios`` and their ``vars``, LangChain few-shot ``examples``
TEST_DATA_KEYS = frozenset({"testData", "tests", "defaultTest", "scenarios", "vars", "examples"})
#: keys that, beside ``prompts``, make a mapping a promptfoo config
PROMPTFOO_KEYS = frozenset({"providers", "targets", "tests", "defaultTest", "scenarios", "evaluateOptions"})
#: source files: a prompt in code (a DSPy signature's docstring, a string literal) is code, and
#: compressing the whole file as prompt text would change the program (blank lines, comments, words)
CODE_SUFFIXES = {".py": "Python", ".pyi": "Python", ".ipynb": "Jupyter notebook", ".js": "JavaScript",
                 ".mjs": "JavaScript", ".cjs": "JavaScript", ".jsx": "JavaScript", ".ts": "TypeScript",
                 ".tsx": "TypeScript", ".mts": "TypeScript", ".java": "Java", ".kt": "Kotlin", ".go": "Go",
                 ".rs": "Rust", ".rb": "Ruby", ".cs": "C#", ".php": "PHP", ".swift": "Swift", ".c": "C",
                 ".h": "C", ".cpp": "C++", ".sh": "shell"}
STRUCTURED_SUFFIXES = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".jsonl": "jsonl", ".ndjson": "jsonl"}


class NoPromptTextError(EmptyFileError):
    """A JSON/YAML file that is valid but holds no prompt text (no content
    field, no instruction message), or a text file that is only front matter:
    a folder walk skips it with a note, a file named on the command line is an error."""

    skipped_as = "no prompt text"


@dataclass
class PromptDoc:
    """One prompt file: its content fields and how to write it back."""

    path: str
    kind: str  # "text", "json" or "yaml"
    raw: str  # the file's exact text (BOM character and CRLF line breaks included)
    texts: list[str]  # content fields, LF line breaks
    _render: Callable[[list[str]], tuple[str, list[str]]]  # the text and its notes
    newline: str = "\n"  # "\r\n" when the file's line breaks are mostly CRLF
    bom: str = ""  # "\ufeff" when the file starts with a UTF-8 BOM
    encoding: str = "utf-8"

    def render(self, texts: list[str]) -> str:
        """The file's text with its content fields replaced by ``texts``, in
        the file's own line-break style and with its BOM."""
        return self.render_with_notes(texts)[0]

    def render_with_notes(self, texts: list[str]) -> tuple[str, list[str]]:
        """:meth:`render`, and notes about how the text was written
        (:data:`YAML_REWRITTEN` when PyYAML had to re-write the file)."""
        if len(texts) != len(self.texts):
            raise ValueError("one replacement per content field is needed")
        out, notes = self._render(texts)
        if self.newline != "\n":
            out = out.replace("\r\n", "\n").replace("\n", self.newline)
        return self.bom + out, notes


def line_ending(text: str) -> str:
    """"\r\n" when most line breaks of ``text`` are CRLF, else "\n"."""
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf * 2 > text.count("\n") else "\n"


def read_prompt(path: str | Path) -> PromptDoc:
    """Read a prompt file (see module docstring)."""
    import stat

    file = Path(path)
    language = CODE_SUFFIXES.get(file.suffix.lower())
    if language is not None:
        raise InputError(f"is {language} source code, not a prompt file: compressing it as text would change the "
                         "code, and the prompts inside it (DSPy signatures, string literals) are not found",
                         file=str(path), hint="move the prompt to a .txt, .md, .json or .yaml file the code reads")
    try:
        if stat.S_ISCHR(file.stat().st_mode) or stat.S_ISBLK(file.stat().st_mode):  # /dev/zero never ends
            raise InputError("is a device, not a prompt file", file=str(path))
        raw = file.read_bytes()
    except IsADirectoryError as exc:
        raise InputError("is a folder, not a file", file=str(path)) from exc
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", file=str(path)) from exc
    text = decode_bytes(raw, str(path))
    encoding = next((codec for bom, codec in BOMS if raw.startswith(bom)), "utf-8")
    if encoding == "utf-8-sig":
        text, encoding = "\ufeff" + text, "utf-8"
    doc = parse_prompt(text, str(path))
    doc.encoding = encoding
    if not doc.texts:  # (counted as 0 tokens, it would pass any --check budget unseen)
        what = ("only front matter" if doc.kind == "text" else
                "no content field (content, text, prompt, system, instructions...) nor system, developer or "
                "last user message holds text")
        raise NoPromptTextError(f"no prompt text to compress: {what}", file=str(path))
    return doc


def parse_prompt(text: str, name: str, kind: str | None = None) -> PromptDoc:
    """A :class:`PromptDoc` from text; ``kind`` defaults from the file suffix.

    A leading BOM character and the line-break style are recorded on the
    document; its content fields get LF line breaks (see the module docstring).
    """
    kind = kind or STRUCTURED_SUFFIXES.get(Path(name).suffix.lower(), "text")
    raw = text
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    newline = line_ending(text)
    text = text[len(bom):].replace("\r\n", "\n")
    if kind == "text":
        front = front_matter(text)
        if not front and Path(name).suffix.lower() in FRONT_MATTER_SUFFIXES and _FENCE_LINE.match(text):
            _front_matter_error(text, name)
        body = text[len(front):]
        return PromptDoc(name, "text", raw, [body] if body.strip() or not front else [],
                         lambda texts: (front + texts[0] if texts else text, []), newline, bom)
    # parsed once, by loaders that also record where each value is in the source
    maps: dict[int, Any] = {}
    if kind == "jsonl":
        doc = _jsonl_with_literals(text, name)
    elif kind == "json":
        doc = parse_structured(text, kind, name, load=_json_with_literals)
    else:
        doc, maps = parse_structured(text, kind, name, load=_yaml_with_nodes)
    slots: list[tuple[Any, Any]] = []
    seen: set[int] = set()
    for record in doc if kind == "jsonl" else [doc]:  # (each JSON Lines record on its own: not one list)
        _collect(record, slots, seen, dataset=kind == "jsonl")
    values = [container[key] for container, key in slots]
    # a field with mostly CRLF line breaks is compressed with LF ones and gets CRLF back
    crlf = [line_ending(v) == "\r\n" for v in values]
    texts = [str(v).replace("\r\n", "\n") if c else str(v) for v, c in zip(values, crlf)]

    def field_values(new: list[str]) -> list[str]:
        # a field that ended with a line break keeps it (the compressor trims it, like a file's last one)
        new = [t + "\n" if old.endswith("\n") and not t.endswith("\n") else t for t, old in zip(new, texts)]
        return [t.replace("\n", "\r\n") if c else t for t, c in zip(new, crlf)]

    if kind in ("json", "jsonl"):
        file_ascii = bool(_escapes_non_ascii(text))

        def render(new: list[str]) -> tuple[str, list[str]]:
            out, pos = [], 0
            for old, changed, value, literal in sorted(zip(texts, new, field_values(new), values),
                                                       key=lambda f: f[3].start):
                if changed == old:
                    continue
                out += [text[pos:literal.start], _json_string(value, text[literal.start:literal.end], file_ascii)]
                pos = literal.end
            out.append(text[pos:])
            return "".join(out), []

        return PromptDoc(name, kind, raw, texts, render, newline, bom)

    nodes = _value_nodes(maps, slots)

    def render_yaml(new: list[str]) -> tuple[str, list[str]]:
        for (container, key), value in zip(slots, field_values(new)):
            container[key] = value
        try:
            changes = [(node, value) for node, old, changed, value in zip(nodes, texts, new, field_values(new))
                       if changed != old]
            out = _splice_yaml(text, changes, doc, quote_plain=False)
            if out is None:  # a plain scalar that must be quoted now (a ": " in it...)
                out = _splice_yaml(text, changes, doc, quote_plain=True)
            if out is None:
                return _dump(doc, kind, text), [YAML_REWRITTEN]
            return out, []
        finally:
            for (container, key), value in zip(slots, values):
                container[key] = value

    return PromptDoc(name, kind, raw, texts, render_yaml, newline, bom)


_FRONT_MATTER = re.compile(r"---[ \t]*\n(?:.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)(?:[ \t]*\n)*", re.S)
_FENCE_LINE = re.compile(r"---[ \t]*(?:\n|\Z)")
#: files whose leading ``---`` line always opens a YAML front matter (Prompty, Dotprompt): one that
#: does not load is an error, not prompt text (it would be compressed as if it were)
FRONT_MATTER_SUFFIXES = frozenset({".prompty", ".prompt"})
#: templates compressed around their protected syntax (Prompty, Jinja, Handlebars, Mustache): a folder walk
#: of ``llmcost compress`` reads them beside the prompt suffixes of ``llmcost tokens``
TEMPLATE_SUFFIXES = frozenset({".prompty", ".j2", ".jinja", ".jinja2", ".hbs", ".handlebars", ".mustache"})


def _front_matter_error(text: str, name: str) -> None:
    """Raise the one-line error for a front matter that :func:`front_matter` did not accept."""
    import yaml

    m = _FRONT_MATTER.match(text)
    if m is None:
        raise InputError("front matter not closed: no --- line ends the one opened here", file=name, line=1)
    try:
        data = yaml.safe_load("\n".join(m.group(0).strip().split("\n")[1:-1]))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).split("\n")[0]
        raise InputError(f"invalid YAML front matter: {problem}", file=name,
                         line=None if mark is None else mark.line + 2,
                         column=None if mark is None else mark.column + 1) from None
    raise InputError(f"front matter is not a YAML mapping (key: value lines) but a {type(data).__name__}",
                     file=name, line=2)


def front_matter(text: str) -> str:
    """The YAML front matter that starts ``text`` (LF line breaks), with its
    fences and the blank lines after it, or "": a ``---`` line, a YAML
    mapping (or nothing), and a ``---`` (or ``...``) line."""
    m = _FRONT_MATTER.match(text) if text.startswith("---") else None
    if m is None:
        return ""
    import yaml

    header = m.group(0).strip().split("\n")[1:-1]
    try:
        data = yaml.safe_load("\n".join(header))
    except yaml.YAMLError:
        return ""
    return m.group(0) if data is None or isinstance(data, dict) else ""


class _Literal(str):
    """A JSON string value that knows where its literal (quotes included) is in the source."""

    start: int
    end: int


def _json_with_literals(text: str, offset: int = 0) -> Any:
    """``json.loads(text)`` whose string *values* are :class:`_Literal` (object
    keys stay plain strings): the pure-Python scanner with a string hook.
    ``offset`` is where ``text`` starts in the file (a JSON Lines record)."""
    import json.decoder
    import json.scanner

    decoder = json.JSONDecoder()

    def parse_string(s: str, idx: int, strict: bool) -> tuple[_Literal, int]:
        value, end = json.decoder.scanstring(s, idx, strict)  # type: ignore[attr-defined]  # (not in typeshed)
        literal = _Literal(value)
        literal.start, literal.end = offset + idx - 1, offset + end
        return literal, end

    decoder.parse_string = parse_string  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    return decoder.decode(text)


def _jsonl_with_literals(text: str, name: str) -> list[Any]:
    """The records of a JSON Lines file (OpenAI / Anthropic Batch API input, fine-tuning and
    conversation datasets: one JSON value a line, blank lines ignored), read with
    :func:`_json_with_literals` so each string knows where it is in the whole file.  A line
    that is not one JSON value is an error naming its line and column: a record written over
    several lines is one too (the Batch API and JSON Lines readers take one a line)."""
    records, offset = [], 0
    for number, line in enumerate(text.split("\n"), 1):
        if line.strip():
            try:
                records.append(_json_with_literals(line, offset))
            except ValueError as exc:  # JSONDecodeError (or a 4,300+ digit integer)
                reason, _ = json_error(exc)
                raise InputError(f"invalid JSON Lines record: {reason}", file=name, line=number,
                                 column=getattr(exc, "colno", None)) from None
            except RecursionError:
                raise InputError("JSON nested too deeply to read", file=name, line=number) from None
        offset += len(line) + 1
    return records


_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|.)", re.S)


def _escapes_non_ascii(literal: str) -> bool | None:
    """True when ``literal`` (JSON source) writes non-ASCII as ``\\uXXXX``, False
    when it has raw non-ASCII, None when it has neither."""
    if not literal.isascii():
        return False
    if any(m.group(1) and int(m.group(1), 16) >= 0x80 for m in _ESCAPE.finditer(literal)):
        return True
    return None


def _json_string(value: str, original: str, file_ascii: bool) -> str:
    """``value`` as a JSON string literal in the style of ``original`` (see the module docstring)."""
    ascii_style = _escapes_non_ascii(original)
    if any("\ud800" <= c <= "\udfff" for c in value):  # a lone surrogate ("\ud800" in the file) has no UTF-8
        ascii_style = True
    out = json.dumps(value, ensure_ascii=file_ascii if ascii_style is None else ascii_style)
    if any(m.group(0) == "\\/" for m in _ESCAPE.finditer(original)):
        out = out.replace("/", "\\/")
    return out


#: ShareGPT turns (``{"from": "human", "value": ...}``) name their roles this way
SHAREGPT_ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant",
                  "system": "system", "function_call": "tool", "observation": "tool", "tool": "tool"}
#: a LangChain serialised message (``{"lc": 1, "id": [..., class name], "kwargs": ...}``): its role
LANGCHAIN_ROLES = {"SystemMessagePromptTemplate": "system", "SystemMessage": "system",
                   "HumanMessagePromptTemplate": "user", "HumanMessage": "user",
                   "AIMessagePromptTemplate": "assistant", "AIMessage": "assistant",
                   "ToolMessage": "tool", "FunctionMessage": "tool", "MessagesPlaceholder": "placeholder"}


def _role(item: Any) -> str | None:
    """The role of a chat message: ``role`` (OpenAI, Anthropic, GitHub Models...), a ShareGPT
    turn's ``from``, or a LangChain serialised message's class (``ChatMessage...``: its
    ``kwargs.role``); None for anything else."""
    if not isinstance(item, dict):
        return None
    role = item.get("role")
    if role is None and "value" in item:
        role = SHAREGPT_ROLES.get(str(item.get("from")).lower())
    if role is None and item.get("lc") == 1 and isinstance(item.get("id"), list) and item["id"]:
        kwargs = item.get("kwargs")
        role = LANGCHAIN_ROLES.get(str(item["id"][-1])) or (kwargs.get("role") if isinstance(kwargs, dict) else None)
    return role.lower() if isinstance(role, str) else None


def _turns_to_compress(items: list[Any], dataset: bool = False) -> list[Any]:
    """The messages of a conversation that are instructions: the system /
    developer messages and the last user message (see the module docstring).
    In a ``dataset`` record (a JSON Lines line) that ends with the assistant's
    answer, the last user message is answered: a training example's input,
    data like the answer, so only the instructions are compressed."""
    roles = [_role(item) for item in items]
    users = [i for i, role in enumerate(roles) if role == "user"]
    last_user = users[-1] if users else None
    said = [role for role in roles if role is not None]
    if dataset and said and said[-1] in ("assistant", "model"):
        last_user = None
    return [item for i, item in enumerate(items) if _role(item) in INSTRUCTION_ROLES or i == last_user]


def _collect(node: Any, slots: list[tuple[Any, Any]], seen: set[int] | None = None, dataset: bool = False) -> None:
    """Every (container, key) whose value is a content string, in document
    order, each once (a YAML alias repeats a node).  ``dataset``: ``node`` is a
    JSON Lines record (see :func:`_turns_to_compress`)."""
    seen = set() if seen is None else seen
    if id(node) in seen:
        return
    if isinstance(node, dict):
        seen.add(id(node))
        if node.get("type") in DATA_BLOCK_TYPES:
            return
        # a Responses API request's ``input`` as a string: its one user message
        request = "model" in node or "instructions" in node
        promptfoo = _promptfoo_config(node)
        for key, value in node.items():
            if key in TEST_DATA_KEYS:
                continue
            if promptfoo and key == "prompts":
                _collect_promptfoo_prompts(value, slots)
                continue
            content = key in CONTENT_KEYS or key == "input" and request or key == "value" and _sharegpt_turn(node)
            if isinstance(value, str) and content and value.strip():
                slots.append((node, key))
            elif isinstance(value, (dict, list)):
                _collect(value, slots, seen, dataset)
    elif isinstance(node, list):
        seen.add(id(node))
        conversation = any(_role(item) is not None for item in node)
        for item in _turns_to_compress(node, dataset) if conversation else node:
            _collect(item, slots, seen, dataset)


def _promptfoo_config(node: dict[Any, Any]) -> bool:
    """A promptfoo config (``promptfooconfig.yaml``): ``prompts`` beside ``providers``, ``tests``..."""
    return "prompts" in node and any(key in node for key in PROMPTFOO_KEYS)


def _collect_promptfoo_prompts(prompts: Any, slots: list[tuple[Any, Any]]) -> None:
    """The inline prompts of a promptfoo config's ``prompts``: a string, a list of strings or of
    ``{raw: ..., label: ...}`` objects (https://www.promptfoo.dev/docs/configuration/prompts).
    File references (``file://prompts/chat.json``, a bare path, the keys of a ``{path: label}``
    map) are not prompt text: that file is compressed on its own."""
    items: list[tuple[Any, Any]]
    if isinstance(prompts, list):
        items = list(enumerate(prompts))
    else:
        items = [(None, prompts)]
    for index, item in items:
        if isinstance(item, dict):
            container, key, text = item, "raw", item.get("raw")
        else:
            container, key, text = prompts, index, item
        if key is None or not isinstance(text, str) or not text.strip():
            continue
        if text.startswith("file://") or not any(c.isspace() for c in text.strip()):  # (a file reference)
            continue
        slots.append((container, key))


def _sharegpt_turn(node: dict[Any, Any]) -> bool:
    """A ShareGPT conversation turn: its text is under ``value``."""
    return "role" not in node and isinstance(node.get("from"), str) and node["from"].lower() in SHAREGPT_ROLES


YAML_REWRITTEN = "YAML re-written by PyYAML: comments, anchors, quoting and indentation not preserved"


def _yaml_with_nodes(text: str) -> tuple[Any, dict[int, Any]]:
    """``yaml.safe_load(text)`` and the node of each mapping and sequence it built (by ``id``)."""
    import yaml

    maps: dict[int, Any] = {}

    class _Loader(yaml.SafeLoader):
        pass

    def construct_map(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Any:
        data: dict[Any, Any] = {}
        yield data
        data.update(loader.construct_mapping(node))  # (merge keys flattened into node.value)
        maps[id(data)] = node

    def construct_seq(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> Any:
        data: list[Any] = []
        yield data
        data.extend(loader.construct_sequence(node))
        maps[id(data)] = node

    _Loader.add_constructor("tag:yaml.org,2002:map", construct_map)
    _Loader.add_constructor("tag:yaml.org,2002:seq", construct_seq)
    loader = _Loader(text)
    try:
        return loader.get_single_data(), maps
    finally:
        loader.dispose()


def _value_nodes(maps: dict[int, Any], slots: list[tuple[Any, Any]]) -> list[Any]:
    """The scalar node (with its source position) of each slot's value, or None."""
    import yaml

    out = []
    for container, key in slots:
        node = maps.get(id(container))
        found = None
        if isinstance(node, yaml.SequenceNode):  # (a promptfoo config's list of prompts)
            out.append(node.value[key] if isinstance(node.value[key], yaml.ScalarNode) else None)
            continue
        for key_node, value_node in node.value if node is not None else ():
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                found = value_node  # (the last one wins, as in the loaded mapping)
        out.append(found if isinstance(found, yaml.ScalarNode) else None)
    return out


def _splice_yaml(text: str, changes: list[tuple[Any, str]], expected: Any, quote_plain: bool) -> str | None:
    """``text`` with the changed scalars replaced in place, so comments,
    anchors, quoting and indentation stay; None when a scalar cannot be
    written in place, or the result does not load as ``expected``."""
    import yaml

    pieces, pos = [], 0
    for node, value in sorted(changes, key=lambda c: c[0].start_mark.index if c[0] is not None else -1):
        if node is None:
            return None
        start, end = node.start_mark.index, node.end_mark.index
        scalar = _yaml_scalar(text[start:end], '"' if node.style is None and quote_plain else node.style, value)
        if scalar is None or start < pos:
            return None
        pieces += [text[pos:start], scalar]
        pos = end
    pieces.append(text[pos:])
    out = "".join(pieces)
    try:
        ok = yaml.safe_load(out) == expected
    except yaml.YAMLError:
        ok = False
    return out if ok else None


def _yaml_scalar(source: str, style: str | None, value: str) -> str | None:
    """``value`` as a YAML scalar to put where ``source`` (a scalar of ``style``) was."""
    if style in ("|", ">"):
        header, _, body = source.partition("\n")
        # the block's own indentation, and what follows its last content line (blank lines, the
        # next line's indentation) which the scanner counted as part of the scalar
        indent = re.match(r"[ ]*", body).group(0)  # type: ignore[union-attr]
        tail = re.search(r"(?:\n[ \t]*)*\Z", "\n" + body).group(0)[1:]  # type: ignore[union-attr]
        # a block that cannot be written as one (an indentation indicator, a comment, "keep" chomping, a
        # value starting with a space): this scalar alone becomes a double-quoted one, and the rest
        # of the file (comments, other scalars) stays as it was
        quoted = json.dumps(value, ensure_ascii=False) + (f"\n{tail}" if body.endswith("\n") else "")
        if header.strip() not in ("|", "|-", ">", ">-") or not value.strip() or value[0] in " \t\n" or not indent:
            return quoted
        lines = value.rstrip("\n")
        marker = ">" if style == ">" and "\n" not in lines else "|"
        content = "\n".join(indent + line if line else "" for line in lines.split("\n"))
        if not body.endswith("\n"):  # the block ends the file, without a line break
            if not value.endswith("\n"):  # (no final newline either way)
                return f"{marker}{header.strip()[1:]}\n{content}"
            return f"{marker}\n{content}\n" if not value.endswith("\n\n") else quoted  # (the value's own line break)
        chomp = "" if value.endswith("\n") and not value.endswith("\n\n") else "-" if not value.endswith("\n") else None
        return quoted if chomp is None else f"{marker}{chomp}\n{content}\n{tail}"
    if "\n" in value or "\n" in source:
        return json.dumps(value, ensure_ascii=False)  # a double-quoted scalar on one line
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style == '"':
        return json.dumps(value, ensure_ascii=False)
    return value  # plain (checked by loading the result; a plain scalar that does not load falls back)


def _dump(doc: Any, kind: str, original: str) -> str:
    """``doc`` as YAML (``kind`` is "yaml": JSON is never re-serialised)."""
    import yaml

    class _Dumper(yaml.SafeDumper):
        pass

    def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    _Dumper.add_representer(str, _str)
    out = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=2**31 - 1)
    if original.endswith("\n"):
        return out if out.endswith("\n") else out + "\n"
    # no final newline in the file: none in the output, unless it belongs to the last value
    return out[:-1] if out.endswith("\n") and yaml.safe_load(out[:-1]) == doc else out


__all__ = ["CONTENT_KEYS", "YAML_REWRITTEN", "NoPromptTextError", "PromptDoc", "decode_bytes", "front_matter", "parse_prompt",
           "read_prompt"]
