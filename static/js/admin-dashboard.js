/*
 * admin.html: the organizers' dashboard.  Queue depth and running jobs
 * (GET /admin/jobs), workers with their last heartbeat, current job and
 * recent failures (GET /admin/workers), the latest failed jobs, and per
 * track statistics (GET /admin/stats) with submissions per day as a chart.
 * Refreshed every 10 seconds while the tab is visible.
 */
import { $, adminHref, api, badge, clear, el, fmtDate, fmtInt, showError } from './api.js';
import { adminTracks, fmtAgo, fmtDuration, fmtWhen, initAdmin } from './admin.js';
import { columnChart } from './charts.js';
import { poller, progressPct } from './jobview.js';

const REFRESH_MS = 10000;
const STALE_S = 120;		/* a worker silent this long is shown as stale */

function subLink(id, text) {
	if (!id)
		return '—';
	return el('a', { href: `${adminHref('submissions')}?id=${encodeURIComponent(id)}`, class: 'mono small' }, text || id);
}

function tile(label, value, cls, id) {
	return el('div', { class: `tile ${cls || ''}`.trim(), id },
	    el('div', { class: 'tile-value' }, value), el('div', { class: 'tile-label' }, label));
}

function stageText(j) {
	if (!j || !j.stage)
		return '—';
	const p = progressPct(j);
	return p === null ? j.stage : `${j.stage} ${Math.round(p)}%`;
}

function fill(tableSel, emptySel, rows) {
	const tb = clear($(`${tableSel} tbody`));
	rows.forEach((r) => tb.append(r));
	$(emptySel).hidden = rows.length > 0;
	$(tableSel).hidden = rows.length === 0;
}

function renderWorkers(workers) {
	fill('#workers-table', '#workers-empty', workers.map((w) => {
		const ago = w.last_seen ? (Date.now() - new Date(w.last_seen).getTime()) / 1000 : Infinity;
		const stale = ago > STALE_S;
		const cj = w.current_job;
		const fails = w.recent_failures || [];
		const failList = fails.length ? el('ul', { class: 'plain small' }, fails.map((f) => el('li', null,
		    el('span', { class: 'mono' }, f.job_id || ''), ` #${f.attempt ?? '?'} `,
		    f.fault ? badge(f.fault) : '', ' ', el('span', { class: 'err-text' }, f.error || ''),
		    el('span', { class: 'muted' }, ` · ${fmtAgo(f.at)}`)))) : el('span', { class: 'muted' }, 'none');
		return el('tr', { 'data-worker': w.name },
		    el('th', { scope: 'row' }, w.name || '—', stale ? [' ', badge('stale')] : [' ', badge('online')]),
		    el('td', { class: 'small' }, [w.version, w.backend].filter(Boolean).join(' · ') || '—'),
		    el('td', { class: 'small nowrap', title: w.last_seen || '' }, w.last_seen ? fmtAgo(w.last_seen) : '—'),
		    el('td', { class: 'small' }, cj ? [subLink(cj.submission_id), ` · ${cj.track || ''} · ${stageText(cj)}`,
			el('div', { class: 'muted' }, `attempt ${cj.attempt ?? '?'}, lease ends ${cj.lease_expires_at ? fmtAgo(cj.lease_expires_at) : '—'}`)]
			: el('span', { class: 'muted' }, 'idle')),
		    el('td', { class: 'num' }, fmtInt(w.claims ?? 0)),
		    el('td', null, failList));
	}));
}

function renderQueue(jobs) {
	fill('#queue-table', '#queue-empty', jobs.map((j) => el('tr', null,
	    el('td', null, subLink(j.submission_id)),
	    el('td', null, j.track || '—'),
	    el('td', null, j.team || '—'),
	    el('td', { class: 'num' }, String(j.priority ?? 0)),
	    el('td', { class: 'small nowrap' }, j.created_at ? fmtAgo(j.created_at).replace(' ago', '') : '—'))));
}

function renderRunning(jobs) {
	fill('#running-table', '#running-empty', jobs.map((j) => el('tr', null,
	    el('td', null, subLink(j.submission_id)),
	    el('td', null, j.team || '—'),
	    el('td', null, j.worker || '—'),
	    el('td', { class: 'small' }, stageText(j)),
	    el('td', { class: 'small nowrap' }, j.lease_expires_at ? fmtAgo(j.lease_expires_at) : '—'))));
}

function renderFailures(jobs) {
	fill('#failures-table', '#failures-empty', jobs.map((j) => el('tr', null,
	    el('td', { class: 'small nowrap' }, fmtDate(j.finished_at || j.updated_at)),
	    el('td', null, subLink(j.submission_id)),
	    el('td', null, j.track || '—'),
	    el('td', null, j.team || '—'),
	    el('td', null, j.fault ? badge(j.fault) : '—'),
	    el('td', { class: 'small err-text' }, j.error || ''))));
}

