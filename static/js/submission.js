/*
 * submission.html?id=…: one submission with its job (state, stage,
 * progress, attempts, times, error, the train stage's live loss curve,
 * log tail) and scores, polled while the job is active.  The composition by dataset and the per-task scores
 * are drawn as inline SVG bar charts (charts.js) with the numbers also in
 * text; a hidden or disqualified submission shows the organizers' reason;
 * a scored one can be picked as the team's leaderboard entry.  The
 * validator's warnings, if the file had any, are a collapsible list.
 */
import { api, ApiError, $, clear, el, fmtDate, fmtInt, fmtScore, initNav, loginHref, notice, scoreEntries, showError } from './api.js';
import { barChart, lineChart, PALETTE } from './charts.js';
import { warningsView } from './findings.js';
import { cancelSubmission, isActive, isReused, lossPoints, poller, progressPct, scoresTable, stageNode, statusNode, trainStep } from './jobview.js';

const POLL_MS = 2000;
const id = new URLSearchParams(location.search).get('id');
let sub = null;
let job = null;
let poll = null;
let user = null;

function prop(dl, label, value, cls) {
	dl.append(el('dt', null, label), el('dd', { class: cls || null }, value ?? '—'));
}

/* Composition by dataset (standard) or image folder (BYOD): a bar chart of
 * the sample counts with their shares, and the same numbers in a table. */
function renderComposition(comp) {
	const box = clear($('#composition'));
	if (!comp || typeof comp !== 'object')
		return;
	const entries = Object.entries(comp).filter(([, v]) => Number(v) > 0)
	    .sort((a, b) => Number(b[1]) - Number(a[1]) || a[0].localeCompare(b[0]));
	if (!entries.length)
		return;
	const total = entries.reduce((a, [, v]) => a + Number(v), 0);
	const pct = (v) => `${((Number(v) / total) * 100).toFixed(1)}%`;
	const what = sub && sub.kind === 'byod' ? 'image source' : 'dataset';
	box.append(el('h3', { class: 'chart-title' }, `Composition by ${what}`));
	box.append(barChart(entries.map(([k, v], i) => ({
		label: k, value: Number(v), color: PALETTE[i % PALETTE.length],
		text: `${fmtInt(Number(v))} · ${pct(v)}`,
	})), {
		name: 'composition', width: 520,
		title: `Composition by ${what}: ${fmtInt(total)} samples from ${entries.length} ${what}${entries.length === 1 ? '' : 's'}`,
	}));
	const t = el('table', { class: 'small compact', id: 'comp-table' },
	    el('caption', { class: 'visually-hidden' }, `Samples by ${what}`),
	    el('thead', null, el('tr', null, el('th', { scope: 'col' }, what === 'dataset' ? 'Dataset' : 'Source'),
		el('th', { scope: 'col', class: 'num' }, 'Samples'), el('th', { scope: 'col', class: 'num' }, 'Share'))));
	const tb = el('tbody');
	entries.forEach(([k, v], i) => {
		const sw = el('span', { class: 'swatch', 'aria-hidden': 'true', style: `background:${PALETTE[i % PALETTE.length]}` });
		tb.append(el('tr', null, el('th', { scope: 'row' }, sw, k), el('td', { class: 'num' }, fmtInt(Number(v))),
		    el('td', { class: 'num' }, pct(v))));
	});
	t.append(tb);
	box.append(el('details', { class: 'chart-data' }, el('summary', null, 'Show the numbers as a table'), t));
}

/*
 * The validator's warnings (the file was accepted; these items may train
 * poorly): a collapsible list with the count, under the composition.
 * Built once per submission, so that a list the reader opened stays open
 * while the page polls.
 */
