/*
 * submit.html: track, file (picker or drag and drop), method name,
 * description, URL → multipart POST /api/v1/submissions through
 * XMLHttpRequest so that the upload progress can be shown.  201 shows the
 * new submission and the validator's warnings, if any (the file was
 * accepted; those items may train poorly); 422 lists every validation
 * error, and the warnings too; 409/413/429 show the server's message.
 */
import { $, clear, csrfToken, el, fmtBytes, fmtInt, fmtTime, initNav, loginHref, notice, showError, api } from './api.js';
import { countOf, findingList, warningsView } from './findings.js';

let tracks = [];
let chosen = null;		/* the File to upload */
let xhr = null;			/* the upload in flight */

function setFile(file) {
	chosen = file || null;
	const out = $('#file-chosen');
	out.textContent = chosen ? `${chosen.name} — ${fmtBytes(chosen.size)}` : '';
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
	const t = tracks.find((x) => x.slug === $('#track').value);
	const hint = $('#track-hint');
	const input = $('#file');
	renderQuota(t);
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
	$('#submit-btn').disabled = on;
	$('#abort-btn').hidden = !on;
	$('#submit-form').setAttribute('aria-busy', on ? 'true' : 'false');
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

function onCreated(body) {
	const s = (body && body.submission) || {};
	const job = s.job || {};
	const link = el('a', { href: `/submission?id=${encodeURIComponent(s.id || '')}`, id: 'result-link' }, 'View this submission');
	const props = el('dl', { class: 'props small' },
	    el('dt', null, 'Submission'), el('dd', { class: 'mono', id: 'result-id' }, s.id || '—'),
	    el('dt', null, 'Track'), el('dd', null, s.track || '—'),
	    el('dt', null, 'Samples'), el('dd', null, fmtInt(s.n_samples)),
	    el('dt', null, 'Status'), el('dd', null, s.status || '—', job.state ? ` · job ${job.state}` : ''),
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
	    el('div', { class: 'actions' }, link, el('a', { href: '/submissions' }, 'All my submissions')));
	setFile(null);
	$('#file').value = '';
}

function onInvalid(body) {
	const e = (body && body.error) || {};
	const details = Array.isArray(e.details) ? e.details : [];
	const total = Number.isFinite(e.n_errors) ? e.n_errors : details.length;
	const list = findingList(details, { class: 'error-list', id: 'error-list', 'aria-label': 'Validation errors' });
	const summary = countOf(total, 'error');
	const shown = details.length < total ? ` (the first ${fmtInt(details.length)} are listed)` : '';
	showResult('error',
	    el('h2', null, 'The file was rejected'),
	    el('p', null, e.message || 'The file is not valid.'),
	    el('p', { id: 'error-total' }, el('strong', null, summary), shown, '. Fix them and upload again.'),
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
	const [user] = await Promise.all([initNav().catch(() => null), loadTracks()]);
	if (!user) {
		notice($('#submit-notice'), 'warn', 'You need to be logged in to submit. ',
		    el('a', { href: loginHref(), id: 'submit-login' }, 'Log in'));
		$('#submit-btn').disabled = true;
	}
}

main();