/* The last 14 days, oldest first, days without submissions included. */
function lastDays(perDay, n = 14) {
	const byDay = new Map((perDay || []).map((d) => [d.day, Number(d.n) || 0]));
	const out = [];
	const today = new Date();
	for (let i = n - 1; i >= 0; i--) {
		const d = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - i));
		const key = d.toISOString().slice(0, 10);
		out.push([key, byDay.get(key) || 0]);
	}
	return out;
}

function renderStats(list) {
	const box = clear($('#stats'));
	if (!list.length) {
		box.append(el('p', { class: 'muted' }, 'No tracks yet. ', el('a', { href: adminHref('tracks') }, 'Create one.')));
		return;
	}
	for (const { track, stats, error } of list) {
		const card = el('section', { class: 'card stat-card', 'aria-label': `Track ${track.slug}`, 'data-track': track.slug });
		card.append(el('h3', null, track.slug, ' ', badge(track.status), ' ',
		    el('span', { class: 'muted small' }, `${track.kind} · ${track.leaderboard || 'public'} board`)));
		if (error || !stats) {
			card.append(el('p', { class: 'muted' }, `No statistics: ${error || 'none'}`));
			box.append(card);
			continue;
		}
		const jobs = stats.jobs || {};
		const dl = el('dl', { class: 'props small' });
		const add = (k, v) => dl.append(el('dt', null, k), el('dd', null, v));
		add('Submissions', fmtInt(stats.submissions ?? 0));
		add('Teams', `${fmtInt(stats.teams ?? 0)} (${fmtInt(stats.active_teams_7d ?? 0)} active in 7 days)`);
		add('Jobs', ['queued', 'running', 'succeeded', 'failed', 'cancelled']
		    .map((s) => `${fmtInt(jobs[s] ?? 0)} ${s}`).join(' · '));
		if (stats.failures)
			add('Failures', `${fmtInt(stats.failures.team ?? 0)} team · ${fmtInt(stats.failures.system ?? 0)} system`);
		add('GPU time', fmtDuration(stats.compute_seconds ?? 0));
		add('Reused scores', fmtInt(stats.reused ?? 0));
		card.append(dl);
		const days = lastDays(stats.submissions_per_day);
		if (days.some(([, n]) => n > 0)) {
			card.append(columnChart(days.map(([d, n]) => ({ label: d.slice(5), value: n })), {
				name: 'per-day', width: 400, height: 120, every: 2, caption: 'Submissions per day, last 14 days (UTC)',
				title: `Submissions per day on ${track.slug}, last 14 days (UTC)`,
			}));
		} else {
			card.append(el('p', { class: 'muted small' }, 'No submissions in the last 14 days.'));
		}
		box.append(card);
	}
}

async function jobs(state, limit) {
	const d = await api(`/api/v1/admin/jobs?state=${state}&limit=${limit}`);
	return { jobs: (d && d.jobs) || [], total: d && d.total != null ? d.total : ((d && d.jobs) || []).length };
}

let statsAt = 0;

async function refresh() {
	const msg = $('#dash-notice');
	try {
		const [w, q, r, f] = await Promise.all([
			api('/api/v1/admin/workers'), jobs('queued', 10), jobs('running', 50), jobs('failed', 10),
		]);
		const workers = (w && w.workers) || [];
		const online = workers.filter((x) => x.last_seen && (Date.now() - new Date(x.last_seen)) / 1000 <= STALE_S);
		const tiles = clear($('#tiles'));
		tiles.append(tile('queued jobs', fmtInt(q.total), q.total > 0 ? 'busy' : '', 'tile-queued'),
		    tile('running jobs', fmtInt(r.total), '', 'tile-running'),
		    tile(`workers online (of ${workers.length})`, fmtInt(online.length),
			workers.length && !online.length ? 'alert' : '', 'tile-workers'),
		    tile('failed jobs in total', fmtInt(f.total), '', 'tile-failed'));
		renderWorkers(workers);
		renderQueue(q.jobs);
		renderRunning(r.jobs);
		renderFailures(f.jobs);
		/* statistics change slowly: every minute is enough */
		if (Date.now() - statsAt > 60000) {
			statsAt = Date.now();
			const tracks = await adminTracks(true);
			const list = await Promise.all(tracks.map((t) => api(`/api/v1/admin/stats?track=${encodeURIComponent(t.slug)}`)
			    .then((stats) => ({ track: t, stats }), (err) => ({ track: t, error: err.message }))));
			renderStats(list);
		}
		notice0(msg);
		$('#refreshed').textContent = `Updated ${fmtWhen(new Date().toISOString()).replace(/ \(.*\)$/, '')}`;
	} catch (err) {
		showError(msg, err, 'Could not load the dashboard:');
	}
	return true;
}

function notice0(node) {
	clear(node);
	node.hidden = true;
}

async function main() {
	if (!(await initAdmin('')))
		return;
	const poll = poller(refresh, REFRESH_MS);
	$('#refresh-btn').addEventListener('click', () => { statsAt = 0; poll.kick(); });
	poll.kick();
}

main();
