/*
 * submission.html?id=…: one submission with its job (state, stage,
 * progress, attempts, times, error, log tail) and scores, polled while
 * the job is active.
 */
import { api, ApiError, $, clear, el, fmtDate, fmtInt, initNav, loginHref, notice, showError } from './api.js';
import { cancelSubmission, isActive, isReused, poller, progressPct, scoresTable, stageNode, statusNode } from './jobview.js';

const POLL_MS = 2000;
const id = new URLSearchParams(location.search).get('id');
let sub = null;
let job = null;
let poll = null;

/* A stable palette for composition bars, indexed by position. */
const COLORS = ['#2453c7', '#1c7a43', '#b86e00', '#7b3fb5', '#c23b6b', '#0f8a8a',
	'#5a6b8c', '#9a8a1c', '#3a9ad9', '#a4462a', '#4c8f3a', '#6d5ad6'];

function prop(dl, label, value, cls) {
	dl.append(el('dt', null, label), el('dd', { class: cls || null }, value ?? '—'));
}

function renderComposition(comp) {
	const box = clear($('#composition'));
	if (!comp || typeof comp !== 'object')
		return;
	const entries = Object.entries(comp).filter(([, v]) => Number(v) > 0)
	    .sort((a, b) => Number(b[1]) - Number(a[1]));
	if (!entries.length)
		return;
	const total = entries.reduce((a, [, v]) => a + Number(v), 0);
	box.append(el('h3', { class: 'small', style: 'margin:1rem 0 0' }, 'Composition'));
	const bar = el('div', { class: 'comp-bar', role: 'img', 'aria-label': 'Composition by source' });
	entries.forEach(([k, v], i) => {
		const s = el('span', { title: `${k}: ${fmtInt(Number(v))}` });
		s.style.width = `${(Number(v) / total) * 100}%`;
		s.style.background = COLORS[i % COLORS.length];
		bar.append(s);
	});
	box.append(bar);
	const t = el('table', { class: 'small' },
	    el('caption', { class: 'visually-hidden' }, 'Composition by source'),
	    el('thead', null, el('tr', null, el('th', { scope: 'col' }, 'Source'),
		el('th', { scope: 'col', class: 'num' }, 'Samples'), el('th', { scope: 'col', class: 'num' }, 'Share'))));
	const tb = el('tbody');
	entries.forEach(([k, v], i) => {
		const sw = el('span', { 'aria-hidden': 'true', style: `display:inline-block;width:0.7rem;height:0.7rem;border-radius:2px;margin-right:0.4rem;background:${COLORS[i % COLORS.length]}` });
		tb.append(el('tr', null, el('td', null, sw, k), el('td', { class: 'num' }, fmtInt(Number(v))),
		    el('td', { class: 'num' }, `${((Number(v) / total) * 100).toFixed(1)}%`)));
	});
	t.append(tb);
	box.append(t);
}

