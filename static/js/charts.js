/*
 * charts.js: small charts drawn as inline SVG, no library.  Every chart is
 * a <figure> holding an <svg role="img"> with a <title> and a <desc> that
 * reads the numbers out, plus the numbers as text next to each bar, so a
 * screen reader and a reader of the page get the same values.  All labels
 * are set with textContent.
 */
import { el } from './api.js';

const SVG = 'http://www.w3.org/2000/svg';

/* A stable palette, indexed by position (also used for legends). */
export const PALETTE = ['#2453c7', '#1c7a43', '#b86e00', '#7b3fb5', '#c23b6b', '#0f8a8a',
	'#5a6b8c', '#9a8a1c', '#3a9ad9', '#a4462a', '#4c8f3a', '#6d5ad6',
	'#d4572a', '#2e6e5e', '#8c3a8c', '#6b7f1f', '#1f5f8b', '#b8456e', '#7a5c3e', '#3d8f8f'];

let seq = 0;

function svgEl(tag, attrs, text) {
	const node = document.createElementNS(SVG, tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v !== null && v !== undefined)
			node.setAttribute(k, String(v));
	}
	if (text !== undefined)
		node.textContent = String(text);
	return node;
}

/* Rough text width at font size px (no layout pass needed). */
function textWidth(s, px) {
	return String(s).length * px * 0.6;
}

/*
 * A horizontal bar chart.
 *   rows:   [{label, value, text, color, strong}]: text is what is written
 *           after the bar (default: the value), strong draws the row bold
 *   opts:   title (required: the chart's accessible name), desc (defaults
 *           to "label: text" for every row), max (the scale's end; default
 *           the largest value), ticks (values where a grid line is drawn,
 *           labelled with tickFormat), width (px, default 560), name (set
 *           as data-chart, for tests and styling)
 * Returns the <figure>.
 */
export function barChart(rows, opts) {
	const id = `chart-${++seq}`;
	const width = opts.width || 560;
	const font = 12;
	const barH = 18;
	const gap = 8;
	const top = opts.ticks && opts.ticks.length ? 18 : 4;
	const labelW = Math.min(200, Math.max(40, ...rows.map((r) => textWidth(r.label, font) + 10)));
	const valueW = Math.max(36, ...rows.map((r) => textWidth(r.text ?? r.value, font) + 10));
	const plotW = Math.max(60, width - labelW - valueW);
	const height = top + rows.length * (barH + gap) + 2;
	const max = opts.max || Math.max(0, ...rows.map((r) => Number(r.value) || 0)) || 1;
	const x = (v) => labelW + (Math.max(0, Math.min(max, Number(v) || 0)) / max) * plotW;

	const svg = svgEl('svg', {
		class: 'chart', role: 'img', width, height, viewBox: `0 0 ${width} ${height}`,
		'aria-labelledby': `${id}-title ${id}-desc`, 'data-chart': opts.name || null,
		'font-size': font,
	});
	svg.append(svgEl('title', { id: `${id}-title` }, opts.title));
	svg.append(svgEl('desc', { id: `${id}-desc` }, opts.desc ||
	    rows.map((r) => `${r.label}: ${r.text ?? r.value}`).join('; ')));

	/* grid lines with their values on top */
	for (const t of opts.ticks || []) {
		const tx = x(t);
		svg.append(svgEl('line', { x1: tx, x2: tx, y1: top - 4, y2: height - 2, class: 'grid' }));
		svg.append(svgEl('text', { x: tx, y: top - 7, 'text-anchor': 'middle', class: 'tick' },
		    opts.tickFormat ? opts.tickFormat(t) : t));
	}
	rows.forEach((r, i) => {
		const y = top + i * (barH + gap);
		const g = svgEl('g', { class: r.strong ? 'row strong' : 'row' });
		const label = svgEl('text', { x: labelW - 8, y: y + barH / 2, 'text-anchor': 'end',
			'dominant-baseline': 'central', class: 'label' }, r.label);
		if (textWidth(r.label, font) + 10 > labelW)
			label.setAttribute('textLength', labelW - 12);	/* squeeze, never clip */
		g.append(label);
		g.append(svgEl('rect', { x: labelW, y, width: plotW, height: barH, class: 'track', rx: 3 }));
		const w = Math.max(0, x(r.value) - labelW);
		g.append(svgEl('rect', { x: labelW, y, width: w, height: barH, rx: 3,
			fill: r.color || PALETTE[0], class: 'bar' }));
		g.append(svgEl('text', { x: labelW + plotW + 6, y: y + barH / 2,
			'dominant-baseline': 'central', class: 'value' }, r.text ?? r.value));
		svg.append(g);
	});
	const fig = el('figure', { class: 'chart' });
	fig.append(svg);
	if (opts.caption)
		fig.append(el('figcaption', { class: 'small muted' }, opts.caption));
	return fig;
}

