/*
 * submit.html: track, file (picker or drag and drop), method name,
 * description, URL → multipart POST /api/v1/submissions through
 * XMLHttpRequest so that the upload progress can be shown.  201 shows the
 * new submission and the validator's warnings, if any (the file was
 * accepted; those items may train poorly), then follows its job live to
 * its score or its failure; 422 says how many errors there are (once),
 * lists the first ones with their line or item, path and byte offset,
 * links the full report, and shows the warnings too; 409/413/429 show the
 * server's message.  Before any upload the chosen file's first bytes are
 * checked against the track's kind (a JSON file for an ID-list track, a
 * text list for a BYOD track), and the button is disabled, with the
 * reason beside it, when the upload could not be taken: logged out, the
 * track not open, its quota used up, or such a mismatch not confirmed.
 */
import { $, badge, clear, csrfToken, el, fmtBytes, fmtInt, fmtScore, fmtTime, initNav, loginHref, notice, showError, api, TERMINAL } from './api.js';
import { countOf, warningsView } from './findings.js';
import { scoresTable, stageNode, trainStep } from './jobview.js';

let tracks = [];
let chosen = null;		/* the File to upload */
let xhr = null;			/* the upload in flight */
let user = null;		/* the caller, once known */
let userKnown = false;		/* the session has been asked for */
let kindMismatch = null;	/* 'std': JSON for an ID list; 'byod': text for BYOD */
let sendAnyway = false;		/* the mismatch was confirmed */
let sniffSeq = 0;		/* the latest check of the file's first bytes */
let followSeq = 0;		/* the job being followed live */

function currentTrack() {
	return tracks.find((x) => x.slug === $('#track').value) || null;
}

/*
 * What the first bytes of file say it is: 'json' when, after a UTF-8 BOM
 * and white space, it starts with [ or {; 'text' otherwise; null for a
 * file with nothing in its first 4096 bytes but those.
 */
async function sniffKind(file) {
	const b = new Uint8Array(await file.slice(0, 4096).arrayBuffer());
	let i = b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
	while (i < b.length && (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0a || b[i] === 0x0d))
		i++;
	if (i >= b.length)
		return null;
	return b[i] === 0x5b || b[i] === 0x7b ? 'json' : 'text';
}

/* The warning of a file that does not fit the track's kind; the upload
 * stays blocked until "Send it anyway" is ticked. */
function renderKindWarning() {
	const box = $('#kind-warning');
	clear(box);
	box.hidden = !kindMismatch;
	if (!kindMismatch)
		return;
	const [head, text] = kindMismatch === 'std'
	    ? ['This track takes an ID list, one sample ID per line; this looks like a JSON dataset.',
		'Sent as it is, every line would be rejected as an unknown ID. For a LLaVA JSON file choose a BYOD track; for this track choose the text file of sample IDs.']
	    : ['This track takes a JSON dataset (an array of LLaVA items); this looks like an ID list.',
		'Sent as it is, the file would be rejected as not JSON. For a list of pool sample IDs choose a standard track; for this track choose the JSON file.'];
	const cb = el('input', { type: 'checkbox', id: 'kind-anyway' });
	cb.checked = sendAnyway;
	cb.addEventListener('change', () => {
		sendAnyway = cb.checked;
		updateButton();
	});
	box.append(el('p', { id: 'kind-warning-text' }, el('strong', null, head)), el('p', null, text),
	    el('label', { class: 'checkbox' }, cb, ' Send it anyway'));
}

/* Compare the chosen file's first bytes with the selected track's kind. */
async function checkKind() {
	const seq = ++sniffSeq;
	const t = currentTrack();
	let kind = null;
	if (chosen && t) {
		try {
			kind = await sniffKind(chosen);
		} catch (_) {
			kind = null;	/* unreadable here: the server will say */
		}
	}
	if (seq !== sniffSeq)
		return;		/* a newer file or track */
	const was = kindMismatch;
	kindMismatch = !t || !kind ? null
	    : kind === 'json' && t.kind !== 'byod' ? 'std'
	    : kind === 'text' && t.kind === 'byod' ? 'byod' : null;
	if (kindMismatch !== was)
		sendAnyway = false;
	renderKindWarning();
	updateButton();
}

