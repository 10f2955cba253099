"""The report's plots: matplotlib figures as inline SVG (small and static; nothing to load).

matplotlib is imported here only, and only when a report is made, with the Agg backend so
that no display is needed (a crawl's process, a cron job, a Scrapyd job).
"""
from __future__ import annotations

import io
import re
from functools import cache

BLUE, ORANGE, RED, GREEN, GREY = "#2b6cb0", "#dd6b20", "#c53030", "#23874b", "#718096"
WIDTH, HEIGHT = 5.6, 3.0  # inches: two plots side by side in the page


@cache
def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib import pyplot

    matplotlib.rcParams.update({
        "svg.fonttype": "none",  # text stays text: smaller, and drawn with the page's fonts
        "svg.hashsalt": "doctor-answers",  # the same data gives the same file
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 10,
        "axes.titleweight": "bold",
    })
    return pyplot


def _svg(figure) -> str:
    pyplot = _pyplot()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    pyplot.close(figure)
    text = buffer.getvalue()
    # Inline: the <svg> element alone, without the XML prolog and DOCTYPE.
    return text[text.index("<svg"):]


def _figure(width: float = WIDTH, height: float = HEIGHT):
    figure, axes = _pyplot().subplots(figsize=(width, height))
    return figure, axes


def _empty(axes, what: str) -> None:
    axes.text(0.5, 0.5, f"no {what}", ha="center", va="center", color=GREY, transform=axes.transAxes)
    axes.set_xticks([])
    axes.set_yticks([])


def bars(title: str, labels: list[str], values: list[float], *, xlabel: str = "", color: str = BLUE,
         colors: list[str] | None = None, percent: bool = False) -> str:
    """Horizontal bars, labelled with their values; the first label on top."""
    height = max(1.6, 0.32 * len(labels) + 0.8)
    figure, axes = _figure(WIDTH, min(height, 8.0))
    axes.set_title(title, loc="left")
    if not labels:
        _empty(axes, "data")
        return _svg(figure)
    positions = list(range(len(labels)))[::-1]
    axes.barh(positions, values, color=colors or color, height=0.7)
    axes.set_yticks(positions, [_short(label) for label in labels])
    top = max(values) if max(values) > 0 else 1
    for y, value in zip(positions, values):
        text = f"{value:.1%}" if percent else f"{value:,.0f}"
        axes.text(value + top * 0.01, y, text, va="center", fontsize=8)
    axes.set_xlim(0, top * 1.15)
    if percent:
        axes.xaxis.set_major_formatter(_percent())
    axes.set_xlabel(xlabel)
    return _svg(figure)


def histogram(title: str, values, *, bins, xlabel: str, ylabel: str = "count", color: str = BLUE,
              log: bool = False) -> str:
    import numpy

    figure, axes = _figure()
    axes.set_title(title, loc="left")
    values = numpy.asarray(values, dtype=float)
    values = values[numpy.isfinite(values)]  # an infinity a float column holds has no bin: left out
    if len(values) == 0:
        _empty(axes, "data")
        return _svg(figure)
    axes.hist(values, bins=bins, color=color, edgecolor="white", linewidth=0.5, log=log)
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    return _svg(figure)


def counts(title: str, labels: list, values: list[int], *, xlabel: str, ylabel: str = "count",
           color: str = BLUE) -> str:
    """Vertical bars for small integer categories (answers per question)."""
    figure, axes = _figure()
    axes.set_title(title, loc="left")
    if not labels:
        _empty(axes, "data")
        return _svg(figure)
    axes.bar(range(len(labels)), values, color=color, width=0.8)
    step = max(1, len(labels) // 15)
    axes.set_xticks(range(0, len(labels), step), [str(label) for label in labels[::step]])
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    return _svg(figure)


def over_time(title: str, series: dict, *, ylabel: str, step: bool = True) -> str:
    """Lines over a time axis; `series` maps a label to (times, values)."""
    figure, axes = _figure()
    axes.set_title(title, loc="left")
    drawn = False
    for (label, (times, values)), color in zip(series.items(), (BLUE, ORANGE, GREEN, RED)):
        if len(times) == 0:
            continue
        drawn = True
        if step:
            axes.step(times, values, where="post", label=label, color=color, linewidth=1.2)
        else:
            axes.plot(times, values, label=label, color=color, linewidth=1.2, marker="o" if len(times) < 3 else None)
    if not drawn:
        _empty(axes, "dated rows")
        return _svg(figure)
    axes.set_ylabel(ylabel)
    axes.set_ylim(bottom=0)
    if len(series) > 1:
        axes.legend(frameon=False, fontsize=8)
    figure.autofmt_xdate()
    return _svg(figure)


def per_crawl(title: str, crawl_labels: list[str], series: dict, *, ylabel: str) -> str:
    """One point per crawl, oldest first: a drop between crawls is a drop in the line."""
    figure, axes = _figure(WIDTH * 1.25 if len(crawl_labels) > 12 else WIDTH)
    axes.set_title(title, loc="left")
    positions = list(range(len(crawl_labels)))
    for (label, values), color in zip(series.items(), (BLUE, ORANGE, GREEN, RED, GREY)):
        axes.plot(positions, values, label=label, color=color, marker="o", markersize=3.5, linewidth=1.2)
    _crawl_ticks(axes, crawl_labels)
    axes.set_ylabel(ylabel)
    axes.set_ylim(bottom=0)
    axes.legend(frameon=False, fontsize=8)
    return _svg(figure)


def coverage_map(title: str, crawl_labels: list[str], fields: list[str], shares) -> str:
    """A field-by-crawl grid of non-null shares (0..1, NaN = not in the files): a drop shows as a pale cell."""
    import numpy

    pyplot = _pyplot()
    height = min(12.0, 0.17 * len(fields) + 1.2)
    figure, axes = _figure(min(11.0, max(WIDTH, 2.2 + 0.35 * len(crawl_labels))), height)
    axes.set_title(title, loc="left")
    if not fields or not crawl_labels:
        _empty(axes, "rows")
        return _svg(figure)
    grid = numpy.ma.masked_invalid(numpy.asarray(shares, dtype=float))
    cmap = pyplot.get_cmap("RdYlGn").with_extremes(bad="#e2e8f0")
    # pcolormesh draws vector cells (imshow would embed a bitmap).
    mesh = axes.pcolormesh(grid, cmap=cmap, vmin=0, vmax=1, edgecolors="white", linewidth=0.5)
    axes.invert_yaxis()
    axes.set_yticks([i + 0.5 for i in range(len(fields))], fields, fontsize=7)
    _crawl_ticks(axes, crawl_labels, offset=0.5)
    colorbar = figure.colorbar(mesh, ax=axes, fraction=0.04, pad=0.02)
    colorbar.ax.yaxis.set_major_formatter(_percent())
    colorbar.set_label("rows with a value", fontsize=8)
    for side in ("left", "bottom"):
        axes.spines[side].set_visible(False)
    return _svg(figure)


def _crawl_ticks(axes, labels: list[str], offset: float = 0.0) -> None:
    step = max(1, len(labels) // 20)
    ticks = list(range(0, len(labels), step))
    axes.set_xticks([t + offset for t in ticks], [labels[t] for t in ticks], rotation=45, ha="right", fontsize=7)
    if len(labels) == 1 and not offset:
        axes.set_xlim(-0.5, 0.5)


def _percent():
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0, decimals=0)


def _short(label, limit: int = 32) -> str:
    label = re.sub(r"\s+", " ", str(label))
    return label if len(label) <= limit else label[: limit - 1] + "…"
