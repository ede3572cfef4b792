/*
 * admin/submissions.html: all teams' submissions (GET /admin/submissions)
 * filtered by track, team, job state, flag and date, the filters kept in
 * the URL.  "Manage" opens a row with everything about one submission
 * (GET /admin/submissions/{id}: job, attempts history, warnings, audit entries) and
 * its actions: hide, disqualify (reasons asked for), restore, baseline,
 * download; re-run, cancel, priority and fail for its job.  ?id=S opens S.
 */
import { $, api, badge, clear, el, fmtBytes, fmtDate, fmtInt, fmtScore, notice, scoreEntries, showError } from './api.js';
import { adminTracks, askDialog, changes, fmtWhen, initAdmin, qs, renderPager } from './admin.js';
import { warningsView } from './findings.js';
import { progressPct } from './jobview.js';

const LIMIT = 50;
const FILTERS = ['track', 'team', 'state', 'flag', 'since', 'until'];
const state = { filters: {}, offset: 0, open: null, focus: null };

function say(kind, ...msg) {
	notice($('#subs-notice'), kind, ...msg);
	$('#subs-notice').scrollIntoView({ block: 'nearest' });
}

function readUrl() {
	const p = new URLSearchParams(location.search);
	for (const k of FILTERS)
		state.filters[k] = p.get(k) || '';
	state.offset = Number(p.get('offset')) || 0;
	state.focus = p.get('id');
	state.open = state.focus;
}

function writeUrl() {
	const q = qs({ ...state.filters, offset: state.offset || '', id: state.open || '' });
	history.replaceState(null, '', location.pathname + q);
}

function apiFilters() {
	const f = { ...state.filters };
	if (f.since)
		f.since = `${f.since}T00:00:00Z`;
	if (f.until) {
		/* the API's until is exclusive: the day after the chosen one */
		const d = new Date(`${f.until}T00:00:00Z`);
		d.setUTCDate(d.getUTCDate() + 1);
		f.until = d.toISOString().replace('.000Z', 'Z');
	}
	return f;
}

function flags(s) {
	const out = [];
	for (const f of ['hidden', 'disqualified', 'baseline', 'selected', 'reused'])
		if (s[f])
			out.push(' ', badge(f));
	return out;
}

function renderExports() {
	const t = state.filters.track;
	const q = t ? `track=${encodeURIComponent(t)}&` : '';
	const box = clear($('#sub-exports'));
	box.append(el('span', { class: 'muted' }, `Export${t ? ` ${t}` : ' all'}:`),
	    el('a', { class: 'button secondary small', href: `/api/v1/admin/exports/submissions?${q}format=csv`, download: '' }, 'CSV'),
	    el('a', { class: 'button secondary small', href: `/api/v1/admin/exports/submissions?${q}format=json`, download: '' }, 'JSON'));
}

async function loadList() {
	const d = await api(`/api/v1/admin/submissions${qs({ ...apiFilters(), limit: LIMIT, offset: state.offset })}`);
	const subs = (d && d.submissions) || [];
	const tb = clear($('#admin-subs-table tbody'));
	$('#subs-empty').hidden = subs.length > 0;
	for (const s of subs) {
		const open = state.open === s.id;
		const btn = el('button', { type: 'button', class: 'secondary small manage-btn', 'aria-expanded': open ? 'true' : 'false',
			'aria-controls': `manage-${s.id}` }, open ? 'Close' : 'Manage');
		btn.addEventListener('click', () => {
			state.open = state.open === s.id ? null : s.id;
			writeUrl();
			refresh();
		});
		const j = s.job || {};
		const overall = s.scores && s.scores.overall;
		const priv = s.private_scores && s.private_scores.overall;
		tb.append(el('tr', { 'data-id': s.id, class: s.hidden || s.disqualified ? 'muted-row' : null },
		    el('td', { class: 'small nowrap' }, fmtDate(s.created_at)),
		    el('td', null, s.track),
		    el('td', null, s.team || '—', el('div', { class: 'small muted' }, s.user_email || '')),
		    el('td', null, el('span', { class: 'method' }, s.method_name || ''), el('div', { class: 'mono small muted' }, s.id)),
		    el('td', { class: 'num' }, fmtInt(s.n_samples)),
		    el('td', { class: 'state' }, badge(j.state || s.status), flags(s),
			j.state === 'running' && j.stage ? el('div', { class: 'small muted' }, `${j.stage}${j.stage_note ? ` (${j.stage_note})` : ''}${progressPct(j) !== null ? ` ${Math.round(progressPct(j))}%` : ''}`) : ''),
		    el('td', { class: 'num' }, fmtScore(overall), priv != null ? el('div', { class: 'small muted', title: 'private split' }, `priv. ${fmtScore(priv)}`) : ''),
		    el('td', { class: 'actions-cell' }, btn)));
		if (open) {
			const cell = el('td', { colspan: 8 }, el('p', { class: 'muted small' }, 'Loading…'));
			tb.append(el('tr', { class: 'details-row', id: `manage-${s.id}` }, cell));
			loadDetail(s.id, cell);
		}
	}
	renderPager($('#subs-pager'), { total: d.total, limit: LIMIT, offset: state.offset, count: subs.length },
	    (off) => { state.offset = off; writeUrl(); refresh(); });
	/* ?id= of a submission not on this page: show it above the list */
	if (state.open && !subs.some((s) => s.id === state.open)) {
		const cell = el('td', { colspan: 8 }, el('p', { class: 'muted small' }, 'Loading…'));
		tb.prepend(el('tr', { class: 'details-row focus-row', id: `manage-${state.open}` }, cell));
		loadDetail(state.open, cell);
	}
}