/* 00:00 UTC after now, when a day's quota comes back. */
function nextUtcMidnight() {
	const d = new Date();
	return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1));
}

/* Why nothing can be submitted now, or null. */
function blockReason() {
	if (!userKnown)
		return null;
	if (!user)
		return 'Log in to submit.';
	if (!user.team)
		return 'Join or make a team on the team page to submit.';
	const t = currentTrack();
	if (t) {
		if (t.status === 'upcoming')
			return t.opens_at ? `This track opens at ${fmtTime(t.opens_at)}.` : 'This track is not open yet.';
		if (t.status === 'closed')
			return t.closes_at ? `This track closed at ${fmtTime(t.closes_at)}.` : 'This track is closed.';
		const rem = t.remaining;
		if (rem && rem.total === 0)
			return 'No submissions left: your team has used all its submissions on this track.';
		if (rem && rem.today === 0)
			return `No submissions left today: your team has used today’s on this track; the next one can be made at ${fmtTime(nextUtcMidnight())}.`;
	}
	if (kindMismatch && !sendAnyway)
		return kindMismatch === 'std'
		    ? 'The file looks like a JSON dataset and this track takes an ID list: choose another file or track, or tick “Send it anyway”.'
		    : 'The file looks like an ID list and this track takes a JSON dataset: choose another file or track, or tick “Send it anyway”.';
	return null;
}

/* The submit button, disabled with the reason beside it. */
function updateButton() {
	const why = blockReason();
	$('#submit-btn').disabled = !!why || !!xhr;
	$('#submit-reason').textContent = why || '';
}

function setFile(file) {
	chosen = file || null;
	const out = $('#file-chosen');
	out.textContent = chosen ? `${chosen.name} — ${fmtBytes(chosen.size)}` : '';
	checkKind();
}

/* "3 of 5 left today" from a remaining count and its limit (0/null = none). */
function quotaPart(left, limit, span) {
	if (left === null || left === undefined)
		return limit ? `limit ${fmtInt(limit)} ${span}` : `no limit ${span}`;
	return limit ? `${fmtInt(left)} of ${fmtInt(limit)} left ${span}` : `${fmtInt(left)} left ${span}`;
}

/*
 * The selected track's remaining quota (GET /tracks answers `remaining`
 * to a logged-in participant; without it only the limits are shown).
 */
function renderQuota(t) {
	const box = $('#quota');
	clear(box);
	box.hidden = true;
	if (!t)
		return;
	const lim = t.limits || {};
	const rem = t.remaining;
	if (!rem && !lim.per_day && !lim.total)
		return;
	box.hidden = false;
	if (rem && rem.today == null && rem.total == null && !lim.per_day && !lim.total) {
		box.className = 'quota';
		box.append(el('span', { id: 'quota-today' }, 'No limit on the number of submissions on this track.'));
		return;
	}
	const today = quotaPart(rem ? rem.today : undefined, lim.per_day, 'today');
	const total = quotaPart(rem ? rem.total : undefined, lim.total, 'in total');
	const out = rem && (rem.today === 0 || rem.total === 0);
	box.className = `quota ${out ? 'out' : ''}`.trim();
	box.append(el('span', { class: 'quota-label' }, rem ? 'Your team’s submissions: ' : 'Submission limits: '),
	    el('span', { id: 'quota-today' }, today), ' · ', el('span', { id: 'quota-total' }, total));
	if (out)
		box.append(el('div', { class: 'quota-out', role: 'status' }, rem.total === 0
		    ? 'Your team has used all its submissions on this track.'
		    : 'Your team has used today’s submissions on this track; the count resets at 00:00 UTC.'));
	else if (rem)
		box.append(el('div', { class: 'hint' }, 'Invalid files and runs that fail on our side do not count.'));
}

function trackHint() {
	const t = currentTrack();
	const hint = $('#track-hint');
	const input = $('#file');
	renderQuota(t);
	checkKind();
	if (!t) {
		hint.textContent = '';
		input.removeAttribute('accept');
		return;
	}
	const budget = t.budget != null ? `at most ${fmtInt(t.budget)} ` : '';
	if (t.kind === 'byod') {
		hint.textContent = `Bring-your-own-data track: a JSON array of ${budget}LLaVA items.`;
		input.setAttribute('accept', '.json,application/json');
	} else {
		hint.textContent = `Standard track: a text file of ${budget}pool sample IDs, one per line.`;
		input.setAttribute('accept', '.txt,.csv,.lst,text/plain');
	}
}

