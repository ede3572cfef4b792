/*
 * submissions.html: the team's submissions, newest first, with each
 * active job's state, stage, scores and log tail kept up to date by
 * polling GET /api/v1/jobs/{id}.  On a phone-sized screen the Overall
 * score is the first column.
 */
import { api, ApiError, $, clear, el, fmtDate, fmtInt, fmtScore, fmtTime, initNav, loginHref, notice, showError } from './api.js';
import { countOf } from './findings.js';
import { cancelSubmission, isActive, isReused, poller, progressPct, scoresTable, stageNode, statusNode } from './jobview.js';

const POLL_MS = 2000;
const rows = new Map();		/* submission id → {sub, job, tr, details, open} */
let nextUrl = null;		/* URL of the next page, null on the last */
const PAGE = 50;
let poll = null;
let noTeam = false;		/* the caller is in no team: nothing to list */

/* The columns by their data-col keys (submissions.html); narrow screens
 * put the score first. */
const COLS = ['created', 'track', 'method', 'samples', 'status', 'stage', 'overall', 'actions'];
const COLS_NARROW = ['overall', 'method', 'status', 'track', 'created', 'samples', 'stage', 'actions'];
const NARROW = typeof matchMedia === 'function' ? matchMedia('(max-width: 640px)') : null;
function colOrder() {
	return NARROW && NARROW.matches ? COLS_NARROW : COLS;
}

/* Put the header cells in colOrder(). */
function orderHead() {
	const hr = $('#subs-table thead tr');
	for (const k of colOrder()) {
		const th = hr.querySelector(`[data-col="${k}"]`);
		if (th)
			hr.append(th);
	}
}

function jobOf(r) {
	return r.job || r.sub.job || null;
}

function scoresOf(r) {
	const job = jobOf(r);
	return (job && job.scores) || r.sub.scores || null;
}

function renderRow(r) {
	const s = r.sub;
	const job = jobOf(r);
	const tr = clear(r.tr);
	const scores = scoresOf(r);
	const overall = scores ? scores.overall : null;
	const cells = {
		created: el('td', { class: 'small nowrap' }, fmtDate(s.created_at)),
		track: el('td', { class: 'nowrap' }, s.track || ''),
		method: el('td', null, el('a', { href: `/submission?id=${encodeURIComponent(s.id)}`, class: 'method' }, s.method_name || '(unnamed)')),
		samples: el('td', { class: 'num' }, fmtInt(s.n_samples),
		    s.n_warnings ? el('span', { class: 'hint warn-count', title: 'warnings of the validator: see the submission' },
			` · ${countOf(s.n_warnings, 'warning')}`) : ''),
		status: el('td', { class: 'status' }, statusNode(s, job)),
		stage: el('td', { class: 'stage-cell' }, stageNode(job)),
		overall: el('td', { class: 'num overall' }, fmtScore(overall)),
	};
	const actions = el('td', { class: 'actions', style: 'white-space:nowrap' });
	const toggle = el('button', {
		type: 'button', class: 'secondary small details-btn',
		'aria-expanded': r.open ? 'true' : 'false', 'aria-controls': `details-${s.id}`,
	}, r.open ? 'Hide' : 'Details');
	toggle.addEventListener('click', () => {
		r.open = !r.open;
		renderRow(r);
		const b = r.tr.querySelector('.details-btn');
		if (b)
			b.focus();
		if (r.open && job && job.id && !job.log_tail_loaded)
			refreshJob(r);
	});
	actions.append(toggle);
	if (isActive(job) && !isReused(s)) {
		const cancel = el('button', { type: 'button', class: 'danger small cancel-btn' }, 'Cancel');
		cancel.addEventListener('click', () => onCancel(r, cancel));
		actions.append(' ', cancel);
	}
	cells.actions = actions;
	tr.append(...colOrder().map((k) => cells[k]));
	renderDetails(r);
}

function renderDetails(r) {
	const d = r.details;
	d.hidden = !r.open;
	if (!r.open)
		return;
	const s = r.sub;
	const job = jobOf(r) || {};
	const td = el('td', { colspan: 8 });
	const props = el('dl', { class: 'props small' },
	    el('dt', null, 'Submission'), el('dd', { class: 'mono' }, s.id),
	    el('dt', null, 'Job'), el('dd', { class: 'mono' }, job.id || '—'),
	    el('dt', null, 'Attempt'), el('dd', null, job.attempt ?? '—'),
	    el('dt', null, 'Started'), el('dd', null, fmtDate(job.started_at)),
	    el('dt', null, 'Finished'), el('dd', null, fmtDate(job.finished_at)));
	const pct = progressPct(job);
	if (job.state === 'running' && pct !== null)
		props.append(el('dt', null, 'Progress'), el('dd', null, `${job.stage || ''} ${Math.round(pct)}%`));
	const grid = el('div', { class: 'grid-2' }, el('div', null, props));
	const st = scoresTable(scoresOf(r), 'Scores by task');
	grid.append(el('div', null, st || el('p', { class: 'muted small' }, 'No scores yet.')));
	td.append(grid);
	if (job.error)
		td.append(el('div', { class: 'notice error small', role: 'note' }, `Error: ${job.error}`));
	const log = el('pre', { class: 'log', tabindex: '0', 'aria-label': 'Job log tail' },
	    job.log_tail || '(no log output yet)');
	td.append(log);
	clear(d).append(td);
	log.scrollTop = log.scrollHeight;
}

