/*
 * index.html: the leaderboard.  One tab per track (GET /tracks); the table
 * of the selected track (GET /leaderboard?track=S) with one column per task
 * score, sortable by clicking a header.  The selected track lives in the
 * URL hash (#track=slug) so a link can point at one; /?track=slug selects
 * it too.  Issue 13: the panel links the track's page, says when the
 * public board is frozen, links each method's url (http(s) only) with its
 * description on hover and in a <details>; on a narrow screen the ranking
 * score is the first column.
 */
import { api, $, badge, clear, el, fmtDate, fmtInt, fmtScore, fmtTime, initNav, notice, showError } from './api.js';
import { safeHref } from './plaintext.js';

const state = {
	tracks: [],
	track: null,		/* selected slug */
	board: null,		/* last leaderboard answer */
	sortKey: 'rank',
	sortDir: 1,		/* 1 ascending, -1 descending */
	loadSeq: 0,		/* drops answers of superseded loads */
};

function hashTrack() {
	const m = /(?:^|[#&])track=([^&]*)/.exec(location.hash);
	if (!m)
		return null;
	try {
		return decodeURIComponent(m[1]);
	} catch (_) {
		return null;	/* a mangled link (not UTF-8): no track asked */
	}
}

/* The track the URL asks for: #track=slug, else ?track=slug. */
function urlTrack() {
	return hashTrack() || new URLSearchParams(location.search).get('track');
}

/* A phone-sized screen: the ranking score comes first. */
const NARROW = typeof matchMedia === 'function' ? matchMedia('(max-width: 640px)') : null;

function renderTabs() {
	const tabs = clear($('#tabs'));
	state.tracks.forEach((t) => {
		const selected = t.slug === state.track;
		const tab = el('button', {
			type: 'button', role: 'tab', id: `tab-${t.slug}`,
			'aria-selected': selected ? 'true' : 'false',
			'aria-controls': 'lb-panel', tabindex: selected ? '0' : '-1',
			'data-track': t.slug,
		}, t.slug, el('span', { class: 'tab-kind' }, t.kind || ''));
		tab.addEventListener('click', () => selectTrack(t.slug, true));
		tabs.append(tab);
	});
}

/* Arrow keys move between tabs (WAI-ARIA tabs pattern). */
function onTabKey(ev) {
	const keys = { ArrowLeft: -1, ArrowRight: 1, Home: 'first', End: 'last' };
	if (!(ev.key in keys) || !state.tracks.length)
		return;
	ev.preventDefault();
	const i = state.tracks.findIndex((t) => t.slug === state.track);
	const n = state.tracks.length;
	let j = keys[ev.key] === 'first' ? 0 : keys[ev.key] === 'last' ? n - 1 : (i + keys[ev.key] + n) % n;
	selectTrack(state.tracks[j].slug, true);
	const tab = document.getElementById(`tab-${state.tracks[j].slug}`);
	if (tab)
		tab.focus();
}

function renderTrackInfo(t) {
	const info = clear($('#track-info'));
	if (!t)
		return;
	const parts = [];
	parts.push(el('span', null, `${t.kind === 'byod' ? 'Bring your own data' : 'Standard (pool IDs)'} track`));
	if (t.budget !== undefined && t.budget !== null)
		parts.push(el('span', null, `budget ${fmtInt(t.budget)} samples`));
	const opens = t.opens_at ?? t.opens;
	const closes = t.closes_at ?? t.closes;
	if (opens)
		parts.push(el('span', null, `opens ${fmtDate(opens)}`));
	if (closes)
		parts.push(el('span', null, `closes ${fmtDate(closes)}`));
	if (state.board && state.board.metric)
		parts.push(el('span', null, `ranked by ${state.board.metric}`));
	parts.forEach((p, i) => { if (i) info.append(' · '); info.append(p); });
	if (t.status) {
		info.append(' ');
		info.append(badge(t.status));
	}
	info.append(' · ', el('a', { href: `/track?slug=${encodeURIComponent(t.slug)}`, class: 'track-page-link' },
	    'Overview, rules and timeline'));
}

/* The freeze of the public board (db_lb.c): once freeze_at has passed it
 * shows only what was scored by then, until the organizers move or clear
 * the freeze. */
function renderFreeze(t) {
	const box = $('#lb-freeze');
	const b = state.board;
	const at = (b && b.freeze_at) || (t && t.freeze_at) || null;
	if (b && b.frozen && at) {
		notice(box, 'warn', el('strong', null, `Frozen since ${fmtTime(at)}`),
		    ': results scored after then (new submissions and re-runs) are scored but not shown here ' +
		    'until the organizers lift the freeze.');
	} else if (at && new Date(at) > new Date()) {
		notice(box, 'info', `The public board freezes at ${fmtTime(at)}: results scored after then are shown only when the organizers lift the freeze.`);
	} else {
		notice(box, 'info');
	}
}

async function selectTrack(slug, pushHash) {
	state.track = slug;
	if (pushHash) {
		const q = new URLSearchParams(location.search);
		if (q.has('track'))
			q.set('track', slug);
		const search = q.toString();
		history.replaceState(null, '', `${location.pathname}${search ? `?${search}` : ''}#track=${encodeURIComponent(slug)}`);
	}
	renderTabs();
	const t = state.tracks.find((x) => x.slug === slug);
	const panel = $('#lb-panel');
	panel.hidden = false;
	panel.setAttribute('aria-labelledby', `tab-${slug}`);
	const csv = $('#csv-link');
	csv.href = `/api/v1/leaderboard.csv?track=${encodeURIComponent(slug)}`;
	csv.hidden = false;
	$('#lb-caption').textContent = `Leaderboard of track ${slug}`;
	state.board = null;
	renderTrackInfo(t);
	notice($('#lb-freeze'), 'info');
	const seq = ++state.loadSeq;
	const empty = $('#lb-empty');
	clear($('#lb-table thead'));
	clear($('#lb-table tbody'));
	empty.hidden = false;
	empty.textContent = 'Loading…';
	try {
		const board = await api(`/api/v1/leaderboard?track=${encodeURIComponent(slug)}`);
		if (seq !== state.loadSeq)
			return;
		state.board = board || { entries: [] };
		(state.board.entries || []).forEach((e, i) => { e._order = i; });
		notice($('#lb-notice'), 'info');
		renderTrackInfo(t);
		renderFreeze(t);
		renderTable();
	} catch (err) {
		if (seq !== state.loadSeq)
			return;
		empty.textContent = 'The leaderboard could not be loaded.';
		showError($('#lb-notice'), err);
	}
}

/* The task columns: every score key but 'overall', over all entries. */
function taskKeys(entries) {
	const keys = new Set();
	entries.forEach((e) => Object.keys(e.scores || {}).forEach((k) => {
		if (k !== 'overall')
			keys.add(k);
	}));
	return [...keys].sort();
}

function columns(entries) {
	const cols = [
		/* the server's order is the ranking, baselines (no rank) in place */
		{ key: 'rank', label: 'Rank', num: true, get: (e) => e._order },
		{ key: 'team', label: 'Team', get: (e) => e.team },
		{ key: 'method_name', label: 'Method', get: (e) => e.method_name },
		{ key: 'n_samples', label: 'Samples', num: true, get: (e) => e.n_samples },
		{ key: 'score:overall', label: 'Overall', num: true, score: true, get: (e) => (e.scores || {}).overall },
	];
	taskKeys(entries).forEach((k) => cols.push({
		key: `score:${k}`, label: k, num: true, score: true, get: (e) => (e.scores || {})[k],
	}));
	cols.push({ key: 'submitted_at', label: 'Submitted', get: (e) => e.submitted_at, date: true });
	if (NARROW && NARROW.matches) {
		/* the ranking score first: the column of the track's metric */
		const metric = `score:${(state.board && state.board.metric) || 'overall'}`;
		let i = cols.findIndex((c) => c.key === metric);
		if (i < 0)
			i = cols.findIndex((c) => c.key === 'score:overall');
		cols.unshift(...cols.splice(i, 1));
	}
	return cols;
}

/* The method's cell: its name, a link when its url is http(s), its
 * description on hover (title) and in a <details>. */
function methodCell(e) {
	const name = e.method_name || '(unnamed)';
	const href = e.url ? safeHref(e.url) : null;
	const desc = typeof e.description === 'string' ? e.description.trim() : '';
	const td = el('td', { class: 'method-cell', title: desc || null },
	    href ? el('a', { href, rel: 'noopener nofollow', class: 'method-link' }, name) : name);
	if (desc)
		td.append(el('details', { class: 'method-desc' }, el('summary', null, 'Description'),
		    el('p', null, desc)));
	return td;
}

function compare(a, b, col) {
	const va = col.get(a);
	const vb = col.get(b);
	const na = va === null || va === undefined || va === '';
	const nb = vb === null || vb === undefined || vb === '';
	if (na || nb)
		return na && nb ? 0 : na ? 1 : -1;	/* missing values last either way */
	let c;
	if (col.num)
		c = Number(va) - Number(vb);
	else if (col.date)
		c = new Date(va) - new Date(vb);
	else
		c = String(va).localeCompare(String(vb), undefined, { sensitivity: 'base' });
	return c * state.sortDir;
}

function setSort(key) {
	if (state.sortKey === key) {
		state.sortDir = -state.sortDir;
	} else {
		state.sortKey = key;
		/* scores read best first; everything else ascending */
		state.sortDir = key.startsWith('score:') ? -1 : 1;
	}
	renderTable();
	const btn = document.querySelector(`#lb-table th[data-key="${CSS.escape(key)}"] button`);
	if (btn)
		btn.focus();
}

function renderTable() {
	const entries = (state.board && Array.isArray(state.board.entries)) ? state.board.entries : [];
	const thead = clear($('#lb-table thead'));
	const tbody = clear($('#lb-table tbody'));
	const empty = $('#lb-empty');
	if (!entries.length) {
		empty.hidden = false;
		empty.textContent = 'No scored submissions on this track yet.';
		return;
	}
	empty.hidden = true;
	const cols = columns(entries);
	let sortCol = cols.find((c) => c.key === state.sortKey);
	if (!sortCol) {
		state.sortKey = 'rank';
		state.sortDir = 1;
		sortCol = cols.find((c) => c.key === 'rank');
	}
	const hr = el('tr');
	cols.forEach((c) => {
		const sorted = c.key === state.sortKey;
		const th = el('th', {
			scope: 'col', class: c.num ? 'num' : null, 'data-key': c.key,
			'aria-sort': sorted ? (state.sortDir > 0 ? 'ascending' : 'descending') : 'none',
		});
		const arrow = sorted ? (state.sortDir > 0 ? '▲' : '▼') : '↕';
		th.append(el('button', { type: 'button', class: 'sort', onclick: () => setSort(c.key) },
		    c.label, el('span', { class: 'arrow', 'aria-hidden': 'true' }, arrow)));
		hr.append(th);
	});
	thead.append(hr);
	const rows = entries.slice().sort((a, b) => compare(a, b, sortCol) || a._order - b._order);
	rows.forEach((e) => {
		const tr = el('tr', { class: e.baseline ? 'baseline' : null, 'data-submission': e.submission_id || null });
		cols.forEach((c) => {
			const v = c.get(e);
			let td;
			if (c.key === 'rank') {
				td = el('td', { class: 'num rank' }, e.rank ?? '—');
			} else if (c.key === 'team') {
				td = el('td', null, v ?? '');
				if (e.baseline)
					td.append(' ', badge('baseline'));
				if (e.backend === 'proxy')
					td.append(' ', badge('proxy'));
			} else if (c.key === 'method_name') {
				td = methodCell(e);
			} else if (c.score) {
				td = el('td', { class: c.key === 'score:overall' ? 'num strong' : 'num' }, fmtScore(v));
				if (c.key === 'score:overall')
					td.style.fontWeight = '600';
			} else if (c.num) {
				td = el('td', { class: 'num' }, fmtInt(v));
			} else if (c.date) {
				td = el('td', { class: 'small muted nowrap' }, fmtDate(v));
			} else {
				td = el('td', null, v ?? '');
			}
			tr.append(td);
		});
		tbody.append(tr);
	});
}

async function main() {
	initNav();
	$('#tabs').addEventListener('keydown', onTabKey);
	if (NARROW)
		NARROW.addEventListener('change', () => { if (state.board) renderTable(); });
	window.addEventListener('hashchange', () => {
		const h = hashTrack();
		if (h && h !== state.track && state.tracks.some((t) => t.slug === h))
			selectTrack(h, false);
	});
	try {
		const data = await api('/api/v1/tracks');
		state.tracks = (data && data.tracks) || [];
	} catch (err) {
		showError($('#lb-notice'), err, 'Could not load the tracks:');
		return;
	}
	if (!state.tracks.length) {
		notice($('#lb-notice'), 'info', 'No tracks have been set up yet.');
		return;
	}
	const want = urlTrack();
	const first = state.tracks.find((t) => t.slug === want) ||
	    state.tracks.find((t) => t.status === 'open') || state.tracks[0];
	selectTrack(first.slug, false);
}

main();
