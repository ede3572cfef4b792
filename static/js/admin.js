/*
 * admin.js: what the organizer pages share: the check that the visitor is
 * an organizer, the section navigation, a modal dialog that asks for a
 * reason or a few fields, a dialog that shows a secret once, a pager, and
 * time formatting.  Every request goes through api() (CSRF header on
 * state-changing ones); user text is set with textContent only.
 */
import { $, adminHref, api, clear, el, fmtDate, initNav, loginHref, notice } from './api.js';

export const SECTIONS = [
	['', 'Dashboard'],
	['tracks', 'Tracks'],
	['teams', 'Teams'],
	['submissions', 'Submissions'],
	['audit', 'Audit log'],
];

/* Build ?a=b&c=d from an object, leaving out empty values. */
export function qs(params) {
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(params || {})) {
		if (v !== null && v !== undefined && v !== '')
			q.set(k, String(v));
	}
	const s = q.toString();
	return s ? `?${s}` : '';
}

/*
 * The organizer pages' shared frame at the top of <main>: the section
 * navigation (#admin-nav) and the notice box (#admin-notice), made here so
 * the pages do not each repeat them.  Returns {nav, msg}.
 */
function adminFrame() {
	let nav = document.getElementById('admin-nav');
	let msg = document.getElementById('admin-notice');
	const main = document.getElementById('main');
	if (!main)
		return { nav, msg };
	if (!msg) {
		msg = el('div', { id: 'admin-notice', class: 'notice', hidden: true });
		main.prepend(msg);
	}
	if (!nav) {
		nav = el('nav', { id: 'admin-nav', class: 'subnav', 'aria-label': 'Administration' });
		main.prepend(nav);
	}
	return { nav, msg };
}

/*
 * Start an organizer page: the main navigation (with its Admin entry), the
 * section navigation in #admin-nav, and the role check.  Resolves to the
 * user when an organizer is logged in, else shows why in #admin-notice,
 * hides #admin-main and resolves to null.
 */
export async function initAdmin(section) {
	const { nav, msg } = adminFrame();
	let user = null;
	let failed = null;
	try {
		user = await initNav({ admin: true });
	} catch (err) {
		failed = err;
	}
	if (nav) {
		const ul = el('ul');
		for (const [name, label] of SECTIONS) {
			const a = el('a', { href: adminHref(name), 'data-section': name || 'dashboard' }, label);
			if (name === section)
				a.setAttribute('aria-current', 'page');
			ul.append(el('li', null, a));
		}
		clear(nav).append(ul);
	}
	const main = $('#admin-main');
	if (user && user.role === 'admin') {
		if (main)
			main.hidden = false;
		return user;
	}
	if (main)
		main.hidden = true;
	if (nav)
		nav.hidden = true;
	if (failed)
		notice(msg, 'error', 'Could not check your session: ', failed.message || String(failed));
	else if (!user)
		notice(msg, 'warn', 'These pages are for the organizers. ',
		    el('a', { href: loginHref(), id: 'admin-login' }, 'Log in'));
	else
		notice(msg, 'error', 'These pages are for the organizers only.');
	return null;
}

/* Absolute time plus "(3 min ago)"; "—" for none. */
export function fmtWhen(s) {
	if (!s)
		return '—';
	const d = new Date(s);
	if (isNaN(d))
		return String(s);
	return `${fmtDate(s)} (${fmtAgo(d)})`;
}