/*
 * A column chart (vertical bars), for a series such as counts per day.
 *   rows: [{label, value}]; opts: title, desc, width, height (of the plot),
 *   every (label every Nth column, the last one always), name.
 * Each column's value is written above it when it is not 0.
 */
export function columnChart(rows, opts) {
	const id = `chart-${++seq}`;
	const width = opts.width || 400;
	const plotH = opts.height || 120;
	const font = 11;
	const top = 14;
	const bottom = 18;
	const height = top + plotH + bottom;
	const n = Math.max(1, rows.length);
	const slot = width / n;
	const barW = Math.max(2, slot * 0.7);
	const max = opts.max || Math.max(0, ...rows.map((r) => Number(r.value) || 0)) || 1;
	const every = opts.every || 1;

	const svg = svgEl('svg', {
		class: 'chart', role: 'img', width, height, viewBox: `0 0 ${width} ${height}`,
		'aria-labelledby': `${id}-title ${id}-desc`, 'data-chart': opts.name || null, 'font-size': font,
	});
	svg.append(svgEl('title', { id: `${id}-title` }, opts.title));
	svg.append(svgEl('desc', { id: `${id}-desc` }, opts.desc ||
	    rows.map((r) => `${r.label}: ${r.value}`).join('; ')));
	svg.append(svgEl('line', { x1: 0, x2: width, y1: top + plotH, y2: top + plotH, class: 'grid' }));
	rows.forEach((r, i) => {
		const v = Math.max(0, Number(r.value) || 0);
		const h = (Math.min(v, max) / max) * plotH;
		const x = i * slot + (slot - barW) / 2;
		const g = svgEl('g', { class: 'col' });
		g.append(svgEl('rect', { x, y: top + plotH - h, width: barW, height: Math.max(h, v ? 1 : 0), rx: 2,
			fill: r.color || PALETTE[0], class: 'bar' }));
		if (v)
			g.append(svgEl('text', { x: x + barW / 2, y: top + plotH - h - 3, 'text-anchor': 'middle', class: 'value' }, r.text ?? v));
		if (i % every === (n - 1) % every)
			g.append(svgEl('text', { x: x + barW / 2, y: height - 4, 'text-anchor': 'middle', class: 'tick' }, r.label));
		svg.append(g);
	});
	const fig = el('figure', { class: 'chart' });
	fig.append(svg);
	if (opts.caption)
		fig.append(el('figcaption', { class: 'small muted' }, opts.caption));
	return fig;
}

/* Three or four round values from lo to hi, for an axis. */
function niceTicks(lo, hi) {
	if (!(hi > lo))
		return [lo];
	const raw = (hi - lo) / 3;
	const mag = 10 ** Math.floor(Math.log10(raw));
	const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
	const out = [];
	for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
		out.push(Number(t.toPrecision(12)));
	return out;
}

/*
 * A line chart of a series such as a training loss curve.
 *   points: [[x, y]], x rising; y null (or not finite) is a gap in the
 *           line, marked with a red tick under the plot
 *   opts:   title (required), desc (default: first, last and lowest
 *           values, and the gaps), width (px, default 520), height (of
 *           the plot, default 160), xLabel, yLabel, format (y values as
 *           text, default 4 significant digits), name (data-chart)
 * The y axis spans the finite values, the x axis the first to the last x.
 * The last point is drawn as a dot with its value.  Returns the <figure>.
 */