function addRow(sub, atTop) {
	if (rows.has(sub.id)) {
		const r = rows.get(sub.id);
		r.sub = sub;
		renderRow(r);
		return;
	}
	const tr = el('tr', { 'data-id': sub.id, class: 'sub-row' });
	const details = el('tr', { class: 'details-row', id: `details-${sub.id}`, hidden: true });
	const r = { sub, job: null, tr, details, open: false };
	rows.set(sub.id, r);
	const tbody = $('#subs-table tbody');
	if (atTop)
		tbody.prepend(tr, details);
	else
		tbody.append(tr, details);
	renderRow(r);
}

function updateEmpty() {
	const empty = $('#subs-empty');
	empty.hidden = rows.size > 0;
	clear(empty);
	if (rows.size)
		return;
	if (noTeam)
		empty.append('You are not a member of any team, so there are no submissions to show. Join a team with an invite code or make one on the ',
		    el('a', { href: '/team', id: 'subs-team' }, 'team page'), ', then submit.');
	else
		empty.append('No submissions yet. ', el('a', { href: '/submit' }, 'Make your first one.'));
}

/*
 * The next page: the server's "next" (a URL or a cursor) when it gives
 * one, else from limit/offset/total.
 */
function nextPage(data, got) {
	if (!data)
		return null;
	const nx = data.next;
	if (typeof nx === 'string' && nx.startsWith('/api/'))
		return nx;
	if (nx !== undefined && nx !== null && nx !== false)
		return `/api/v1/submissions?cursor=${encodeURIComponent(nx)}&limit=${PAGE}`;
	if (Number.isFinite(data.total) && Number.isFinite(data.offset)) {
		const off = data.offset + got;
		return off < data.total ? `/api/v1/submissions?offset=${off}&limit=${PAGE}` : null;
	}
	return null;
}

async function loadPage(url) {
	const data = await api(url || `/api/v1/submissions?limit=${PAGE}`);
	const subs = (data && data.submissions) || [];
	subs.forEach((s) => addRow(s, false));
	nextUrl = nextPage(data, subs.length);
	$('#more-btn').hidden = !nextUrl;
	updateEmpty();
}

async function refreshJob(r) {
	const job = jobOf(r);
	if (!job || !job.id)
		return;
	const wasActive = isActive(job);
	const data = await api(`/api/v1/jobs/${encodeURIComponent(job.id)}`);
	if (data && data.job) {
		r.job = data.job;
		r.job.log_tail_loaded = true;
	}
	/* finished: the submission itself may have changed (status, scores) */
	if (wasActive && !isActive(r.job)) {
		try {
			const s = await api(`/api/v1/submissions/${encodeURIComponent(r.sub.id)}`);
			if (s && s.submission)
				r.sub = s.submission;
		} catch (_) { /* the job answer is enough */ }
	}
	renderRow(r);
}

async function tick() {
	const active = [...rows.values()].filter((r) => isActive(jobOf(r)));
	const st = $('#poll-status');
	if (!active.length) {
		st.textContent = rows.size ? 'All jobs have finished.' : '';
		return false;
	}
	try {
		await Promise.all(active.map((r) => refreshJob(r).catch((err) => {
			if (err instanceof ApiError && err.status === 401)
				throw err;
		})));
	} catch (err) {
		/* the session ended: say so and stop, rather than poll on
		 * under a stale "Updating live" */
		st.textContent = '';
		showError($('#subs-notice'), err, 'Live updates stopped:');
		return false;
	}
	const left = [...rows.values()].filter((r) => isActive(jobOf(r))).length;
	st.textContent = left
	    ? `Updating live: ${left} job${left === 1 ? '' : 's'} in progress. Last update ${fmtTime(new Date())}.`
	    : 'All jobs have finished.';
	return left > 0;
}

async function onCancel(r, btn) {
	if (!window.confirm(`Cancel the job of “${r.sub.method_name || r.sub.id}”? It will not be scored.`))
		return;
	btn.disabled = true;
	const msg = $('#subs-notice');
	try {
		const data = await cancelSubmission(r.sub.id);
		if (data && data.submission)
			r.sub = data.submission;
		if (data && data.job)
			r.job = data.job;
		notice(msg, 'success', `Cancelled “${r.sub.method_name || r.sub.id}”.`);
		await refreshJob(r).catch(() => {});
		renderRow(r);
	} catch (err) {
		btn.disabled = false;
		showError(msg, err, 'Could not cancel:');
	}
}

async function main() {
	const user = await initNav().catch(() => null);
	const msg = $('#subs-notice');
	if (!user) {
		notice(msg, 'warn', 'Log in to see your team\'s submissions. ',
		    el('a', { href: loginHref() }, 'Log in'));
		$('#subs-table').hidden = true;
		return;
	}
	noTeam = !user.team;
	orderHead();
	if (NARROW) {
		NARROW.addEventListener('change', () => {
			orderHead();
			rows.forEach((r) => renderRow(r));
		});
	}
	$('#more-btn').addEventListener('click', async (ev) => {
		ev.currentTarget.disabled = true;
		try {
			await loadPage(nextUrl);
		} catch (err) {
			showError(msg, err, 'Could not load more:');
		}
		ev.currentTarget.disabled = false;
		poll.kick();
	});
	try {
		await loadPage(null);
	} catch (err) {
		showError(msg, err, 'Could not load your submissions:');
		return;
	}
	poll = poller(tick, POLL_MS);
	poll.kick();
}

main();
