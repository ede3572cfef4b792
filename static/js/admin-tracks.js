/*
 * admin/tracks.html: every track (GET /admin/tracks) with its settings;
 * create (POST /admin/tracks) and edit (PATCH /admin/tracks/{slug}, only
 * the fields that changed) in one form; publish or withdraw the private
 * ranking (POST …/publish); export links per track.
 */
import { $, api, badge, clear, el, fmtDate, fmtInt, fromUtcInput, notice, showError, toUtcInput } from './api.js';
import { askDialog, initAdmin } from './admin.js';

let tracks = [];
let editing = null;		/* the track being edited, null for a new one */

const NUMS = ['budget', 'per_day', 'total', 'max_active'];
const TIMES = ['opens_at', 'closes_at', 'freeze_at', 'teams_lock_at'];
const TEXTS = ['metric', 'direction', 'leaderboard', 'webhook_url'];
/* the track page's texts: sent as strings ("" clears) */
const PAGE_TEXTS = ['title', 'overview', 'rules'];

function limitText(t) {
	const part = (n, w) => (n ? `${fmtInt(n)} ${w}` : `no ${w} limit`);
	return [part(t.per_day, 'per day'), part(t.total, 'total'),
		t.max_active ? `${fmtInt(t.max_active)} concurrent` : 'default concurrency'].join(' · ');
}

function exportLinks(slug) {
	const q = slug ? `track=${encodeURIComponent(slug)}&` : '';
	const a = (href, text) => el('a', { href, class: 'button secondary small', download: '' }, text);
	const out = [];
	if (slug) {
		for (const split of ['public', 'private']) {
			out.push(el('span', { class: 'export-group' }, `Leaderboard (${split}): `,
			    a(`/api/v1/admin/exports/leaderboard?${q}split=${split}&format=csv`, 'CSV'), ' ',
			    a(`/api/v1/admin/exports/leaderboard?${q}split=${split}&format=json`, 'JSON')));
		}
	}
	out.push(el('span', { class: 'export-group' }, 'Submissions: ',
	    a(`/api/v1/admin/exports/submissions?${q}format=csv`, 'CSV'), ' ',
	    a(`/api/v1/admin/exports/submissions?${q}format=json`, 'JSON')));
	return out;
}

function render() {
	const tb = clear($('#tracks-table tbody'));
	$('#tracks-empty').hidden = tracks.length > 0;
	for (const t of tracks) {
		const edit = el('button', { type: 'button', class: 'secondary small edit-btn' }, 'Edit');
		edit.addEventListener('click', () => openForm(t));
		const pub = el('button', { type: 'button', class: 'secondary small publish-btn' },
		    t.published_at ? 'Withdraw private board' : 'Publish private board');
		pub.addEventListener('click', () => publish(t, !t.published_at));
		const closed = t.closes_at && new Date(t.closes_at) <= new Date();
		if (!t.published_at && !closed)
			pub.title = 'The private ranking can be published once the track has closed.';
		const board = [el('div', null, t.leaderboard || 'public')];
		if (t.freeze_at)
			board.push(el('div', { class: 'small' }, `${new Date(t.freeze_at) <= new Date() ? 'frozen since' : 'freezes'} ${fmtDate(t.freeze_at)}`));
		if (t.anonymous)
			board.push(el('div', null, badge('anonymous')));
		board.push(el('div', { class: 'small' }, t.published_at ? `private published ${fmtDate(t.published_at)}` : 'private not published'));
		tb.append(el('tr', { 'data-track': t.slug },
		    el('th', { scope: 'row' }, el('strong', null, t.slug), ' ', badge(t.status), el('div', { class: 'small muted' }, t.kind),
			t.title ? el('div', { class: 'small track-title' }, t.title) : '',
			el('div', { class: 'small' }, el('a', { href: `/track?slug=${encodeURIComponent(t.slug)}` }, 'Track page'))),
		    el('td', { class: 'num' }, fmtInt(t.budget)),
		    el('td', { class: 'small' }, limitText(t)),
		    el('td', { class: 'small nowrap' }, `from ${t.opens_at ? fmtDate(t.opens_at) : 'now'}`,
			el('br'), `until ${t.closes_at ? fmtDate(t.closes_at) : 'open end'}`,
			t.teams_lock_at ? [el('br'), `teams lock ${fmtDate(t.teams_lock_at)}`] : ''),
		    el('td', { class: 'small' }, `${t.metric || 'overall'}, ${t.direction === 'min' ? 'lower' : 'higher'} is better`),
		    el('td', { class: 'small' }, board),
		    el('td', { class: 'small' }, t.webhook_url ? [el('span', { class: 'mono' }, t.webhook_url),
			t.webhook_secret_set ? '' : [' ', badge('no secret', 'failed')]] : el('span', { class: 'muted' }, 'none')),
		    el('td', null, el('div', { class: 'actions-stack' }, edit, pub))));
	}
	const ex = clear($('#exports'));
	for (const t of tracks)
		ex.append(el('div', { class: 'export-row', 'data-track': t.slug }, el('strong', null, t.slug), ' ', exportLinks(t.slug)));
	ex.append(el('div', { class: 'export-row' }, el('strong', null, 'All tracks'), ' ', exportLinks(null)));
}