function renderWarnings(s) {
	let box = $('#warnings');
	if (box && box.dataset.sub === s.id)
		return;
	if (!box) {
		box = el('div', { id: 'warnings' });
		$('#composition').after(box);
	}
	clear(box).dataset.sub = s.id;
	const view = warningsView(Array.isArray(s.warnings) ? s.warnings : [], s.n_warnings || 0, {
		id: 'warnings-details', collapsed: true,
		lead: 'The submission was accepted; these items may train poorly:',
	});
	box.hidden = !view;
	if (view)
		box.append(view);
}

/* Per-task scores: a bar chart on a 0–1 scale (or up to the largest score
 * when a metric goes past 1), overall first and dark, then the table. */
function renderScores(scores, active) {
	const sc = clear($('#scores'));
	const rows = scoreEntries(scores).filter(([, v]) => v !== null && v !== '' && isFinite(Number(v)));
	if (!rows.length) {
		sc.append(el('p', { class: 'muted' },
		    active ? 'Scores appear here when the job has finished.' : 'No scores.'));
		return;
	}
	const top = Math.max(...rows.map(([, v]) => Number(v)));
	const max = top <= 1 ? 1 : top;
	const ticks = max === 1 ? [0, 0.25, 0.5, 0.75, 1] : [0, max / 2, max];
	const overall = scores && scores.overall;
	const wrap = el('div', { class: 'scores-view' });
	wrap.append(barChart(rows.map(([k, v]) => ({
		label: k, value: Number(v), text: fmtScore(v), strong: k === 'overall',
		color: k === 'overall' ? '#16203a' : PALETTE[0],
	})), {
		name: 'scores', ticks, max,
		tickFormat: (t) => (max === 1 ? String(t) : Number(t).toFixed(2)),
		title: `Scores by task${overall != null ? `, overall ${fmtScore(overall)}` : ''}`,
	}));
	wrap.append(scoresTable(scores, 'Scores by task'));
	sc.append(wrap);
}

/* The train stage's loss curve (its current attempt's, redrawn on every
 * poll while it trains), under the job's properties. */
function renderLoss(j) {
	let box = $('#loss');
	if (!box) {
		box = el('div', { id: 'loss' });
		$('#job-error').after(box);
	}
	clear(box);
	const pts = lossPoints(j);
	if (!pts.length)
		return;
	const last = pts[pts.length - 1];
	const lastText = last[1] === null ? 'not a number' : Number(last[1]).toPrecision(4);
	box.append(el('h3', { class: 'chart-title' }, 'Training loss'));
	box.append(lineChart(pts, {
		name: 'loss', xLabel: 'step', width: 460,
		title: `Training loss by step, attempt ${j.attempt}: ${lastText} at step ${last[0]}`,
		caption: pts.length >= 500 ? 'Downsampled to 500 points: the first step, then evenly spaced steps, and the last.' : null,
	}));
}

/* The organizers' decision, told to the team in words. */
function renderModeration() {
	const box = $('#moderation');
	if (!sub.disqualified && !sub.hidden) {
		clear(box);
		box.hidden = true;
		return;
	}
	const reason = sub.reason
	    ? el('p', { id: 'moderation-reason' }, el('strong', null, 'Reason: '), sub.reason)
	    : el('p', { class: 'muted' }, 'The organizers gave no reason.');
	if (sub.disqualified)
		notice(box, 'error', el('h2', null, 'Disqualified by the organizers'),
		    el('p', null, 'This submission is not ranked on the leaderboard.'), reason);
	else
		notice(box, 'warn', el('h2', null, 'Hidden by the organizers'),
		    el('p', null, 'This submission is not shown on the public leaderboard.'), reason);
}

/*
 * The team's choice of its leaderboard entry: POST …/select makes this
 * scored submission the team's entry on its track, DELETE goes back to
 * "the team's best counts".  Shown to members of the owning team only.
 */