async function loadTracks() {
	const sel = $('#track');
	const keep = sel.value;
	try {
		const data = await api('/api/v1/tracks');
		tracks = (data && data.tracks) || [];
	} catch (err) {
		showError($('#submit-notice'), err, 'Could not load the tracks:');
		clear(sel).append(el('option', { value: '' }, 'No tracks'));
		return;
	}
	clear(sel);
	if (!tracks.length) {
		sel.append(el('option', { value: '' }, 'No tracks'));
		return;
	}
	if (tracks.length > 1)
		sel.append(el('option', { value: '' }, 'Choose a track…'));
	const want = keep || new URLSearchParams(location.search).get('track');
	tracks.forEach((t) => {
		const closed = t.status && t.status !== 'open';
		const left = t.remaining && t.remaining.today != null ? `, ${fmtInt(t.remaining.today)} left today` : '';
		const label = `${t.slug} — ${t.kind}${t.budget != null ? `, budget ${fmtInt(t.budget)}` : ''}${closed ? ` (${t.status})` : left}`;
		sel.append(el('option', { value: t.slug, selected: t.slug === want }, label));
	});
	trackHint();
}

function initDropzone() {
	const zone = $('#dropzone');
	const input = $('#file');
	input.addEventListener('change', () => setFile(input.files[0]));
	['dragenter', 'dragover'].forEach((type) => zone.addEventListener(type, (ev) => {
		ev.preventDefault();
		ev.dataTransfer.dropEffect = 'copy';
		zone.classList.add('dragover');
	}));
	['dragleave', 'dragend'].forEach((type) => zone.addEventListener(type, (ev) => {
		if (ev.target === zone || !zone.contains(ev.relatedTarget))
			zone.classList.remove('dragover');
	}));
	zone.addEventListener('drop', (ev) => {
		ev.preventDefault();
		zone.classList.remove('dragover');
		const files = ev.dataTransfer && ev.dataTransfer.files;
		if (!files || !files.length)
			return;
		if (files.length > 1) {
			notice($('#submit-notice'), 'warn', 'Drop one file only; the first one was taken.');
		}
		try {
			input.files = files;	/* keep the picker in step where allowed */
		} catch (_) { /* read-only in some browsers */ }
		setFile(files[0]);
	});
	/* a file dropped outside the zone must not navigate away */
	window.addEventListener('dragover', (ev) => ev.preventDefault());
	window.addEventListener('drop', (ev) => ev.preventDefault());
}

function setProgress(loaded, total, text) {
	const wrap = $('#progress-wrap');
	const bar = $('#progress');
	wrap.hidden = false;
	const pct = total > 0 ? Math.min(100, Math.round((loaded / total) * 100)) : 0;
	bar.max = 100;
	bar.value = pct;
	bar.setAttribute('aria-valuenow', String(pct));
	$('#progress-pct').textContent = `${pct}%`;
	$('#progress-text').textContent = text ||
	    `Uploading… ${fmtBytes(loaded)} of ${fmtBytes(total)}`;
}

function busy(on) {
	$('#abort-btn').hidden = !on;
	$('#submit-form').setAttribute('aria-busy', on ? 'true' : 'false');
	if (on)
		$('#submit-btn').disabled = true;
	else
		updateButton();
}

function parseJson(text) {
	try {
		return text ? JSON.parse(text) : null;
	} catch (_) {
		return null;
	}
}

function showResult(kind, ...content) {
	const box = $('#result');
	notice(box, kind, ...content);
	box.hidden = false;
	box.scrollIntoView({ block: 'nearest' });
}

/* The followed job as it is now: state, stage and progress while it
 * runs, the score once scored, the reason once failed. */