function openForm(t) {
	editing = t || null;
	const f = $('#track-form');
	f.reset();
	clear($('#track-form-notice')).hidden = true;
	$('#track-form-title').textContent = t ? `Edit track ${t.slug}` : 'New track';
	$('#track-save').textContent = t ? 'Save changes' : 'Create track';
	f.slug.disabled = !!t;
	f.kind.disabled = !!t;
	if (t) {
		f.slug.value = t.slug;
		f.kind.value = t.kind;
		for (const k of NUMS)
			f[k].value = t[k] ?? '';
		for (const k of TIMES)
			f[k].value = toUtcInput(t[k]);
		for (const k of TEXTS)
			f[k].value = t[k] ?? (k === 'direction' ? 'max' : k === 'leaderboard' ? 'public' : '');
		for (const k of PAGE_TEXTS)
			f[k].value = t[k] ?? '';
		f.anonymous.checked = !!t.anonymous;
		f.webhook_secret.placeholder = t.webhook_secret_set ? '(set — leave empty to keep)' : '';
	} else {
		f.direction.value = 'max';
		f.leaderboard.value = 'public';
		f.webhook_secret.placeholder = '';
	}
	f.hidden = false;
	f.scrollIntoView({ block: 'start' });
	(t ? f.budget : f.slug).focus();
}

/* The form's values as the API's fields; for an edit only the changes. */
function formBody(f) {
	const body = {};
	if (!editing) {
		body.slug = f.slug.value.trim();
		body.kind = f.kind.value;
	}
	for (const k of NUMS) {
		const v = f[k].value.trim();
		if (v !== '' || editing)
			body[k] = v === '' ? 0 : Number(v);
	}
	for (const k of TIMES)
		body[k] = fromUtcInput(f[k].value);
	for (const k of TEXTS) {
		const v = f[k].value.trim();
		body[k] = v === '' ? null : v;
	}
	for (const k of PAGE_TEXTS)
		body[k] = k === 'title' ? f[k].value.trim() : f[k].value.replace(/\s+$/, '');
	body.anonymous = f.anonymous.checked;
	if (f.webhook_secret.value)
		body.webhook_secret = f.webhook_secret.value;
	if (!editing) {
		for (const k of Object.keys(body))
			if (body[k] === null || (PAGE_TEXTS.includes(k) && body[k] === ''))
				delete body[k];
		return body;
	}
	const same = (a, b) => (a ?? null) === (b ?? null);
	for (const k of Object.keys(body)) {
		let old = editing[k];
		if (TIMES.includes(k))
			old = editing[k] ? fromUtcInput(toUtcInput(editing[k])) : null;
		if (PAGE_TEXTS.includes(k))
			old = editing[k] ?? '';
		if (k === 'metric' && body[k] === null && (old === 'overall' || old == null))
			delete body[k];
		else if (k !== 'webhook_secret' && same(body[k], old))
			delete body[k];
	}
	return body;
}

async function onSave(ev) {
	ev.preventDefault();
	const f = ev.currentTarget;
	const msg = $('#track-form-notice');
	if (!editing && !/^[a-z0-9][a-z0-9_-]*$/.test(f.slug.value.trim())) {
		notice(msg, 'error', 'Slug: lower-case letters, digits, - and _ only.');
		f.slug.focus();
		return;
	}
	if (!f.budget.value || Number(f.budget.value) < 1) {
		notice(msg, 'error', 'Sample budget: a positive number.');
		f.budget.focus();
		return;
	}
	if (f.webhook_secret.value && f.webhook_secret.value.length < 16) {
		notice(msg, 'error', 'Webhook secret: at least 16 characters.');
		f.webhook_secret.focus();
		return;
	}
	const body = formBody(f);
	if (editing && !Object.keys(body).length) {
		notice(msg, 'info', 'Nothing changed.');
		return;
	}
	const btn = $('#track-save');
	btn.disabled = true;
	try {
		const d = editing
		    ? await api(`/api/v1/admin/tracks/${encodeURIComponent(editing.slug)}`, { method: 'PATCH', json: body })
		    : await api('/api/v1/admin/tracks', { method: 'POST', json: body });
		const slug = (d && d.track && d.track.slug) || body.slug || editing.slug;
		f.hidden = true;
		notice($('#tracks-notice'), 'success', editing ? `Track ${slug} saved.` : `Track ${slug} created.`);
		editing = null;
		await load();
	} catch (err) {
		showError(msg, err, 'Not saved:');
	}
	btn.disabled = false;
}

async function publish(t, on) {
	const ok = await askDialog({
		title: on ? `Publish the private ranking of ${t.slug}?` : `Withdraw the private ranking of ${t.slug}?`,
		message: on ? 'Everyone who may see the leaderboard will see the ranking by the private split.'
		    : 'The private ranking will no longer be shown.',
		confirm: on ? 'Publish' : 'Withdraw', danger: !on,
	});
	if (!ok)
		return;
	try {
		await api(`/api/v1/admin/tracks/${encodeURIComponent(t.slug)}/publish`, { method: 'POST', json: { published: on } });
		notice($('#tracks-notice'), 'success', on ? `The private ranking of ${t.slug} is published.` : `The private ranking of ${t.slug} is withdrawn.`);
		await load();
	} catch (err) {
		showError($('#tracks-notice'), err, 'Not done:');
	}
}

async function load() {
	try {
		const d = await api('/api/v1/admin/tracks');
		tracks = (d && d.tracks) || [];
		render();
	} catch (err) {
		showError($('#tracks-notice'), err, 'Could not load the tracks:');
	}
}

async function main() {
	if (!(await initAdmin('tracks')))
		return;
	$('#new-track-btn').addEventListener('click', () => openForm(null));
	$('#track-cancel').addEventListener('click', () => { $('#track-form').hidden = true; editing = null; });
	$('#track-form').addEventListener('submit', onSave);
	await load();
}

main();