export function lineChart(points, opts) {
	const id = `chart-${++seq}`;
	const width = opts.width || 520;
	const plotH = opts.height || 160;
	const font = 11;
	const left = 48;
	const right = 56;
	const top = 10;
	const bottom = 30;
	const height = top + plotH + bottom;
	const plotW = Math.max(60, width - left - right);
	const fmt = opts.format || ((v) => Number(v).toPrecision(4));
	const pts = points.map(([x, y]) => [Number(x), y === null || y === undefined ? NaN : Number(y)]);
	const good = pts.filter(([, y]) => isFinite(y));
	const gaps = pts.filter(([, y]) => !isFinite(y));
	const x0 = pts.length ? pts[0][0] : 0;
	const x1 = pts.length ? pts[pts.length - 1][0] : 1;
	let y0 = good.length ? Math.min(...good.map(([, y]) => y)) : 0;
	let y1 = good.length ? Math.max(...good.map(([, y]) => y)) : 1;
	if (y1 - y0 < 1e-12) {
		y0 -= 0.5;
		y1 += 0.5;
	}
	const pad = (y1 - y0) * 0.05;
	y0 -= pad;
	y1 += pad;
	const sx = (x) => left + (x1 > x0 ? ((x - x0) / (x1 - x0)) * plotW : plotW / 2);
	const sy = (y) => top + plotH - ((y - y0) / (y1 - y0)) * plotH;

	const low = good.reduce((a, p) => (a && a[1] <= p[1] ? a : p), null);
	const last = pts[pts.length - 1];
	const say = (p) => `${opts.xLabel || 'x'} ${p[0]}: ${isFinite(p[1]) ? fmt(p[1]) : 'not a number'}`;
	const desc = opts.desc || [pts.length ? `first ${say(pts[0])}` : 'no points',
		last ? `last ${say(last)}` : null, low ? `lowest ${say(low)}` : null,
		gaps.length ? `${gaps.length} point${gaps.length === 1 ? '' : 's'} not a number` : null,
	].filter(Boolean).join('; ');

	const svg = svgEl('svg', {
		class: 'chart', role: 'img', width, height, viewBox: `0 0 ${width} ${height}`,
		'aria-labelledby': `${id}-title ${id}-desc`, 'data-chart': opts.name || null, 'font-size': font,
	});
	svg.append(svgEl('title', { id: `${id}-title` }, opts.title));
	svg.append(svgEl('desc', { id: `${id}-desc` }, desc));
	for (const t of niceTicks(y0, y1)) {
		svg.append(svgEl('line', { x1: left, x2: left + plotW, y1: sy(t), y2: sy(t), class: 'grid' }));
		svg.append(svgEl('text', { x: left - 6, y: sy(t), 'text-anchor': 'end', 'dominant-baseline': 'central',
			class: 'tick' }, fmt(t)));
	}
	svg.append(svgEl('line', { x1: left, x2: left + plotW, y1: top + plotH, y2: top + plotH, class: 'grid' }));
	for (const t of (x1 > x0 ? niceTicks(x0, x1) : [x0]).filter(Number.isInteger)) {
		svg.append(svgEl('text', { x: sx(t), y: top + plotH + 13, 'text-anchor': 'middle', class: 'tick' }, t));
	}
	if (opts.xLabel) {
		svg.append(svgEl('text', { x: left + plotW, y: height - 3, 'text-anchor': 'end', class: 'tick' },
		    opts.xLabel));
	}
	if (opts.yLabel)
		svg.append(svgEl('text', { x: 2, y: top + 2, 'dominant-baseline': 'hanging', class: 'tick' }, opts.yLabel));

	/* the line, broken where a value is missing; a point alone between
	 * gaps is a dot */
	let d = '';
	const alone = [];
	pts.forEach(([x, y], i) => {
		if (!isFinite(y))
			return;
		const prev = i > 0 && isFinite(pts[i - 1][1]);
		const next = i + 1 < pts.length && isFinite(pts[i + 1][1]);
		d += `${prev ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`;
		if (!prev && !next)
			alone.push([x, y]);
	});
	if (d)
		svg.append(svgEl('path', { d, fill: 'none', stroke: PALETTE[0], 'stroke-width': 1.75, class: 'line' }));
	for (const [x, y] of alone)
		svg.append(svgEl('circle', { cx: sx(x), cy: sy(y), r: 2, fill: PALETTE[0], class: 'dot' }));
	for (const [x] of gaps) {
		svg.append(svgEl('line', { x1: sx(x), x2: sx(x), y1: top + plotH - 6, y2: top + plotH, stroke: '#c23b3b',
			'stroke-width': 1.5, class: 'gap' }));
	}
	if (last && isFinite(last[1])) {
		svg.append(svgEl('circle', { cx: sx(last[0]), cy: sy(last[1]), r: 3, fill: PALETTE[0], class: 'last' }));
		svg.append(svgEl('text', { x: sx(last[0]) + 6, y: sy(last[1]), 'dominant-baseline': 'central',
			class: 'value' }, fmt(last[1])));
	}
	const fig = el('figure', { class: 'chart' });
	fig.append(svg);
	if (opts.caption)
		fig.append(el('figcaption', { class: 'small muted' }, opts.caption));
	return fig;
}