function renderLive(j) {
	const box = $('#live-status');
	if (!box)
		return;
	clear(box);
	box.dataset.state = j.state || '';
	const line = el('p', { id: 'live-line' }, 'Job ', badge(j.state));
	if (j.state === 'running') {
		line.append(' ', stageNode(j));
		const step = trainStep(j);
		if (step)
			line.append(' · ', step);
	} else if (j.state === 'queued')
		line.append(' — waiting for a worker', j.attempt > 0 ? ` (attempt ${j.attempt + 1})` : '');
	box.append(line);
	const st = $('#result-status');
	if (st)
		st.textContent = j.state || '—';
	if (j.state === 'succeeded') {
		const overall = j.scores && j.scores.overall;
		box.append(el('p', { id: 'live-score' }, 'Score: ', el('strong', null, fmtScore(overall)),
		    j.reused ? ' (reused from an identical earlier submission)' : ''));
		const table = scoresTable(j.scores, 'Scores of this submission');
		if (table)
			box.append(table);
	} else if (j.state === 'failed') {
		box.append(el('p', { id: 'live-error' }, `Failed${j.stage ? ` in ${j.stage}` : ''}: ${j.error || 'no reason was given'}`,
		    j.fault === 'system' ? ' (a fault on our side: it does not count against your quota)' : ''));
	} else if (j.state === 'cancelled')
		box.append(el('p', { id: 'live-error' }, 'The job was cancelled.'));
	if (TERMINAL.has(j.state) && j.attempt >= 1 && !j.reused)
		box.append(el('p', { class: 'small' }, el('a', { href: `/api/v1/jobs/${encodeURIComponent(j.id)}/log`, download: '', id: 'live-log' }, 'Download the full log')));
}

/*
 * Follow job id live: GET /jobs/{id} every 2 s while it changes, backing
 * off to 15 s while it does not (and on errors, to 30 s), until a final
 * state.  A newer upload's job replaces it.
 */
function followJob(id) {
	const seq = ++followSeq;
	let delay = 2000;
	let last = '';
	async function tick() {
		if (seq !== followSeq)
			return;
		let j;
		try {
			j = (await api(`/api/v1/jobs/${encodeURIComponent(id)}`)).job;
		} catch (err) {
			if (seq !== followSeq)
				return;
			if (err.status === 401 || err.status === 404) {
				const box = $('#live-status');
				if (box)
					box.append(el('p', { class: 'small', id: 'live-stopped' }, ...(err.status === 401
					    ? ['Live status stopped: you are not logged in any more. ',
						el('a', { href: loginHref() }, 'Log in again'),
						' and follow the job on its submission page.']
					    : [`Live status stopped: ${err.message}`])));
				return;
			}
			delay = Math.min(delay * 2, 30000);
			setTimeout(tick, delay);
			return;
		}
		if (seq !== followSeq || !j)
			return;
		renderLive(j);
		if (TERMINAL.has(j.state)) {
			loadTracks();	/* a failure on our side gives a slot back */
			return;
		}
		const sig = JSON.stringify([j.state, j.stage, j.progress, j.train_step, j.stage_note]);
		delay = sig === last ? Math.min(Math.round(delay * 1.5), 15000) : 2000;
		last = sig;
		setTimeout(tick, delay);
	}
	setTimeout(tick, 1000);
}

function onCreated(body) {
	const s = (body && body.submission) || {};
	const job = s.job || {};
	const link = el('a', { href: `/submission?id=${encodeURIComponent(s.id || '')}`, id: 'result-link' }, 'View this submission');
	const props = el('dl', { class: 'props small' },
	    el('dt', null, 'Submission'), el('dd', { class: 'mono', id: 'result-id' }, s.id || '—'),
	    el('dt', null, 'Track'), el('dd', null, s.track || '—'),
	    el('dt', null, 'Samples'), el('dd', null, fmtInt(s.n_samples)),
	    el('dt', null, 'Status'), el('dd', { id: 'result-status' }, job.state || s.status || '—'),
	    el('dt', null, 'SHA-256'), el('dd', { class: 'mono' }, s.sha256 || '—'));
	showResult('success',
	    el('h2', null, 'Submission accepted'),
	    el('p', null, s.reused === true || s.status === 'reused'
		? 'The same sample set was scored before in this track; its score is reused.'
		: 'Your file is valid and has been queued for training and evaluation.'),
	    props,
	    warningsView(Array.isArray(s.warnings) ? s.warnings : [], s.n_warnings || 0, {
		id: 'result-warnings',
		lead: 'The submission was accepted; these items may train poorly:',
	    }),
	    el('div', { class: 'live', id: 'live-status', 'aria-live': 'polite' }),
	    el('div', { class: 'actions' }, link, el('a', { href: '/submissions' }, 'All my submissions')));
	setFile(null);
	$('#file').value = '';
	if (job.id) {
		renderLive(Object.assign({ id: job.id, reused: s.reused === true, scores: s.scores }, job));
		if (!TERMINAL.has(job.state))
			followJob(job.id);
	}
}