function render() {
	$('#sub-view').hidden = false;
	$('#sub-title').textContent = sub.method_name || 'Submission';
	document.title = `${sub.method_name || 'Submission'} · DataOptim`;
	$('#sub-id').textContent = sub.id;
	$('#file-link').href = `/api/v1/submissions/${encodeURIComponent(sub.id)}/file`;

	const sp = clear($('#sub-props'));
	prop(sp, 'Track', sub.track);
	prop(sp, 'Kind', sub.kind);
	prop(sp, 'Status', statusNode(sub, null));
	prop(sp, 'Samples', fmtInt(sub.n_samples));
	if (sub.reused_from)
		prop(sp, 'Score reused from', el('a', { href: `/submission?id=${encodeURIComponent(sub.reused_from)}`, class: 'mono small' }, sub.reused_from));
	if ((sub.hidden || sub.disqualified) && sub.reason)
		prop(sp, sub.disqualified ? 'Disqualified' : 'Hidden', sub.reason);
	prop(sp, 'Submitted', fmtDate(sub.created_at));
	if (sub.description)
		prop(sp, 'Description', sub.description);
	if (sub.url) {
		/* only http(s) links become links */
		const safe = /^https?:\/\//i.test(sub.url);
		prop(sp, 'URL', safe ? el('a', { href: sub.url, rel: 'noopener noreferrer nofollow', target: '_blank' }, sub.url) : sub.url);
	}
	prop(sp, 'SHA-256', sub.sha256, 'mono small');
	prop(sp, 'Set hash', sub.set_hash, 'mono small');
	renderComposition(sub.composition);

	const j = job || sub.job || {};
	const jp = clear($('#job-props'));
	prop(jp, 'Job', j.id, 'mono small');
	prop(jp, 'State', statusNode(sub, j));
	prop(jp, 'Stage', stageNode(j));
	const pct = progressPct(j);
	if (j.state === 'running' && pct !== null)
		prop(jp, 'Progress', `${Math.round(pct)}%`);
	prop(jp, 'Attempt', j.attempt);
	prop(jp, 'Queued', fmtDate(j.created_at));
	prop(jp, 'Started', fmtDate(j.started_at));
	prop(jp, 'Finished', fmtDate(j.finished_at));
	const je = clear($('#job-error'));
	if (j.error)
		je.append(el('div', { class: 'notice error small', style: 'margin-top:0.75rem' }, `Error: ${j.error}`));

	const scores = j.scores || sub.scores;
	const sc = clear($('#scores'));
	const st = scoresTable(scores, 'Scores by task');
	sc.append(st || el('p', { class: 'muted' },
	    isActive(j) ? 'Scores appear here when the job has finished.' : 'No scores.'));

	const log = $('#log');
	const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 8;
	log.textContent = j.log_tail || '(no log output yet)';
	if (atBottom)
		log.scrollTop = log.scrollHeight;

	$('#cancel-btn').hidden = !isActive(j) || isReused(sub);
}

async function loadAll() {
	const data = await api(`/api/v1/submissions/${encodeURIComponent(id)}`);
	sub = data.submission;
	const jid = sub.job && sub.job.id;
	if (jid) {
		const jd = await api(`/api/v1/jobs/${encodeURIComponent(jid)}`);
		job = jd && jd.job;
	}
	render();
}

async function tick() {
	const jid = sub.job && sub.job.id;
	if (!jid || !isActive(job || sub.job))
		return false;
	const jd = await api(`/api/v1/jobs/${encodeURIComponent(jid)}`);
	job = jd.job;
	if (!isActive(job)) {
		const data = await api(`/api/v1/submissions/${encodeURIComponent(id)}`);
		sub = data.submission;
	}
	render();
	return isActive(job);
}

async function main() {
	const user = await initNav().catch(() => null);
	const msg = $('#sub-notice');
	if (!id) {
		notice(msg, 'error', 'No submission given. ', el('a', { href: '/submissions' }, 'See your submissions.'));
		return;
	}
	if (!user) {
		notice(msg, 'warn', 'Log in to see this submission. ', el('a', { href: loginHref() }, 'Log in'));
		return;
	}
	$('#cancel-btn').addEventListener('click', async (ev) => {
		const btn = ev.currentTarget;
		if (!window.confirm('Cancel this job? It will not be scored.'))
			return;
		btn.disabled = true;
		try {
			await cancelSubmission(id);
			notice(msg, 'success', 'The job was cancelled.');
			await loadAll();
		} catch (err) {
			showError(msg, err, 'Could not cancel:');
		}
		btn.disabled = false;
	});
	try {
		await loadAll();
	} catch (err) {
		if (err instanceof ApiError && err.status === 404)
			notice(msg, 'error', 'No such submission, or it belongs to another team.');
		else
			showError(msg, err, 'Could not load the submission:');
		return;
	}
	poll = poller(tick, POLL_MS);
	poll.kick();
}

main();
