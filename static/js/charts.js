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