function renderPick() {
	const box = clear($('#pick'));
	const j = job || sub.job || {};
	const mine = user && user.team && user.team === sub.team;
	const scored = j.state === 'succeeded' || sub.status === 'succeeded';
	if (!mine || (!sub.selected && (!scored || sub.hidden || sub.disqualified))) {
		box.hidden = true;
		return;
	}
	box.hidden = false;
	const btn = el('button', { type: 'button', id: 'pick-btn', class: sub.selected ? 'secondary' : null },
	    sub.selected ? 'Let our best score count instead' : 'Use this submission on the leaderboard');
	const unranked = sub.hidden || sub.disqualified || !scored;
	box.append(el('p', { id: 'pick-state' }, !sub.selected
	    ? `Unless your team picks one, its best public score counts on the ${sub.track} leaderboard.`
	    : unranked
		? [el('strong', null, 'Your team picked this submission'), `, but it is not ranked: your best ranked score counts on the ${sub.track} leaderboard.`]
		: [el('strong', null, 'This submission represents your team'), ` on the ${sub.track} leaderboard.`]), btn);
	btn.addEventListener('click', async () => {
		btn.disabled = true;
		const msg = $('#sub-notice');
		try {
			const d = await api(`/api/v1/submissions/${encodeURIComponent(sub.id)}/select`,
			    { method: sub.selected ? 'DELETE' : 'POST' });
			const was = sub.selected;
			if (d && d.submission)
				sub = Object.assign(sub, d.submission);
			else
				sub.selected = !was;
			notice(msg, 'success', sub.selected
			    ? 'This submission now represents your team on the leaderboard.'
			    : 'Your team’s best score counts on the leaderboard again.');
			render();
		} catch (err) {
			showError(msg, err, 'Not changed:');
			btn.disabled = false;
		}
	});
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
	renderWarnings(sub);

	const j = job || sub.job || {};
	const jp = clear($('#job-props'));
	prop(jp, 'Job', j.id, 'mono small');
	prop(jp, 'State', statusNode(sub, j));
	prop(jp, 'Stage', stageNode(j));
	const pct = progressPct(j);
	if (j.state === 'running' && pct !== null)
		prop(jp, 'Progress', `${Math.round(pct)}%`);
	if (trainStep(j))
		prop(jp, 'Training', trainStep(j));
	prop(jp, 'Attempt', j.attempt);
	prop(jp, 'Queued', fmtDate(j.created_at));
	prop(jp, 'Started', fmtDate(j.started_at));
	prop(jp, 'Finished', fmtDate(j.finished_at));
	const je = clear($('#job-error'));
	if (j.error)
		je.append(el('div', { class: 'notice error small', style: 'margin-top:0.75rem' }, `Error: ${j.error}`));
	renderLoss(j);

	const scores = j.scores || sub.scores;
	renderScores(scores, isActive(j));
	renderModeration();
	renderPick();

	const log = $('#log');
	const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 8;
	log.textContent = j.log_tail || '(no log output yet)';
	if (atBottom)
		log.scrollTop = log.scrollHeight;

	/* the full log of the current attempt, as a text file */
	const dl = $('#log-download-wrap');
	if (dl) {
		dl.hidden = !(Number(j.attempt) >= 1) || isReused(sub);
		$('#log-download').setAttribute('href', `/api/v1/jobs/${encodeURIComponent(j.id || '')}/log`);
		$('#log-download-note').textContent = Number(j.attempt) > 1 ? `(attempt ${j.attempt}; earlier ones: add ?attempt=N)` : '';
	}

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
	let jd;
	try {
		jd = await api(`/api/v1/jobs/${encodeURIComponent(jid)}`);
	} catch (err) {
		if (err.status !== 401)
			throw err;	/* the poller retries */
		/* the session ended: say so and stop polling */
		showError($('#sub-notice'), err, 'Live updates stopped:');
		return false;
	}
	job = jd.job;
	if (!isActive(job)) {
		const data = await api(`/api/v1/submissions/${encodeURIComponent(id)}`);
		sub = data.submission;
	}
	render();
	return isActive(job);
}

async function main() {
	user = await initNav().catch(() => null);
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