function dl(pairs) {
	const out = el('dl', { class: 'props small' });
	for (const [k, v] of pairs)
		if (v !== undefined)
			out.append(el('dt', null, k), el('dd', null, v ?? '—'));
	return out;
}

function scoreList(scores) {
	const e = scoreEntries(scores);
	if (!e.length)
		return el('span', { class: 'muted' }, 'none');
	return el('span', { class: 'mono' }, e.map(([k, v]) => `${k} ${fmtScore(v)}`).join(' · '));
}

async function loadDetail(id, cell) {
	let d;
	try {
		d = await api(`/api/v1/admin/submissions/${encodeURIComponent(id)}`);
	} catch (err) {
		clear(cell).append(el('div', { class: 'notice error small' }, `Could not load ${id}: ${err.message}`));
		return;
	}
	const s = d.submission;
	const j = s.job || {};
	clear(cell);
	const active = j.state === 'queued' || j.state === 'running';
	const finished = j.state && !active;

	/* actions */
	const bar = el('div', { class: 'action-bar', role: 'group', 'aria-label': `Actions on ${s.id}` });
	const button = (text, cls, fn, on = true) => {
		const b = el('button', { type: 'button', class: `small ${cls}`, disabled: !on }, text);
		b.addEventListener('click', async () => {
			b.disabled = true;
			await fn();
			b.disabled = false;
		});
		bar.append(b);
		return b;
	};
	if (!s.hidden)
		button('Hide', 'danger hide-btn', () => moderate(s, 'hide'));
	if (!s.disqualified)
		button('Disqualify', 'danger disqualify-btn', () => moderate(s, 'disqualify'));
	if (s.hidden || s.disqualified)
		button('Restore', 'secondary restore-btn', () => moderate(s, 'restore'));
	button(s.baseline ? 'Unmark baseline' : 'Mark as baseline', 'secondary baseline-btn', () => baseline(s));
	if (j.id) {
		button('Re-run', 'secondary rerun-btn', () => jobAction(s, 'rerun'), finished);
		button('Cancel job', 'secondary cancel-btn', () => jobAction(s, 'cancel'), active);
		button('Priority…', 'secondary priority-btn', () => jobAction(s, 'priority'), j.state === 'queued');
		button('Fail…', 'danger fail-btn', () => jobAction(s, 'fail'), active);
	}
	bar.append(el('a', { class: 'button secondary small', href: `/api/v1/admin/submissions/${encodeURIComponent(s.id)}/file`, download: '' }, 'Download file'),
	    el('a', { class: 'button secondary small', href: `/submission?id=${encodeURIComponent(s.id)}` }, 'Team’s view'));
	cell.append(el('h3', { class: 'detail-title' }, s.method_name || s.id, ' ', el('span', { class: 'mono small muted' }, s.id)), bar);

	const comp = s.composition && typeof s.composition === 'object'
	    ? Object.entries(s.composition).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${fmtInt(v)}`).join(' · ') : null;
	const left = dl([
		['Team', `${s.team || '—'}${s.user_email ? ` (${s.user_email})` : ''}`],
		['Track', `${s.track} · ${s.kind}`],
		['Flags', flags(s).length ? flags(s) : el('span', { class: 'muted' }, 'none')],
		['Reason', s.reason || undefined],
		['Samples', `${fmtInt(s.n_samples)} · ${fmtBytes(s.size_bytes || 0)}`],
		['Composition', comp || undefined],
		['Submitted', fmtWhen(s.created_at)],
		['Description', s.description || undefined],
		['URL', s.url || undefined],
		['SHA-256', el('span', { class: 'mono' }, s.sha256 || '—')],
		['Reused from', s.reused_from || undefined],
		['Public scores', scoreList(s.scores)],
		['Private scores', scoreList(s.private_scores)],
	]);
	const right = dl([
		['Job', el('span', { class: 'mono' }, j.id || '—')],
		['State', j.state ? [badge(j.state), j.stage ? ` ${j.stage}` : ''] : '—'],
		['Attempt', j.attempt != null ? String(j.attempt) : undefined],
		['Priority', j.priority != null ? String(j.priority) : undefined],
		['Worker', j.worker || undefined],
		['Started', j.started_at ? fmtWhen(j.started_at) : undefined],
		['Finished', j.finished_at ? fmtWhen(j.finished_at) : undefined],
		['Lease ends', active && j.lease_expires_at ? fmtWhen(j.lease_expires_at) : undefined],
		['Error', j.error ? el('span', { class: 'err-text' }, j.error, j.fault ? ` (${j.fault})` : '') : undefined],
	]);
	cell.append(el('div', { class: 'grid-2' }, el('div', null, left), el('div', null, right)));
	const warn = warningsView(Array.isArray(s.warnings) ? s.warnings : [], s.n_warnings || 0,
	    { collapsed: true, id: 'admin-warnings', lead: 'The file was accepted with these findings of the validator; the items named may train poorly.' });
	if (warn)
		cell.append(warn);

	const hist = Array.isArray(j.history) ? j.history : [];
	if (hist.length) {
		cell.append(el('h4', null, 'Earlier attempts'), el('table', { class: 'compact small history' },
		    el('caption', { class: 'visually-hidden' }, 'Earlier attempts of the job'),
		    el('thead', null, el('tr', null, ['Attempt', 'State', 'Worker', 'Finished', 'Scores', 'Error', 'Re-run'].map((h) => el('th', { scope: 'col' }, h)))),
		    el('tbody', null, hist.map((h) => el('tr', null,
			el('td', null, String(h.attempt ?? '')), el('td', null, badge(h.state)), el('td', null, h.worker || '—'),
			el('td', { class: 'nowrap' }, fmtDate(h.finished_at)), el('td', null, scoreList(h.scores)),
			el('td', { class: 'err-text' }, h.error || ''), el('td', { class: 'nowrap' }, `${fmtDate(h.rerun_at)}${h.rerun_by ? ` by ${h.rerun_by}` : ''}`))))));
	}
	if (j.log_tail)
		cell.append(el('details', null, el('summary', null, 'Log tail'), el('pre', { class: 'log' }, j.log_tail)));
	const audit = Array.isArray(s.audit) ? s.audit : Array.isArray(d.audit) ? d.audit : [];
	if (audit.length) {
		cell.append(el('h4', null, 'History of this submission'), el('ul', { class: 'plain small audit-mini' },
		    audit.map((a) => el('li', null, el('span', { class: 'nowrap muted' }, fmtDate(a.at)), ' ', el('strong', null, a.action), ` by ${a.actor || '—'}`,
			a.reason ? ` — “${a.reason}”` : '', changes(a.before, a.after).length ? el('span', { class: 'muted' }, ` (${changes(a.before, a.after).join('; ')})`) : ''))));
	}
}

const VERBS = {
	hide: { title: 'Hide', done: 'hidden from the leaderboard', reason: true, hint: 'Kept in the audit log; the team does not see it.' },
	disqualify: { title: 'Disqualify', done: 'disqualified', reason: true, hint: 'The team reads this reason on its submission page.' },
	restore: { title: 'Restore', done: 'restored (no longer hidden nor disqualified)', reason: false },
};

async function moderate(s, verb) {
	const v = VERBS[verb];
	const r = await askDialog({
		title: `${v.title} “${s.method_name}” of ${s.team}?`,
		fields: [{ name: 'reason', label: 'Reason', type: 'textarea', required: v.reason, hint: v.hint }],
		confirm: v.title, danger: verb !== 'restore',
	});
	if (!r)
		return;
	try {
		await api(`/api/v1/admin/submissions/${encodeURIComponent(s.id)}/${verb}`, { method: 'POST', json: r.reason ? { reason: r.reason } : {} });
		say('success', `Submission ${s.id} ${v.done}.`);
	} catch (err) {
		showError($('#subs-notice'), err, `Could not ${verb}:`);
	}
	await refresh();
}

async function baseline(s) {
	const on = !s.baseline;
	try {
		await api(`/api/v1/admin/submissions/${encodeURIComponent(s.id)}/baseline`, { method: 'POST', json: { baseline: on } });
		say('success', on ? `Submission ${s.id} is a baseline: shown, not ranked.` : `Submission ${s.id} is no longer a baseline.`);
	} catch (err) {
		showError($('#subs-notice'), err, 'Could not change the baseline mark:');
	}
	await refresh();
}

async function jobAction(s, verb) {
	const j = s.job;
	let body = {};
	let done = '';
	if (verb === 'rerun') {
		const r = await askDialog({ title: `Re-run the job of “${s.method_name}”?`,
			message: 'A new attempt is queued; the finished one is kept in the history.',
			fields: [{ name: 'reason', label: 'Reason', type: 'textarea' }], confirm: 'Re-run' });
		if (!r)
			return;
		body = r.reason ? { reason: r.reason } : {};
		done = 'queued again';
	} else if (verb === 'cancel') {
		const r = await askDialog({ title: `Cancel the job of “${s.method_name}”?`,
			fields: [{ name: 'reason', label: 'Reason', type: 'textarea' }], confirm: 'Cancel job', danger: true });
		if (!r)
			return;
		body = r.reason ? { reason: r.reason } : {};
		done = 'cancelled';
	} else if (verb === 'priority') {
		const r = await askDialog({ title: 'Change the job’s priority',
			message: 'Workers claim the highest priority first, then the oldest.',
			fields: [{ name: 'priority', label: 'Priority (−1000 to 1000)', type: 'number', min: -1000, max: 1000, required: true, value: j.priority ?? 0 }],
			confirm: 'Set priority' });
		if (!r)
			return;
		const p = Number(r.priority);
		if (!Number.isInteger(p) || p < -1000 || p > 1000) {
			say('error', 'The priority must be a whole number from −1000 to 1000.');
			return;
		}
		body = { priority: p };
		done = `given priority ${p}`;
	} else if (verb === 'fail') {
		const r = await askDialog({ title: `Fail the job of “${s.method_name}”?`,
			message: 'For a stuck job. Its worker is stopped on its next heartbeat.',
			fields: [{ name: 'reason', label: 'Reason', type: 'textarea', required: true, hint: 'The team sees it as the job’s error.' },
				{ name: 'fault', label: 'Whose fault', type: 'select', value: 'system',
					options: [['system', 'ours (system): does not count against the quota'], ['team', 'the team’s: counts']] }],
			confirm: 'Fail job', danger: true });
		if (!r)
			return;
		body = { reason: r.reason, fault: r.fault };
		done = 'failed';
	}
	try {
		await api(`/api/v1/admin/jobs/${encodeURIComponent(j.id)}/${verb}`, { method: 'POST', json: body });
		say('success', `The job of ${s.id} was ${done}.`);
	} catch (err) {
		showError($('#subs-notice'), err, 'Not done:');
	}
	await refresh();
}

async function refresh() {
	try {
		await loadList();
	} catch (err) {
		showError($('#subs-notice'), err, 'Could not load the submissions:');
	}
}

function fillForm() {
	const f = $('#subs-filter');
	for (const k of FILTERS)
		f[k].value = state.filters[k] || '';
}

async function main() {
	if (!(await initAdmin('submissions')))
		return;
	readUrl();
	try {
		const tracks = await adminTracks();
		const sel = $('#flt-track');
		for (const t of tracks)
			sel.append(el('option', { value: t.slug }, t.slug));
	} catch (err) {
		showError($('#subs-notice'), err, 'Could not load the tracks:');
	}
	fillForm();
	renderExports();
	$('#subs-filter').addEventListener('submit', (ev) => {
		ev.preventDefault();
		const f = ev.currentTarget;
		for (const k of FILTERS)
			state.filters[k] = f[k].value.trim();
		state.offset = 0;
		state.open = null;
		writeUrl();
		renderExports();
		refresh();
	});
	$('#flt-reset').addEventListener('click', () => {
		for (const k of FILTERS)
			state.filters[k] = '';
		state.offset = 0;
		fillForm();
		writeUrl();
		renderExports();
		refresh();
	});
	await refresh();
}

main();
