"""Plain Unicode for what the engine says: LaTeX pieces of a message become readable text (∂C/∂W², σ′(z²)).

A verdict's text/plain form and a failed proof's lines must read without a LaTeX renderer; the math stays in
the Markdown form only. `plain(text)` rewrites every $...$ segment of a message; `latex_to_text(tex)` one formula.
"""

from __future__ import annotations

import re

__all__ = ["plain", "latex_to_text", "describe_net"]

_SYMBOLS = {
    r"\partial": "∂",
    r"\sigma": "σ",
    r"\delta": "δ",
    r"\Delta": "Δ",
    r"\omega": "ω",
    r"\lambda": "λ",
    r"\nabla": "∇",
    r"\sum": "Σ",
    r"\odot": "⊙",
    r"\circ": "∘",
    r"\cdot": "·",
    r"\times": "×",
    r"\otimes": "⊗",
    r"\eta": "η",
    r"\rho": "ρ",
    r"\phi": "φ",
    r"\checkmark": "✔",
    r"\rightarrow": "→",
    r"\to": "→",
    r"\leq": "≤",
    r"\le": "≤",
    r"\geq": "≥",
    r"\ldots": "…",
    r"\dots": "…",
    r"\prime": "′",
}
_BINARY = {r"\odot", r"\circ", r"\cdot", r"\times", r"\otimes", r"\rightarrow", r"\to", r"\leq", r"\le", r"\geq"}
_SUPERSCRIPT = str.maketrans("0123456789+-=()nlLT", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿˡᴸᵀ")
_SUBSCRIPT = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")


def _group(tex, i):
    """The brace group (or single character / command) starting at tex[i]: (content, index after it)."""
    while i < len(tex) and tex[i] == " ":
        i += 1
    if i >= len(tex):
        return "", i
    if tex[i] == "{":
        depth, j = 0, i
        while j < len(tex):
            depth += {"{": 1, "}": -1}.get(tex[j], 0)
            if depth == 0:
                return tex[i + 1 : j], j + 1
            j += 1
        return tex[i + 1 :], len(tex)
    if tex[i] == "\\":
        m = re.match(r"\\[A-Za-z]+", tex[i:])
        if m:
            return m.group(0), i + len(m.group(0))
    return tex[i], i + 1


def _script(body, table, mark):
    """x^{...} or x_{...}: Unicode super/subscripts when every character has one, else mark + (body)."""
    body = body.replace(" ", "")
    if body and all(c.translate(table) != c for c in body):
        return body.translate(table)
    if len(body) == 1:
        return mark + body
    return f"{mark}{{{body}}}" if mark == "^" else f"{mark}{body}"


def latex_to_text(tex):
    """A formula in the LaTeX this package prints, as plain Unicode (best effort, never raises)."""
    out, i = [], 0
    while i < len(tex):
        c = tex[i]
        if c == "\\":
            m = re.match(r"\\([A-Za-z]+|.)", tex[i:])
            cmd = m.group(0)
            i += len(cmd)
            if cmd[1:].isalpha():
                while i < len(tex) and tex[i] == " ":  # TeX eats the spaces after a control word
                    i += 1
            if cmd == r"\frac":
                num, i = _group(tex, i)
                den, i = _group(tex, i)
                num, den = latex_to_text(num), latex_to_text(den)
                wrap = lambda s: s if re.fullmatch(r"[^\s+\-/]+", s) else f"({s})"  # noqa: E731
                out.append(f"{wrap(num)}/{wrap(den)}")
            elif cmd == r"\sum":
                # \sum_{m=0}^{\text{last}}: the reader wants "Σ_m", the summed index
                lo = hi = ""
                for _ in range(2):
                    if i < len(tex) and tex[i] in "_^":
                        mark = tex[i]
                        body, i = _group(tex, i + 1)
                        lo, hi = (body, hi) if mark == "_" else (lo, body)
                var = latex_to_text(lo.split("=")[0]) if lo else ""
                out.append(f"Σ_{var} " if var else "Σ ")
            elif cmd in (r"\text", r"\operatorname", r"\mathrm", r"\mathbf", r"\mathit", r"\boldsymbol"):
                body, i = _group(tex, i)
                out.append(latex_to_text(body))
            elif cmd in (r"\left", r"\right", r"\big", r"\Big", r"\bigl", r"\bigr"):
                continue
            elif cmd in (r"\,", r"\;", r"\ ", r"\quad", r"\qquad", r"\!", r"\:"):
                out.append(" ")
            elif cmd in (r"\{", r"\}"):
                out.append(cmd[1])
            elif cmd in _BINARY:
                out.append(f" {_SYMBOLS[cmd]} ")
            else:
                out.append(_SYMBOLS.get(cmd, cmd[1:]))
        elif c in "^_":
            body, i = _group(tex, i + 1)
            body = latex_to_text(body)
            out.append(_script(body, _SUPERSCRIPT if c == "^" else _SUBSCRIPT, c))
        elif c in "{}":
            i += 1
        elif c == "'":
            out.append("′")
            i += 1
        else:
            out.append(c)
            i += 1
    return re.sub(r"\s+", " ", "".join(out)).strip()


def plain(text):
    """A message with every $...$ (or $$...$$) segment rewritten as plain Unicode."""
    text = re.sub(r"\$\$?(.+?)\$?\$", lambda m: latex_to_text(m.group(1)), str(text))
    # bare scripts in a message (W^{l + 1}_{km}, z^2) read as Wˡ⁺¹_km, z²
    text = re.sub(
        r"([\^_])\{([^{}$]*)\}",
        lambda m: _script(latex_to_text(m.group(2)), _SUPERSCRIPT if m.group(1) == "^" else _SUBSCRIPT, m.group(1)),
        text,
    )
    return re.sub(r"\^([0-9]+|[lLT](?![A-Za-z]))", lambda m: m.group(1).translate(_SUPERSCRIPT), text)


def describe_net(net):
    """'2-3-4-5', with the batch and a concrete activation or cost when they are not the defaults."""
    if net is None:
        return ""
    words = "-".join(str(s) for s in net.sizes)
    extra = []
    if getattr(net, "activation", None):
        extra.append(net.activation)
    if getattr(net, "cost", "generic") != "generic":
        extra.append(f"{net.cost.replace('_', '-')} cost")
    m = getattr(net, "m", 1)
    if m > 1:
        extra.append(f"m = {m}")
    return words + (f" ({', '.join(extra)})" if extra else "")
