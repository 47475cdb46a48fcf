// A small, dependency-free SVG bar chart for docs/benchmarks.svg.
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');

/**
 * panels: [{ title, unit, max, bars: [{ label, value, note? }] , target? }]
 * Each panel is a horizontal bar chart; `target` draws a dashed line.
 */
export function barChart(panels, { width = 760 } = {}) {
  const labelWidth = 250;
  const barHeight = 18;
  const gap = 6;
  let y = 10;
  const parts = [];
  for (const panel of panels) {
    parts.push(`<text x="10" y="${y + 14}" font-weight="bold">${esc(panel.title)}</text>`);
    y += 26;
    const plot = width - labelWidth - 90;
    const scale = (v) => Math.max(0, Math.min(1, v / panel.max)) * plot;
    const top = y;
    for (const bar of panel.bars) {
      const w = scale(bar.value);
      parts.push(`<text x="${labelWidth - 8}" y="${y + 13}" text-anchor="end">${esc(bar.label)}</text>`);
      parts.push(
        `<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${bar.highlight ? '#2f6fdf' : '#9aa6b8'}"/>`,
      );
      parts.push(`<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 13}">${esc(bar.note ?? bar.value)}</text>`);
      y += barHeight + gap;
    }
    if (panel.target !== undefined) {
      const x = labelWidth + scale(panel.target);
      parts.push(
        `<line x1="${x.toFixed(1)}" y1="${top - 4}" x2="${x.toFixed(1)}" y2="${y - gap + 4}" stroke="#d33" stroke-dasharray="4 3"/>`,
      );
      parts.push(
        `<text x="${(x + 4).toFixed(1)}" y="${top - 6}" fill="#d33" font-size="11">target ${esc(panel.targetLabel ?? panel.target)}</text>`,
      );
    }
    y += 16;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="sans-serif" font-size="12">\n<rect width="100%" height="100%" fill="#fff"/>\n${parts.join('\n')}\n</svg>\n`;
}
