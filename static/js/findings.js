/*
 * The validator's findings as the API gives them — errors in a 422's
 * `details`, warnings in a submission's `warnings`, each {line?, item?,
 * path?, offset?, message} — for the submit and submission pages: where
 * one is, a list of them, and the block that tells a team about the
 * warnings of an accepted file.  Everything is built with el(), so the
 * file's text stays text.
 */
import { el, fmtInt } from './api.js';

/* "Line 12", "[3].conversations[1].from", "Item 3", "Byte 4096"; with
 * item, a BYOD item's number before its path ("Item 3 · [3]…"). */
export function where(d, item) {
	const parts = [];
	if (d.line != null)
		parts.push(`Line ${d.line}`);
	if (d.item != null && (d.path == null || item))
		parts.push(`Item ${d.item}`);
	if (d.path != null)
		parts.push(String(d.path));
	if (d.offset != null && !parts.length)
		parts.push(`Byte ${d.offset}`);
	return parts.join(' · ') || '—';
}

/* An <ol> of findings, where then what; attrs for the list (id, class,
 * aria-label), item as in where(). */
export function findingList(list, attrs, item) {
	const ol = el('ol', attrs);
	list.forEach((d) => ol.append(el('li', null,
	    el('span', { class: 'where' }, where(d, item)),
	    el('span', { class: 'what' }, d.message || ''))));
	return ol;
}

/* "1 warning", "150 warnings". */
export function countOf(n, word) {
	return n === 1 ? `1 ${word}` : `${fmtInt(n)} ${word}s`;
}

/*
 * The warnings of a file: `total` found, the first ones in `list`.  A
 * heading (or, with opts.collapsed, a <details> summary) with the count,
 * opts.lead, the list (id warning-list) and, when not all are listed, how
 * many are.  opts.id: the block's id.  null when there are none.
 */
export function warningsView(list, total, opts) {
	if (!total)
		return null;
	const count = countOf(total, 'warning');
	const shown = list.length < total
	    ? el('p', { class: 'hint' }, `The first ${fmtInt(list.length)} are listed.`) : null;
	const body = [el('p', null, opts.lead),
	    findingList(list, { class: 'error-list warn-list', id: 'warning-list',
		'aria-label': 'Validation warnings' }, true), shown];
	if (opts.collapsed)
		return el('details', { class: 'warnings', id: opts.id },
		    el('summary', { id: 'warning-count' }, count), ...body);
	return el('div', { class: 'warnings', id: opts.id },
	    el('h3', { id: 'warning-count' }, count), ...body);
}
