r"""One escaping function per output sink, for text that a pull request controls.

File names, keys, values and the messages built from them reach five sinks; each
has its own rules (threat model: ``docs/security.md``):

* :func:`terminal` — a terminal or a CI log (text reporter, hints, probe and
  diagnose reports). C0/C1 control characters (ANSI escape sequences start with
  ESC), DEL and the Unicode bidirectional overrides ("Trojan Source",
  CVE-2021-42574) are shown as visible ``\\xNN`` / ``\\uNNNN`` escapes instead of
  being written raw, so a file name cannot recolour, erase or reorder the log.
* :func:`workflow_data` / :func:`workflow_property` — GitHub Actions workflow
  commands (``::warning file=...::message``), after :func:`terminal`. The runner's
  rules (actions/toolkit ``packages/core/src/command.ts``, ``escapeData`` /
  ``escapeProperty``): ``%`` → ``%25``, CR → ``%0D``, LF → ``%0A``; in properties
  also ``:`` → ``%3A`` and ``,`` → ``%2C``. A value can then never end its
  command or start a new one (``::add-mask::``, ``::error::``).
* :func:`stop_commands` — any other text a step prints (text/JSON/SARIF output,
  a subprocess's stderr) is wrapped in ``::stop-commands::<token>`` …
  ``::<token>::`` with a random token, so a line that happens to start with
  ``::`` is not a command (GitHub docs, "Stopping and starting workflow commands").
* :func:`markdown` — the job summary and Markdown reports (GitHub-flavoured
  Markdown, which also renders inline HTML): each character that can start Markdown
  or HTML syntax inline is backslash-escaped (CommonMark §2.4 allows it for all
  ASCII punctuation, and it is shown as the character itself), so no link, image,
  emphasis, code span, table cell break, math or HTML tag can come from a value;
  escaped ``:``/``@`` and ``www\.`` keep GFM's autolinker from making links, and a
  leading list or heading marker is escaped. Line breaks become spaces.
* :func:`sarif_text` — SARIF ``message.text`` and descriptions: plain text, no
  control characters (as :func:`terminal`, but LF and TAB are kept).

JSON output is data for programs and keeps every string exactly (``json.dumps``
escapes control characters itself).
"""

from __future__ import annotations

import re
import secrets

# C0 controls except TAB/LF (handled per sink), DEL, C1 controls, bidi embeddings,
# overrides and isolates (U+202A..U+202E, U+2066..U+2069), and the line/paragraph
# separators that some viewers treat as line breaks.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_UNSAFE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_BREAKS = re.compile("[\r\n\t\u2028\u2029]")
# the characters that start Markdown/HTML syntax in an inline context: emphasis, code spans,
# links and images, autolinks (``<``, ``http:``, ``mailto``/``@``), HTML tags and entities,
# table cells, strikethrough, headings and math (``$``); ``www.`` is broken up separately
_PUNCT = re.compile(r"([\\`*_\[\]<>!|~&#:@$])")
_WWW = re.compile(r"(?i)(www)\.")
_LEADING = re.compile(r"^(\s*)(?:([-+=])|([0-9]+)([.)]))")


def _visible(m: re.Match) -> str:
    ch = m.group(0)
    if ch == "\n":
        return "\\n"
    if ch == "\r":
        return "\\r"
    if ch == "\t":
        return "\\t"
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def terminal(text: object, multiline: bool = False) -> str:
    """``text`` safe to write to a terminal or CI log: control and bidi characters made visible.

    Args:
        text: any value (``str()`` is applied).
        multiline: keep LF and TAB (a message body); otherwise (a file name, a
            key, a one-line field) they are shown as ``\\n`` / ``\\t`` too.
    """
    return (_UNSAFE if multiline else _UNSAFE_LINE).sub(_visible, str(text))


def workflow_data(text: object) -> str:
    """The message part of a workflow command (after ``::``), one line, control characters visible."""
    escaped = str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return terminal(escaped, multiline=True)


def workflow_property(text: object) -> str:
    """A property value (``file=``, ``title=`` ...) of a workflow command."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")


def stop_commands(text: str, token: str | None = None) -> str:
    """``text`` framed by ``::stop-commands::<token>`` and ``::<token>::`` so the runner runs no command in it.

    Empty text is returned as is. ``token`` defaults to a fresh random hex string
    (never derived from the text, so the text cannot close the frame itself).
    """
    if not text:
        return text
    token = token or secrets.token_hex(16)
    body = text if text.endswith("\n") else text + "\n"
    return f"::stop-commands::{token}\n{body}::{token}::\n"


def markdown(text: object) -> str:
    """``text`` as literal inline GitHub-flavoured Markdown (a table cell, a heading, a list item)."""
    s = _PUNCT.sub(r"\\\1", terminal(_BREAKS.sub(" ", str(text))))
    s = _WWW.sub(r"\1\\.", s)
    return _LEADING.sub(lambda m: m.group(1) + (f"\\{m.group(2)}" if m.group(2) else f"{m.group(3)}\\{m.group(4)}"), s)


def sarif_text(text: object) -> str:
    """A SARIF plain-text field: control and bidi characters visible, LF and TAB kept."""
    return terminal(text, multiline=True)
