"""Layout defects a person sees at a glance, found in a real browser page by one JavaScript function.

:data:`LAYOUT_DEFECTS_JS` returns a list of readable strings, one per defect:

* **cut-off text**: a visible element holding text (of its own, or nested in a box that clips: a dropdown's value)
  whose content is wider than its box (``scrollWidth > clientWidth``) while it does not scroll (``overflow`` is not
  ``auto`` / ``scroll``), or that is cut vertically by ``overflow: hidden``. An ellipsis ("1,107,…", a chat picker
  showing "#JobHuntChat: the weekly job-…") counts: the text is not readable.
* **words broken across lines**: a date or a number ("2026-03-30", "1,107,234") whose characters land on more than
  one line.
* **chart text outside the chart**: SVG text of a Plotly chart (titles, subtitles, ticks, legend, annotations)
  whose box leaves the chart's own box.
* **overlapping tick labels**: two ``.xtick`` (or two ``.ytick``) labels of one axis whose boxes intersect.
* **overlapping chart text**: a title, subtitle, axis title, annotation or the legend box intersecting another one
  of them (a legend over a title, two annotations on top of each other).

Used by ``tests/test_layout_browser.py`` on every dashboard page and on the HTML report.
"""

from __future__ import annotations

__all__ = ["LAYOUT_DEFECTS_JS", "layout_defects"]

LAYOUT_DEFECTS_JS = r"""
() => {
  const out = [];
  const TOL = 1.5;
  const label = (el) => {
    const id = el.id ? '#' + el.id : '';
    const cls = (typeof el.className === 'string' && el.className) ? '.' + el.className.trim().split(/\s+/).join('.') : '';
    const parent = el.closest('[id]');
    const where = parent && parent !== el ? ` in #${parent.id}` : '';
    return `${el.tagName.toLowerCase()}${id}${cls}${where}`;
  };
  const shown = (el) => {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden' || Number(style.opacity) === 0) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const ownText = (el) => [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
  const text = (el) => (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 60);

  // 1. HTML text cut off by its box
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('svg, .js-plotly-plot, script, style, noscript, option, textarea, select')) continue;
    const style = getComputedStyle(el);
    // text of its own, or a box that clips text nested in it (a dropdown's value: overflow hidden + ellipsis)
    const clips = style.overflowX === 'hidden' || style.overflowX === 'clip' || style.textOverflow === 'ellipsis';
    if (!ownText(el) && !(el.children.length === 0 && text(el)) && !(clips && text(el))) continue;
    if (!shown(el)) continue;
    const scrolls = (v) => v === 'auto' || v === 'scroll';
    if (style.display === 'inline') continue;  // inline boxes have no scroll size of their own
    if (!scrolls(style.overflowX) && el.scrollWidth > el.clientWidth + TOL && el.clientWidth > 0) {
      out.push(`cut-off text (${el.scrollWidth}px in ${el.clientWidth}px): ${label(el)} "${text(el)}"`);
      continue;
    }
    if (style.overflowY === 'hidden' && el.scrollHeight > el.clientHeight + TOL && el.clientHeight > 0) {
      out.push(`cut-off text (${el.scrollHeight}px tall in ${el.clientHeight}px): ${label(el)} "${text(el)}"`);
    }
  }

  // 2. dates and long numbers broken across lines
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const token = /\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2})?|\d{1,3}(?:,\d{3})+(?:\.\d+)?/g;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest('svg, script, style, noscript, option, textarea') || !shown(parent)) continue;
    for (const m of node.textContent.matchAll(token)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (tops.size > 1) out.push(`"${m[0]}" broken across ${tops.size} lines: ${label(parent)}`);
    }
  }

  // 3-5. Plotly charts
  const inter = (a, b) => Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)) *
                          Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    if (!shown(plot)) continue;
    const svg = plot.querySelector('svg.main-svg');
    if (!svg) continue;
    const box = svg.getBoundingClientRect();
    const name = label(plot);
    const texts = [...plot.querySelectorAll('svg text')].filter(t => (t.textContent || '').trim() && shown(t));
    for (const t of texts) {
      if (t.closest('.scatterlayer, .hoverlayer')) continue;  // data labels are placed with the data
      const r = t.getBoundingClientRect();
      if (r.left < box.left - TOL || r.right > box.right + TOL || r.top < box.top - TOL || r.bottom > box.bottom + TOL) {
        out.push(`chart text outside the chart: "${text(t)}" in ${name}`);
      }
    }
    for (const kind of ['xtick', 'ytick']) {
      const byAxis = new Map();
      for (const t of plot.querySelectorAll(`g.${kind} text`)) {
        if (!shown(t) || !(t.textContent || '').trim()) continue;
        const axis = t.closest('g[class*="axis"], g.xaxislayer-above, g.yaxislayer-above') || plot;
        const key = (t.closest('.subplot') || {}).className?.baseVal + '|' + (axis.className.baseVal || '');
        if (!byAxis.has(key)) byAxis.set(key, []);
        byAxis.get(key).push(t);
      }
      for (const ticks of byAxis.values()) {
        const rects = ticks.map(t => t.getBoundingClientRect());
        for (let i = 0; i < rects.length; i++) for (let j = i + 1; j < rects.length; j++) {
          if (inter(rects[i], rects[j]) > 2) {
            out.push(`overlapping ${kind} labels "${text(ticks[i])}" and "${text(ticks[j])}" in ${name}`);
            i = rects.length; break;  // one report per axis is enough
          }
        }
      }
    }
    const parts = [];
    for (const t of plot.querySelectorAll('.gtitle, .gtitle-subtitle, .g-xtitle text, .g-ytitle text, .annotation-text-g text')) {
      if (shown(t) && (t.textContent || '').trim()) parts.push([t, t.getBoundingClientRect()]);
    }
    const legend = plot.querySelector('g.legend');
    if (legend && shown(legend)) {
      const bg = legend.querySelector('rect.bg') || legend;
      parts.push([legend, bg.getBoundingClientRect()]);
    }
    for (let i = 0; i < parts.length; i++) for (let j = i + 1; j < parts.length; j++) {
      const [a, ra] = parts[i], [b, rb] = parts[j];
      if (a.contains(b) || b.contains(a)) continue;
      if (inter(ra, rb) > 4) {
        const what = (el) => el.matches('g.legend') ? 'the legend' : `"${text(el)}"`;
        out.push(`overlapping chart text ${what(a)} and ${what(b)} in ${name}`);
      }
    }
  }
  return [...new Set(out)];
}
"""


def layout_defects(page) -> list[str]:
    """The layout defects of the page as shown now (a Playwright page)."""
    return page.evaluate(LAYOUT_DEFECTS_JS)