export function fmtAgo(d) {
	const t = d instanceof Date ? d : new Date(d);
	let s = Math.round((Date.now() - t.getTime()) / 1000);
	const future = s < 0;
	s = Math.abs(s);
	let out;
	if (s < 60)
		out = `${s} s`;
	else if (s < 3600)
		out = `${Math.floor(s / 60)} min`;
	else if (s < 86400 * 2)
		out = `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
	else
		out = `${Math.floor(s / 86400)} days`;
	return future ? `in ${out}` : `${out} ago`;
}

export function fmtDuration(sec) {
	const s = Math.round(Number(sec) || 0);
	if (s < 60)
		return `${s} s`;
	if (s < 3600)
		return `${Math.floor(s / 60)} min ${s % 60} s`;
	const h = Math.floor(s / 3600);
	return `${h} h ${Math.floor((s % 3600) / 60)} min`;
}

/*
 * A modal form.  opts: title, message (text or node), fields: [{name,
 * label, type: text|textarea|number|select|checkbox|password|email,
 * required, value, options: [[value, label]], hint, min, max}], confirm
 * (button text), danger (a red confirm button).  Resolves to an object of
 * the field values, or null when cancelled.
 */
export function askDialog(opts) {
	return new Promise((resolve) => {
		const id = `dlg-${Math.random().toString(36).slice(2, 8)}`;
		const dlg = el('dialog', { class: 'dialog', 'aria-labelledby': `${id}-title` });
		const form = el('form', { method: 'dialog', novalidate: true });
		form.append(el('h2', { id: `${id}-title` }, opts.title));
		if (opts.message)
			form.append(el('p', { class: 'dialog-message' }, opts.message));
		const err = el('div', { class: 'notice error small', hidden: true, role: 'alert' });
		form.append(err);
		const inputs = {};
		for (const f of opts.fields || []) {
			const fid = `${id}-${f.name}`;
			let input;
			if (f.type === 'textarea') {
				input = el('textarea', { id: fid, name: f.name, rows: 3, maxlength: f.maxlength || 2000 });
				input.value = f.value ?? '';
			} else if (f.type === 'select') {
				input = el('select', { id: fid, name: f.name });
				for (const [v, l] of f.options)
					input.append(el('option', { value: v, selected: String(v) === String(f.value ?? '') }, l));
			} else if (f.type === 'checkbox') {
				input = el('input', { id: fid, name: f.name, type: 'checkbox', checked: !!f.value });
			} else {
				input = el('input', { id: fid, name: f.name, type: f.type || 'text', min: f.min, max: f.max,
					autocomplete: f.type === 'password' ? 'new-password' : 'off' });
				input.value = f.value ?? '';
			}
			if (f.required)
				input.required = true;
			inputs[f.name] = input;
			if (f.type === 'checkbox')
				form.append(el('div', { class: 'field check' }, input, ' ', el('label', { for: fid }, f.label)));
			else
				form.append(el('div', { class: 'field' }, el('label', { for: fid }, f.label,
				    f.required ? null : el('span', { class: 'optional' }, ' (optional)')),
				    input, f.hint ? el('div', { class: 'hint' }, f.hint) : null));
		}
		const ok = el('button', { type: 'submit', value: 'ok', class: opts.danger ? 'danger-solid' : null,
			'data-testid': 'dialog-confirm' }, opts.confirm || 'OK');
		const cancel = el('button', { type: 'button', class: 'secondary' }, 'Cancel');
		form.append(el('div', { class: 'form-actions' }, ok, cancel));
		dlg.append(form);
		document.body.append(dlg);
		let done = false;
		const finish = (v) => {
			if (done)
				return;
			done = true;
			dlg.close();
			dlg.remove();
			resolve(v);
		};
		cancel.addEventListener('click', () => finish(null));
		dlg.addEventListener('cancel', (ev) => { ev.preventDefault(); finish(null); });
		form.addEventListener('submit', (ev) => {
			ev.preventDefault();
			const out = {};
			for (const f of opts.fields || []) {
				const input = inputs[f.name];
				const v = f.type === 'checkbox' ? input.checked : input.value.trim();
				if (f.required && v === '') {
					notice(err, 'error', `${f.label}: required.`);
					err.hidden = false;
					input.focus();
					return;
				}
				out[f.name] = v;
			}
			finish(out);
		});
		dlg.showModal();
		const first = form.querySelector('input, textarea, select');
		(first || ok).focus();
	});
}

/* Show a password or token that the server shows only once. */
export function showSecret(title, label, secret, note) {
	return new Promise((resolve) => {
		const dlg = el('dialog', { class: 'dialog', 'aria-label': title });
		const out = el('input', { type: 'text', readonly: true, class: 'mono secret', id: 'secret-value',
			'aria-label': label });
		out.value = secret;
		const copy = el('button', { type: 'button', class: 'secondary small' }, 'Copy');
		copy.addEventListener('click', async () => {
			out.select();
			try {
				await navigator.clipboard.writeText(secret);
				copy.textContent = 'Copied';
			} catch (_) {
				copy.textContent = 'Press Ctrl+C';
			}
		});
		const close = el('button', { type: 'button' }, 'Done');
		dlg.append(el('h2', null, title),
		    el('p', null, note || 'It is shown only this once: copy it now and pass it on securely.'),
		    el('div', { class: 'field' }, el('label', { for: 'secret-value' }, label),
			el('div', { class: 'secret-row' }, out, copy)),
		    el('div', { class: 'form-actions' }, close));
		document.body.append(dlg);
		close.addEventListener('click', () => { dlg.close(); dlg.remove(); resolve(); });
		dlg.addEventListener('cancel', () => { dlg.remove(); resolve(); });
		dlg.showModal();
		out.select();
	});
}

/*
 * Fill box with "Showing a–b of n" and Previous / Next buttons; onPage(offset)
 * is called with the new offset.
 */
export function renderPager(box, page, onPage) {
	clear(box);
	const total = Number(page.total) || 0;
	const limit = Number(page.limit) || 50;
	const offset = Number(page.offset) || 0;
	const shown = Number(page.count) || 0;
	if (!total && !shown)
		return;
	const from = shown ? offset + 1 : 0;
	const to = offset + shown;
	const prev = el('button', { type: 'button', class: 'secondary small', disabled: offset <= 0,
		'data-testid': 'page-prev' }, '← Previous');
	const next = el('button', { type: 'button', class: 'secondary small', disabled: to >= total,
		'data-testid': 'page-next' }, 'Next →');
	prev.addEventListener('click', () => onPage(Math.max(0, offset - limit)));
	next.addEventListener('click', () => onPage(offset + limit));
	box.append(el('span', { class: 'muted small', role: 'status' }, `Showing ${from}–${to} of ${total}`), prev, next);
}

/* Load every track (admin view) once; [] when it fails. */
let tracksCache = null;
export async function adminTracks(force) {
	if (!tracksCache || force)
		tracksCache = api('/api/v1/admin/tracks').then((d) => (d && d.tracks) || []);
	return tracksCache;
}

/* before/after objects as "key: a → b" for the keys that differ. */
export function changes(before, after) {
	const b = before && typeof before === 'object' ? before : {};
	const a = after && typeof after === 'object' ? after : {};
	const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
	const show = (v) => (v === undefined ? '—' : JSON.stringify(v));
	return keys.filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]))
	    .map((k) => `${k}: ${show(b[k])} → ${show(a[k])}`);
}
