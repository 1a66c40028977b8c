"""Compact terminal tables for evaluation reports and differences."""

from __future__ import annotations


def fmt(value: float | None) -> str:
    """Three decimals, or a dash for an undefined figure (nothing to score)."""
    return "    -" if value is None else f"{value:.3f}"


def figure(scores: dict | None, *path: str) -> float | None:
    """A figure of a (nested) score dict; None when it, or a dict on the way, is missing."""
    for key in path:
        scores = scores.get(key) if isinstance(scores, dict) else None
    return scores


def prf_row(name: str, scores: dict | None) -> str:
    return name.ljust(14) + "".join(f"{fmt(figure(scores, k)):>7}" for k in "prf")


def render_scores(report: dict, title: str = "") -> str:
    """The evaluation report as compact tables (the human form of ``--json``)."""
    counts = report["counts"]
    lines = [title] if title else []
    lines.append(
        f"{counts['gold']} gold claims, {counts['pred']} predicted, {counts['matched']} matched"
    )
    lines.append(f"{'':<14}{'P':>7}{'R':>7}{'F':>7}")
    lines.append(prf_row("claims", report["claims"]["lenient"]))
    lines.append(prf_row("  strict", report["claims"]["strict"]))
    lines.append(prf_row("actors", report["actors"]))
    lines.append(prf_row("  states", report["actors"].get("states")))
    lines.append(prf_row("regions", report["regions"]))
    lines.append(prf_row("  parents", report["regions"].get("parents")))
    lines.append(prf_row("relations", report["relations"]))
    lines.append("")
    lines.append(f"{'':<14}{'acc':>7}{'mF1':>7}{'kappa':>7}")
    for name in ("stance", "certainty"):
        keys = ("accuracy", "macro_f1", "kappa")
        lines.append(name.ljust(14) + "".join(f"{fmt(figure(report[name], k)):>7}" for k in keys))
    lines.append(f"{'section':<14}{fmt(report.get('section_accuracy')):>7}")
    lines.extend(source_time_rows(report))
    for name in ("stance", "certainty"):
        lines.append("")
        lines.extend(render_confusion(name, report[name]["confusion"]))
    per_doc = report.get("per_document", {})
    if len(per_doc) > 1:
        lines.append("")
        lines.append(f"{'document':<32}{'claims':>7}{'actors':>7}{'regions':>8}{'stance':>7}")
        for doc_id, s in per_doc.items():
            lines.append(
                f"{doc_id[:31]:<32}{fmt(figure(s, 'claims', 'lenient', 'f')):>7}"
                f"{fmt(figure(s, 'actors', 'f')):>7}{fmt(figure(s, 'regions', 'f')):>8}"
                f"{fmt(figure(s, 'stance', 'macro_f1')):>7}"
            )
    return "\n".join(lines)


def source_time_rows(report: dict) -> list[str]:
    """Source and time accuracy, where the gold has those fields (else nothing)."""
    source, time = report.get("source") or {}, report.get("time") or {}
    rows = []
    if source.get("n"):
        rows.append(f"{'source':<14}{fmt(source['accuracy']):>7}  kind and actor, "
                    f"{source['n']} claims")  # fmt: skip
    if time.get("n"):
        rows.append(f"{'time':<14}{fmt(time['relative_accuracy']):>7}  relative, "
                    f"{time['n']} claims")  # fmt: skip
    if time.get("n_years"):
        rows.append(f"{'  years':<14}{fmt(time['year_agreement']):>7}  same start and end "
                    f"years, {time['n_years']} claims")  # fmt: skip
    return rows


def render_confusion(name: str, confusion: dict) -> list[str]:
    """A confusion matrix with gold labels as rows and predicted labels as columns."""
    labels = confusion["labels"]
    width = max(len(label) for label in labels) + 2
    lines = [f"{name} (rows gold, columns predicted)"]
    lines.append(" " * width + "".join(f"{label[:10]:>11}" for label in labels))
    matrix = confusion["matrix"] or [[0] * len(labels) for _ in labels]
    for label, row in zip(labels, matrix, strict=True):
        lines.append(f"{label:<{width}}" + "".join(f"{n:>11}" for n in row))
    return lines


def render_diff(rows: list[dict]) -> str:
    """One line per missed claim, extra claim or wrong field, with the claim text."""
    out = []
    for row in rows:
        where = f"{row['doc_id']}@{row['start']}"
        text = row["text"] if len(row["text"]) <= 90 else row["text"][:87] + "..."
        if row["kind"] in ("missed", "extra"):
            out.append(f"{row['kind'].upper():<7} {where}: {text}")
        elif "missing" in row:
            detail = f"missing {row['missing']} extra {row['extra']}"
            out.append(f"WRONG   {where} {row['field']}: {detail} | {text}")
        else:
            detail = f"gold={row['gold']!r} pred={row['pred']!r}"
            out.append(f"WRONG   {where} {row['field']}: {detail} | {text}")
    return "\n".join(out) if out else "no differences"