/* Where a finding is: its line, or its item's path (or the item), and
 * its byte offset in the file when known. */
function errWhere(d) {
	const parts = [];
	if (d.line != null)
		parts.push(`Line ${d.line}`);
	if (d.path != null)
		parts.push(String(d.path));
	else if (d.item != null)
		parts.push(`Item ${d.item}`);
	if (d.offset != null)
		parts.push(`byte ${fmtInt(d.offset)}`);
	return parts.join(' · ') || '—';
}

function onInvalid(body) {
	const e = (body && body.error) || {};
	const details = Array.isArray(e.details) ? e.details : [];
	const total = Number.isFinite(e.n_errors) ? e.n_errors : details.length;
	const list = el('ol', { class: 'error-list', id: 'error-list', 'aria-label': 'Validation errors' });
	details.forEach((d) => list.append(el('li', null,
	    el('span', { class: 'where' }, errWhere(d)),
	    el('span', { class: 'what' }, d.message || ''))));
	/* the count, said once */
	const summary = details.length < total
	    ? `${countOf(total, 'error')}; the first ${fmtInt(details.length)} are shown.`
	    : `${countOf(total, 'error')}.`;
	const url = typeof e.report_url === 'string' && e.report_url.startsWith('/api/v1/reports/') ? e.report_url : null;
	showResult('error',
	    el('h2', null, 'The file was rejected'),
	    el('p', { id: 'error-total' }, el('strong', null, summary), ' Fix them and upload again.'),
	    url ? el('p', null, el('a', { href: url, download: '', id: 'report-link' },
		'Download the full report (every error, as text)')) : null,
	    details.length ? list : null,
	    warningsView(Array.isArray(e.warnings) ? e.warnings : [], e.n_warnings || 0, {
		id: 'result-warnings',
		lead: 'The file also has warnings, which alone would not reject it; these items may train poorly:',
	    }));
}

function retryAfter(x) {
	const ra = x.getResponseHeader('Retry-After');
	if (!ra)
		return '';
	if (/^\d+$/.test(ra)) {
		const s = Number(ra);
		const when = new Date(Date.now() + s * 1000);
		const dur = s < 120 ? `${s} seconds` : s < 7200 ? `${Math.round(s / 60)} minutes` : `${(s / 3600).toFixed(1)} hours`;
		return `You can submit again in ${dur} (at ${fmtTime(when)}).`;
	}
	const d = new Date(ra);
	return isNaN(d) ? '' : `You can submit again at ${fmtTime(d)}.`;
}

/*
 * One Idempotency-Key per upload: a new random key for new content, the
 * same key when the same file and fields are sent again after the
 * connection was lost before an answer (the server then answers with the
 * submission the first try made, instead of making a second one).
 */
let pendingKey = null;
function idempotencyKey(what) {
	if (pendingKey && pendingKey.what === what)
		return pendingKey.key;
	const bytes = new Uint8Array(16);
	crypto.getRandomValues(bytes);
	const key = 'web-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
	pendingKey = { what, key };
	return key;
}

function onDone(x) {
	const body = parseJson(x.responseText);
	const e = (body && body.error) || {};
	const msg = e.message || `The server answered HTTP ${x.status}.`;
	switch (x.status) {
	case 201:
	case 200:
		onCreated(body);
		break;
	case 422:
		onInvalid(body);
		break;
	case 401:
		showResult('error', el('p', null, 'Your session has expired. '),
		    el('a', { href: loginHref() }, 'Log in again'));
		break;
	case 413:
		showResult('error', el('h2', null, 'File too large'), el('p', null, msg));
		break;
	case 429:
		showResult('error', el('h2', null, 'Submission limit reached'), el('p', null, msg),
		    el('p', { id: 'retry-after' }, retryAfter(x)));
		break;
	case 409:
		showResult('error', el('h2', null, 'Not accepted now'), el('p', null, msg));
		break;
	default:
		showResult('error', el('h2', null, 'Upload failed'), el('p', null, msg));
	}
}

