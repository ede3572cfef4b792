/*
 * jobview.js: pieces shared by submissions.html and submission.html: the
 * job's progress as a fraction, the train stage's step and loss series,
 * the stage cell, the scores table, the polling loop and the cancel call.
 */
import { api, badge, el, fmtScore, scoreEntries, TERMINAL } from './api.js';

/* progress may come as 0..1 or as a percentage; answer 0..100 or null. */
export function progressPct(job) {
	if (!job || job.progress === null || job.progress === undefined)
		return null;
	const p = Number(job.progress);
	if (!isFinite(p))
		return null;
	return Math.max(0, Math.min(100, p <= 1 ? p * 100 : p));
}

/* The train stage's tqdm step of steps ("step 20 of 625"), or null. */
export function trainStep(job) {
	if (!job || !(Number(job.train_steps) > 0))
		return null;
	return `step ${Number(job.train_step).toLocaleString('en-US')} of ${Number(job.train_steps).toLocaleString('en-US')}`;
}

/* The job's loss series as [[step, loss | null]], the malformed points
 * left out. */
export function lossPoints(job) {
	if (!job || !Array.isArray(job.loss))
		return [];
	return job.loss.filter((p) => Array.isArray(p) && p.length === 2 && Number.isFinite(Number(p[0])) &&
	    (p[1] === null || Number.isFinite(Number(p[1]))));
}

/* A reused submission borrowed an earlier score: nothing runs for it. */
export function isReused(sub) {
	return !!sub && (sub.reused === true || sub.status === 'reused');
}

export function isActive(job) {
	return !!job && !TERMINAL.has(job.state);
}

/* Stage word plus a small progress bar while a job runs. */
export function stageNode(job) {
	const frag = document.createDocumentFragment();
	if (!job)
		return frag;
	if (job.state === 'running' && job.stage) {
		frag.append(el('span', { class: 'stage' }, job.stage));
		if (job.stage_note)
			frag.append(' ', el('span', { class: 'muted' }, `(${job.stage_note})`));
		const pct = progressPct(job);
		if (pct !== null) {
			frag.append(' ', el('progress', {
				class: 'small', max: 100, value: pct,
				'aria-label': `${job.stage} progress`,
			}), ` ${Math.round(pct)}%`);
		}
	} else if (job.state === 'failed' && job.stage) {
		frag.append(el('span', { class: 'muted' }, `failed in ${job.stage}`));
	} else {
		frag.append(el('span', { class: 'muted' }, '—'));
	}
	return frag;
}

/* The status badges of a submission and its job. */
export function statusNode(sub, job) {
	const frag = document.createDocumentFragment();
	const state = (job && job.state) || (sub && sub.status) || 'unknown';
	frag.append(badge(state));
	if (!sub)
		return frag;
	/* flags: booleans from the server, or an older status word */
	for (const flag of ['reused', 'hidden', 'disqualified', 'selected']) {
		if (sub[flag] === true || (sub.status === flag && state !== flag))
			frag.append(' ', badge(flag));
	}
	return frag;
}

/* A two-column table of scores, overall first; null when there are none. */
export function scoresTable(scores, caption) {
	const rows = scoreEntries(scores);
	if (!rows.length)
		return null;
	return el('table', { class: 'scores' },
	    el('caption', { class: 'visually-hidden' }, caption || 'Scores'),
	    el('thead', null, el('tr', null, el('th', { scope: 'col' }, 'Task'),
		el('th', { scope: 'col', class: 'num' }, 'Score'))),
	    el('tbody', null, rows.map(([k, v]) => el('tr', null,
		el('th', { scope: 'row', style: k === 'overall' ? 'font-weight:700' : 'font-weight:400' }, k),
		el('td', { class: 'num' }, fmtScore(v))))));
}

export async function cancelSubmission(id) {
	return api(`/api/v1/submissions/${encodeURIComponent(id)}/cancel`, { method: 'POST' });
}

/*
 * Call tick() every ms milliseconds while it answers true; paused while
 * the tab is hidden.  Returns {kick, stop}: kick() runs a tick now.
 */
export function poller(tick, ms) {
	let timer = null;
	let running = false;
	let stopped = false;
	async function run() {
		timer = null;
		if (stopped || running)
			return;
		if (document.hidden)
			return;		/* visibilitychange restarts us */
		running = true;
		let again = true;
		try {
			again = await tick();
		} catch (_) {
			again = true;	/* a failed poll is retried */
		}
		running = false;
		if (again && !stopped)
			timer = setTimeout(run, ms);
	}
	document.addEventListener('visibilitychange', () => {
		if (!document.hidden && !timer && !running && !stopped)
			run();
	});
	return {
		kick() {
			if (timer)
				clearTimeout(timer);
			timer = null;
			stopped = false;
			run();
		},
		stop() {
			stopped = true;
			if (timer)
				clearTimeout(timer);
			timer = null;
		},
	};
}
