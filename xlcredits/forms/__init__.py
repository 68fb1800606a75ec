"""The forms xlcredits prepares, found by the input's "form" field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..lines import Finding, Findings, Result


@dataclass(frozen=True)
class FormInfo:
    form: str  # the JSON "form" value
    slug: str  # the short name on the command line: 7207, nj306
    title: str
    compute: Callable[[Any], Result]
    model: type


def registry() -> dict[str, FormInfo]:
    from .f7207.compute import compute as compute_7207
    from .f7207.definition import TITLE as TITLE_7207
    from .f7207.model import Form7207Input

    forms = [FormInfo("7207", "7207", TITLE_7207, compute_7207, Form7207Input)]
    try:
        from .nj306.compute import compute as compute_nj306
        from .nj306.definition import TITLE as TITLE_NJ306
        from .nj306.model import NJ306Input

        forms.append(FormInfo("NJ-306", "nj306", TITLE_NJ306, compute_nj306, NJ306Input))
    except ImportError:  # pragma: no cover - NJ-306 not built yet
        pass
    return {f.form: f for f in forms}


def by_slug(slug: str) -> FormInfo | None:
    wanted = slug.strip().lower().replace("-", "").replace("form", "")
    for info in registry().values():
        if info.slug == wanted or info.form.lower().replace("-", "") == wanted:
            return info
    return None


def compute(data: Any) -> Result:
    """Compute whichever form `data` names in its "form" field."""
    forms = registry()
    if not isinstance(data, dict):
        findings = Findings()
        findings.error("(input)", "The input must be a JSON object { \"form\": ..., ... }.", blocking=True)
        return Result("", "", None, findings=findings)
    # Top-level "_..." keys are annotations, not inputs (`_carried_from`, written by `xlcredits rollover`).
    data = {k: v for k, v in data.items() if not (isinstance(k, str) and k.startswith("_"))}
    name = data.get("form")
    info = forms.get(str(name).strip().upper() if name is not None else "")
    if info is None:
        findings = Findings()
        known = ", ".join(f'"{k}"' for k in forms)
        got = "no \"form\" field" if name is None else f"form {name!r}"
        findings.error("form", f"The input has {got}; xlcredits prepares {known}.", blocking=True)
        return Result(str(name) if name is not None else "", "", None, findings=findings)
    from ..limits import check_result
    from ..messages import nothing_to_compute

    result = info.compute(data)
    missing = nothing_to_compute(data)  # an untouched blank form says so, not "0.00, 0 errors"
    if missing:
        result.findings.append(Finding("error", "(input)", missing, blocking=not result.computed))
    return check_result(result, data)
