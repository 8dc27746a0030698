"""Shell launch scripts → :class:`Document` of their ``--flag value`` arguments.

Training is often launched as ``deepspeed main.py --learning_rate 1e-3 ...`` or
``LORA_RANK=16 LEARNING_RATE=2e-5 python training.py`` (seed 004). We split each
logical command with :mod:`shlex` (backslash continuations joined, comments
dropped) and collect:

* ``--key value`` / ``--key=value`` flags (``-`` in names folded to ``_``, as
  ``HfArgumentParser`` accepts both); a bare ``--flag`` is ``True``;
* ``KEY=value`` environment prefixes, ``export KEY=value`` and plain shell
  variable assignments; ``$VAR``/``${VAR}``/``${VAR:-default}`` are substituted
  when the script defines them, otherwise the value is
  :data:`~stablint.linter.document.UNRESOLVED`.

Values are typed like argparse ``type=float``/``int`` would: ``1e-4`` is a float.
Nothing is executed.
"""

from __future__ import annotations

import re
import shlex

from ..document import UNRESOLVED, Document, InputError, Node

_ASSIGN = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.S)
# a default stops at the next `$` too: each `${` scans only up to the next one (linear on a line of
# "${a:-${a:-..."; `[^}]*` alone was quadratic); a nested default `${A:-${B}}` is not expanded
_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}$]*))?\}|([A-Za-z_][A-Za-z0-9_]*)|([0-9]))")
_INT = re.compile(r"^[-+]?\d+$")
_FLOAT = re.compile(r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$")  # unambiguous: linear on long digit runs
_LAUNCHERS = {"python", "python3", "torchrun", "deepspeed", "accelerate", "llamafactory-cli", "axolotl", "tune",
              "srun", "mpirun", "nohup", "CUDA_VISIBLE_DEVICES"}


def _typed(text: str):
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Join backslash continuations; return (first line number, joined text)."""
    out: list[tuple[int, str]] = []
    buf: list[str] = []
    start = 1
    for i, line in enumerate(text.splitlines(), start=1):
        if not buf:
            start = i
        stripped = line.rstrip()
        if stripped.endswith("\\") and not stripped.endswith("\\\\"):
            buf.append(stripped[:-1] + " ")
            continue
        buf.append(line)
        out.append((start, "".join(buf)))
        buf = []
    if buf:
        out.append((start, "".join(buf)))
    return out


class _Positions:
    """Find each token's line/column in the original text, scanning forward."""

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.line, self.col = 0, 0

    def seek(self, line: int) -> None:
        self.line, self.col = line - 1, 0

    def find(self, needle: str) -> tuple[int, int]:
        for li in range(self.line, min(self.line + 400, len(self.lines))):
            start = self.col if li == self.line else 0
            idx = self.lines[li].find(needle, start)
            if idx >= 0:
                self.line, self.col = li, idx + len(needle)
                return li + 1, idx + 1
        return self.line + 1, 1


def load_shell(path: str, text: str) -> Document:
    """Collect the flags and environment assignments of a launch script.

    Raises:
        InputError: unbalanced quotes (shlex cannot split the command).
    """
    variables: dict[str, str] = {}
    out: dict[str, Node] = {}
    commands: list[str] = []
    positional: list[str] = []
    pos = _Positions(text)

    def subst(value: str):
        unresolved = False

        def repl(m: re.Match) -> str:
            nonlocal unresolved
            name = m.group(1) or m.group(3)
            if name and name in variables:
                return variables[name]
            if m.group(2) is not None:
                return m.group(2)
            unresolved = True
            return m.group(0)

        new = _VAR.sub(repl, value)
        return (UNRESOLVED if unresolved else new), new

    def put(key: str, raw_value: str | None, line: int, col: int, vline: int, vcol: int) -> None:
        if raw_value is None:
            val, raw = True, None
        else:
            sval, raw = subst(raw_value)
            val = sval if sval is UNRESOLVED else _typed(sval)
        node = Node(value=val, line=vline, column=vcol, key_line=line, key_column=col, raw=raw, path=path)
        out.pop(key, None)
        out[key] = node

    for lineno, logical in _logical_lines(text):
        stripped = logical.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            lexer = shlex.shlex(logical, posix=True, punctuation_chars=";&|<>()")
            lexer.whitespace_split = True
            lexer.commenters = "#"
            tokens = list(lexer)
        except ValueError as exc:
            raise InputError(path, f"cannot split shell command: {exc}", lineno, 1) from None
        pos.seek(lineno)
        segment_start = True
        cmd: list[str] = []
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if set(tok) <= set(";&|<>()"):
                segment_start, cmd = True, []
                i += 1
                continue
            if tok == "export" and segment_start:
                i += 1
                continue
            m = _ASSIGN.match(tok)
            if m and segment_start and not cmd:
                name, value = m.group(1), m.group(2)
                kl, kc = pos.find(name + "=")
                resolved, text_value = subst(value)
                variables[name] = text_value if resolved is not UNRESOLVED else value
                put(name, value, kl, kc, kl, kc + len(name) + 1)
                i += 1
                continue
            segment_start = False
            if not cmd:
                cmd.append(tok)
                base = tok.rsplit("/", 1)[-1]
                if base in _LAUNCHERS or tok.endswith(".py") or base.endswith("-cli"):
                    # record the launcher and its first sub-command word (e.g. "accelerate launch")
                    nxt = tokens[i + 1] if i + 1 < len(tokens) and not tokens[i + 1].startswith("-") else ""
                    commands.append(f"{base} {nxt}".strip())
                pos.find(tok)
                i += 1
                continue
            if tok.startswith("--") and len(tok) > 2:
                body = tok[2:]
                kl, kc = pos.find(tok.split("=", 1)[0])
                if "=" in body:
                    key, value = body.split("=", 1)
                    put(key.replace("-", "_"), value, kl, kc, kl, kc + len(key) + 3)
                    i += 1
                    continue
                key = body.replace("-", "_")
                if i + 1 < len(tokens) and not tokens[i + 1].startswith("--") and not set(tokens[i + 1]) <= set(";&|<>()"):
                    value = tokens[i + 1]
                    vl, vc = pos.find(value) if value else (kl, kc)
                    put(key, value, kl, kc, vl, vc)
                    i += 2
                else:
                    put(key, None, kl, kc, kl, kc)
                    i += 1
                continue
            if not tok.startswith("-"):
                positional.append(tok)
            i += 1
    root = Node(value=out, path=path)
    return Document(path=path, fmt="shell", root=root, text=text,
                    meta={"commands": commands, "positional": positional, "variables": variables})