function onSubmit(ev) {
	ev.preventDefault();
	const form = ev.currentTarget;
	const msg = $('#submit-notice');
	notice(msg, 'info');
	msg.hidden = true;
	const problems = [];
	if (!form.track.value)
		problems.push(['track', 'Choose a track.']);
	if (!chosen)
		problems.push(['file', 'Choose a file to upload.']);
	if (!form.method_name.value.trim())
		problems.push(['method_name', 'Give your method a name.']);
	if (form.url.value.trim() && !form.url.checkValidity())
		problems.push(['url', 'The URL is not valid.']);
	const why = blockReason();
	if (why && !problems.length)
		problems.push(['track', why]);
	if (problems.length) {
		notice(msg, 'error', ...problems.map(([, p]) => el('p', null, p)));
		const first = form[problems[0][0]];
		if (first && first.focus)
			first.focus();
		return;
	}
	const fd = new FormData();
	fd.append('track', form.track.value);
	fd.append('method_name', form.method_name.value.trim());
	fd.append('description', form.description.value);
	if (form.url.value.trim())
		fd.append('url', form.url.value.trim());
	fd.append('file', chosen, chosen.name);	/* the file last: small fields first */

	$('#result').hidden = true;
	busy(true);
	setProgress(0, chosen.size);
	const key = idempotencyKey([chosen.name, chosen.size, chosen.lastModified,
	    form.track.value, form.method_name.value.trim()].join('\n'));
	xhr = new XMLHttpRequest();
	xhr.open('POST', '/api/v1/submissions');
	xhr.withCredentials = true;
	xhr.setRequestHeader('Accept', 'application/json');
	xhr.setRequestHeader('Idempotency-Key', key);
	if (csrfToken())
		xhr.setRequestHeader('X-CSRF-Token', csrfToken());
	xhr.upload.addEventListener('progress', (e) => {
		if (e.lengthComputable)
			setProgress(e.loaded, e.total);
	});
	xhr.upload.addEventListener('load', () => {
		setProgress(1, 1, 'Uploaded — checking the file…');
	});
	xhr.addEventListener('load', () => {
		const x = xhr;
		xhr = null;
		busy(false);
		pendingKey = null;	/* answered: the next upload is a new one */
		if (x.status >= 200 && x.status < 300)
			setProgress(1, 1, 'Upload complete');
		else
			$('#progress-text').textContent = 'Upload finished — not accepted';
		onDone(x);
		if (x.status === 201 || x.status === 200 || x.status === 429)
			loadTracks();	/* the remaining quota changed (or is news) */
	});
	xhr.addEventListener('error', () => {
		xhr = null;
		busy(false);
		$('#progress-text').textContent = 'Upload failed';
		showResult('error', el('h2', null, 'Upload failed'),
		    el('p', null, 'The connection to the server was lost. Check your connection and try again.'));
	});
	xhr.addEventListener('abort', () => {
		xhr = null;
		busy(false);
		$('#progress-wrap').hidden = true;
		notice(msg, 'warn', 'Upload cancelled.');
	});
	xhr.send(fd);
}

async function main() {
	initDropzone();
	$('#track').addEventListener('change', trackHint);
	$('#submit-form').addEventListener('submit', onSubmit);
	$('#abort-btn').addEventListener('click', () => { if (xhr) xhr.abort(); });
	const [who] = await Promise.all([initNav().catch(() => null), loadTracks()]);
	user = who;
	userKnown = true;
	if (!user) {
		notice($('#submit-notice'), 'warn', 'You need to be logged in to submit. ',
		    el('a', { href: loginHref(), id: 'submit-login' }, 'Log in'));
	} else if (!user.team) {
		/* the server refuses a user in no team (403 no_team): say so
		 * before a file is chosen, not after it is uploaded */
		notice($('#submit-notice'), 'warn', 'You are not a member of any team, and only team members can submit. ',
		    'Join a team with an invite code or make one on the ',
		    el('a', { href: '/team', id: 'submit-team' }, 'team page'), '.');
	}
	updateButton();
}

main();
