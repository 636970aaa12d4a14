"""Prompt compression: deterministic, offline, measurable passes that never
touch protected spans.

    >>> from llmcost.compress import compress_text
    >>> r = compress_text("Could you please summarise the text below in order to save time?")
    >>> r.text
    'Summarise the text below to save time.'

Pipeline: the text is masked (:mod:`.protect`), the passes of the level run in
order (:mod:`.passes`), the spans are restored, and the result is checked:
every protected span of the input must appear byte-identical in the output,
except spans whose only occurrences were in few-shot examples dropped on
request (``max_examples``).  ``protected_spans_ok`` reports that check.

Token counts use the model's BPE encoding (exact for OpenAI models; for other
families the o200k proxy, scaled to the family estimate of
:func:`llmcost.tokens.count_tokens`), and the saving of each pass is measured
with it.  Counting is incremental (:mod:`.meter`); on a large input it runs in
a forked child process on a second core while the passes run here
(``parallel``).  A prompt of 256,000+ characters is cut into sections of about
100,000 at blank lines between prose paragraphs, and the passes whose rules
look only near a match run on the sections in forked children, one per core
(:mod:`.sections`); where it is cut depends only on the text, so the result
is the same on any machine, with or without children.

``target_ratio`` (tokens after / tokens before, in (0, 1]): when the level does
not reach it, the compressor escalates to ``aggressive`` and stops there, the
result's ``level`` naming the level used; ``target_met`` says whether the
target was reached.  It never goes further (dropping prepositions or more
words turns "At least one citation" into "Least one citation"): a target
beyond what the rules can remove is reported as missed, not forced.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_attributes

if TYPE_CHECKING:
    from .passes import LEVELS, PASS_NAMES
    from .pipeline import CompressResult, compress_text, compression_ratio

#: the model whose tokenizer counts when none is named
DEFAULT_MODEL = "gpt-4o"

#: name -> the module defining it, imported on first use: the passes compile ~200 regexes (~0.1 s), which
#: ``llmcost.compress.meter`` (the counting child the command starts early) and ``--help`` do not need
_LAZY = {
    "CompressResult": "pipeline",
    "compress_text": "pipeline",
    "compression_ratio": "pipeline",
    "LEVELS": "passes",
    "PASS_NAMES": "passes",
}

__all__ = ["DEFAULT_MODEL", "LEVELS", "PASS_NAMES", "CompressResult", "compress_text", "compression_ratio"]


__getattr__, __dir__ = lazy_attributes(__name__, _LAZY)
