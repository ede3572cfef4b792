/*
 * admin/audit.html: the audit log (GET /admin/audit), filtered by actor,
 * action (exact or a prefix ending in "."), target and dates, paged; each
 * entry's before and after shown as the fields that changed, with both
 * objects in full on demand.  Filters live in the URL.
 */
import { $, adminHref, api, clear, el, fmtDate, showError } from './api.js';
import { changes, initAdmin, qs, renderPager } from './admin.js';

const LIMIT = 50;
const FILTERS = ['actor', 'action', 'target', 'since', 'until'];
const state = { filters: {}, offset: 0 };

function readUrl() {
	const p = new URLSearchParams(location.search);
	for (const k of FILTERS)
		state.filters[k] = p.get(k) || '';
	state.offset = Number(p.get('offset')) || 0;
}

function writeUrl() {
	history.replaceState(null, '', location.pathname + qs({ ...state.filters, offset: state.offset || '' }));
}

function apiFilters() {
	const f = { ...state.filters };
	/* targets are "submission:s_…", "job:j_…": a bare ID is taken as one */
	if (/^s_/.test(f.target))
		f.target = `submission:${f.target}`;
	else if (/^j_/.test(f.target))
		f.target = `job:${f.target}`;
	if (f.since)
		f.since = `${f.since}T00:00:00Z`;
	if (f.until) {
		const d = new Date(`${f.until}T00:00:00Z`);
		d.setUTCDate(d.getUTCDate() + 1);
		f.until = d.toISOString().replace('.000Z', 'Z');
	}
	return f;
}

function pretty(v) {
	return v === null || v === undefined ? '(none)' : JSON.stringify(v, null, 2);
}

/* The changed fields as a small table: field, before, after. */
function diffNode(a) {
	const created = a.before === null || a.before === undefined;
	const deleted = a.after === null || a.after === undefined;
	const rows = changes(a.before, a.after);
	const box = el('div', { class: 'diff' });
	if (created && !deleted && a.after && typeof a.after === 'object') {
		/* a new object: its fields in one line, not a before/after table */
		box.append(el('div', { class: 'small created' }, el('strong', null, 'Created: '),
		    Object.entries(a.after).map(([k, v], i) => [i ? ' · ' : '', el('span', { class: 'mono' }, k), ' ', JSON.stringify(v)])));
	} else if (rows.length) {
		const b = a.before || {};
		const n = a.after || {};
		const keys = [...new Set([...Object.keys(b), ...Object.keys(n)])]
		    .filter((k) => JSON.stringify(b[k]) !== JSON.stringify(n[k]));
		box.append(el('table', { class: 'compact small diff-table' },
		    el('caption', { class: 'visually-hidden' }, 'Fields that changed'),
		    el('thead', null, el('tr', null, el('th', { scope: 'col' }, 'Field'), el('th', { scope: 'col' }, 'Before'), el('th', { scope: 'col' }, 'After'))),
		    el('tbody', null, keys.map((k) => el('tr', null,
			el('th', { scope: 'row', class: 'mono' }, k),
			el('td', { class: 'mono before' }, created ? '' : b[k] === undefined ? '—' : JSON.stringify(b[k])),
			el('td', { class: 'mono after' }, n[k] === undefined ? '—' : JSON.stringify(n[k])))))));
	} else if (!created) {
		box.append(el('div', { class: 'small muted' }, 'no field changed'));
	}
	if (a.reason)
		box.append(el('div', { class: 'small' }, el('strong', null, 'Reason: '), a.reason));
	if (a.before == null && a.after == null)
		return box;
	box.append(el('details', { class: 'small' }, el('summary', null, 'Before and after in full'),
	    el('div', { class: 'grid-2' },
		el('div', null, el('div', { class: 'muted' }, 'Before'), el('pre', { class: 'json' }, pretty(a.before))),
		el('div', null, el('div', { class: 'muted' }, 'After'), el('pre', { class: 'json' }, pretty(a.after))))));
	return box;
}

/* A submission's entry links to it on the submissions page. */
function targetLink(target) {
	const m = /^submission:(s_[A-Za-z0-9_-]+)$/.exec(target);
	if (!m)
		return '';
	return el('div', null, el('a', { href: `${adminHref('submissions')}?id=${encodeURIComponent(m[1])}`, class: 'small' }, 'open'));
}

async function load() {
	const msg = $('#audit-notice');
	let d;
	try {
		d = await api(`/api/v1/admin/audit${qs({ ...apiFilters(), limit: LIMIT, offset: state.offset })}`);
	} catch (err) {
		showError(msg, err, 'Could not load the audit log:');
		return;
	}
	clear(msg).hidden = true;
	const rows = (d && d.audit) || [];
	const tb = clear($('#audit-table tbody'));
	$('#audit-empty').hidden = rows.length > 0;
	for (const a of rows) {
		const filterBy = (k, v) => {
			const b = el('button', { type: 'button', class: 'link', title: `Show only ${k} ${v}` }, v);
			b.addEventListener('click', () => {
				state.filters[k] = v;
				state.offset = 0;
				fillForm();
				writeUrl();
				load();
			});
			return b;
		};
		tb.append(el('tr', { 'data-audit': a.id, 'data-action': a.action },
		    el('td', { class: 'small nowrap' }, fmtDate(a.at)),
		    el('td', { class: 'small' }, a.actor ? filterBy('actor', a.actor) : '—'),
		    el('td', { class: 'small' }, filterBy('action', a.action)),
		    el('td', { class: 'small mono' }, a.target ? filterBy('target', String(a.target)) : '—', targetLink(String(a.target || ''))),
		    el('td', null, diffNode(a))));
	}
	renderPager($('#audit-pager'), { total: d.total, limit: LIMIT, offset: state.offset, count: rows.length },
	    (off) => { state.offset = off; writeUrl(); load(); });
}

function fillForm() {
	const f = $('#audit-filter');
	for (const k of FILTERS)
		f[k].value = state.filters[k] || '';
}

async function main() {
	if (!(await initAdmin('audit')))
		return;
	readUrl();
	fillForm();
	$('#audit-filter').addEventListener('submit', (ev) => {
		ev.preventDefault();
		for (const k of FILTERS)
			state.filters[k] = ev.currentTarget[k].value.trim();
		state.offset = 0;
		writeUrl();
		load();
	});
	$('#au-reset').addEventListener('click', () => {
		for (const k of FILTERS)
			state.filters[k] = '';
		state.offset = 0;
		fillForm();
		writeUrl();
		load();
	});
	await load();
}

main();
