/*
 * api.js: what every page shares.  A fetch wrapper for /api/v1 (same-origin
 * cookies, JSON in and out, the CSRF header on state-changing requests,
 * errors turned into ApiError), the session (GET /api/v1/me), the user part
 * of the navigation bar, and small DOM helpers.  User-supplied text is only
 * ever set with textContent.
 */

export const API = '/api/v1';

/* An error answer from the server: HTTP status plus the JSON error body. */
export class ApiError extends Error {
	constructor(status, body, headers) {
		const e = (body && body.error) || {};
		super(e.message || (status ? `HTTP ${status}` : 'Network error'));
		this.name = 'ApiError';
		this.status = status;
		this.code = e.code || null;
		this.details = Array.isArray(e.details) ? e.details : [];
		this.error = e;
		this.headers = headers || null;
	}
}

let session = null;		/* {user, csrf_token} or null when logged out */
let sessionLoaded = null;	/* the promise of the first GET /me */

export function csrfToken() {
	return session ? session.csrf_token : null;
}

export function currentUser() {
	return session ? session.user : null;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/*
 * Call the API.  opts: method, json (a value sent as JSON), body (sent as
 * is), headers.  Resolves with the parsed JSON body (null for 204) or
 * rejects with ApiError.
 */
export async function api(path, opts = {}) {
	const method = (opts.method || 'GET').toUpperCase();
	const headers = Object.assign({ Accept: 'application/json' }, opts.headers || {});
	let body = opts.body;
	if (opts.json !== undefined) {
		headers['Content-Type'] = 'application/json';
		body = JSON.stringify(opts.json);
	}
	if (UNSAFE.has(method) && csrfToken() && !headers['X-CSRF-Token'])
		headers['X-CSRF-Token'] = csrfToken();
	let res;
	try {
		res = await fetch(path.startsWith('/') ? path : `${API}/${path}`, {
			method, headers, body, credentials: 'same-origin', cache: 'no-cache',
		});
	} catch (err) {
		throw new ApiError(0, { error: { code: 'network', message: 'Cannot reach the server. Check your connection and try again.' } });
	}
	const data = await readJson(res);
	if (!res.ok)
		throw new ApiError(res.status, data, res.headers);
	return data;
}

async function readJson(res) {
	if (res.status === 204)
		return null;
	const text = await res.text();
	if (!text)
		return null;
	try {
		return JSON.parse(text);
	} catch (_) {
		return { error: { code: 'bad_response', message: `Unexpected answer from the server (HTTP ${res.status}).` } };
	}
}

/* Load the session once per page; resolves to the user or null. */
export function loadSession(force = false) {
	if (!sessionLoaded || force) {
		/* GET /session answers {"user":null} to an
		 * anonymous caller (200), so no 401 shows in the console */
		sessionLoaded = api('/api/v1/session').then(
			(data) => { session = data && data.user ? data : null; return currentUser(); },
			(err) => {
				session = null;
				if (err.status === 401)
					return null;
				throw err;
			});
	}
	return sessionLoaded;
}

/* Remember a session just created by POST /session. */
export function setSession(data) {
	session = data && data.user ? data : null;
	sessionLoaded = Promise.resolve(currentUser());
}

export async function logout() {
	try {
		await api('/api/v1/session', { method: 'DELETE' });
	} finally {
		session = null;
		sessionLoaded = Promise.resolve(null);
	}
}

/* ---- DOM helpers ---- */

/*
 * el('a', {href: '/x', class: 'y'}, 'text', child, ...): build an element.
 * Strings become text nodes; attributes are set with setAttribute, except
 * properties named in PROPS; 'on' + event names add listeners.
 */
const PROPS = new Set(['value', 'checked', 'disabled', 'hidden', 'selected', 'max']);
export function el(tag, attrs, ...children) {
	const node = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === null || v === undefined || v === false)
			continue;
		if (k.startsWith('on') && typeof v === 'function')
			node.addEventListener(k.slice(2), v);
		else if (k === 'text')
			node.textContent = String(v);
		else if (k === 'style')
			node.style.cssText = String(v);	/* CSSOM: allowed under a strict CSP */
		else if (PROPS.has(k))
			node[k] = v;
		else
			node.setAttribute(k, v === true ? '' : String(v));
	}
	append(node, children);
	return node;
}

function append(node, children) {
	for (const c of children) {
		if (c === null || c === undefined || c === false)
			continue;
		if (Array.isArray(c))
			append(node, c);
		else if (c instanceof Node)
			node.appendChild(c);
		else
			node.appendChild(document.createTextNode(String(c)));
	}
}

export function clear(node) {
	while (node.firstChild)
		node.removeChild(node.firstChild);
	return node;
}

export function $(sel, root = document) {
	return root.querySelector(sel);
}

/* Put a message in a .notice element: kind is error, success, info or warn. */
export function notice(node, kind, ...content) {
	clear(node);
	node.className = `notice ${kind}`;
	node.setAttribute('role', kind === 'error' ? 'alert' : 'status');
	append(node, content);
	node.hidden = content.length === 0;
}

/* Show an ApiError (or any error) in a notice element. */
export function showError(node, err, prefix) {
	const msg = err instanceof ApiError ? err.message : (err && err.message) || String(err);
	const parts = [];
	if (prefix)
		parts.push(el('strong', null, prefix + ' '));
	/* a 401's message is written for API clients ("send Authorization:
	 * Bearer"): a page says what happened and what to do instead */
	if (err instanceof ApiError && err.status === 401)
		parts.push(`${prefix ? 'y' : 'Y'}ou are not logged in any more (the session ended or expired). `,
		    el('a', { href: loginHref() }, 'Log in again'), ', then try once more.');
	else
		parts.push(msg);
	notice(node, 'error', ...parts);
}

export function loginHref() {
	const here = location.pathname + location.search;
	return '/login?next=' + encodeURIComponent(here);
}

/* ---- formatting ---- */

/* Every time shown: UTC with the viewer's local time beside it (time.js). */
export { fmtLocal, fmtTime, fmtUtc, fromUtcInput, toUtcInput } from './time.js';
export { fmtTime as fmtDate } from './time.js';

export function fmtInt(n) {
	return typeof n === 'number' ? n.toLocaleString('en-US') : (n ?? '—');
}

export function fmtScore(v) {
	if (v === null || v === undefined || v === '')
		return '—';
	const n = Number(v);
	return isFinite(n) ? n.toFixed(4) : String(v);
}

export function fmtBytes(n) {
	if (n < 1024)
		return `${n} B`;
	const u = ['KB', 'MB', 'GB', 'TB'];
	let i = -1;
	do { n /= 1024; i++; } while (n >= 1024 && i < u.length - 1);
	return `${n.toFixed(n < 10 ? 1 : 0)} ${u[i]}`;
}

/* A state or status word as a coloured badge. */
export function badge(word, extraClass) {
	const w = String(word || 'unknown');
	return el('span', { class: `badge ${w.replace(/[^a-z_-]/gi, '')} ${extraClass || ''}`.trim() }, w);
}

export const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

/* Score object → [task, value] pairs, tasks sorted, 'overall' first. */
export function scoreEntries(scores) {
	if (!scores || typeof scores !== 'object')
		return [];
	const keys = Object.keys(scores).filter((k) => k !== 'overall').sort();
	if ('overall' in scores)
		keys.unshift('overall');
	return keys.map((k) => [k, scores[k]]);
}

/* ---- navigation bar ---- */

/*
 * Where the organizer pages live: /admin and /admin/NAME (routed by the
 * server to static/admin.html and static/admin/NAME.html), or the files
 * themselves when a page was opened under /static/.
 */
export function adminHref(name) {
	if (location.pathname.startsWith('/static/'))
		return name ? `/static/admin/${name}.html` : '/static/admin.html';
	return name ? `/admin/${name}` : '/admin';
}

/* The main navigation: [data-page key, href, label]. */
export const MAIN_NAV = [
	['leaderboard', '/', 'Leaderboard'],
	['submit', '/submit', 'Submit'],
	['submissions', '/submissions', 'My submissions'],
];

/* The page key from the path, for a header without data-page. */
function pageFromPath() {
	const p = location.pathname.replace(/^\/static\//, '/').replace(/\.html$/, '');
	if (p === '/' || p === '/index')
		return 'leaderboard';
	if (p === '/admin' || p.startsWith('/admin/'))
		return 'admin';
	return p.slice(1);
}

/*
 * Build the site header from the one placeholder every page carries,
 * <header class="site-nav" id="site-header" data-page="KEY"> holding only
 * the brand link (what shows before scripts run): adds the main links
 * (aria-current on the one for data-page, or for the path) and the empty
 * #nav-user box that initNav() fills.  Runs once; later calls do nothing.
 */
export function buildHeader() {
	const header = document.getElementById('site-header');
	if (!header || header.querySelector('nav'))
		return header;
	const page = header.dataset.page || pageFromPath();
	let inner = header.querySelector('.inner');
	if (!inner)
		header.append(inner = el('div', { class: 'inner' }));
	if (!inner.querySelector('.brand'))
		inner.prepend(el('a', { class: 'brand', href: '/' }, 'Data', el('span', null, 'Optim')));
	const ul = el('ul');
	for (const [key, href, label] of MAIN_NAV) {
		ul.append(el('li', null, el('a', { href, 'aria-current': key === page ? 'page' : null }, label)));
	}
	inner.append(el('nav', { 'aria-label': 'Main' }, ul),
	    el('div', { id: 'nav-user', class: 'nav-user', 'aria-live': 'polite' }));
	return header;
}

/* Module scripts run once the document is parsed: build the header now. */
if (typeof document !== 'undefined')
	buildHeader();

/* Organizers get an "Admin" entry in the main navigation. */
function addAdminLink(current) {
	const ul = document.querySelector('.site-nav nav ul');
	if (!ul || document.getElementById('nav-admin'))
		return;
	const a = el('a', { href: adminHref(''), id: 'nav-admin' }, 'Admin');
	if (current)
		a.setAttribute('aria-current', 'page');
	ul.append(el('li', null, a));
}

/* sign-up and teams.  Logged-in users get a "Team" entry in
 * the main navigation (before "Admin"). */
function addTeamLink() {
	const ul = document.querySelector('.site-nav nav ul');
	if (!ul || document.getElementById('nav-team'))
		return;
	const header = document.getElementById('site-header');
	const page = (header && header.dataset.page) || pageFromPath();
	const a = el('a', { href: '/team', id: 'nav-team', 'aria-current': page === 'team' ? 'page' : null }, 'Team');
	const admin = document.getElementById('nav-admin');
	const li = el('li', null, a);
	if (admin)
		ul.insertBefore(li, admin.parentNode);
	else
		ul.append(li);
}

/*
 * Fill #nav-user with the login state: "email (team) [Log out]" or a
 * "Log in" link, and give organizers the "Admin" entry (opts.admin: this
 * is an admin page, so the entry is the current one).  Returns the user
 * (or null).
 */
export async function initNav(opts = {}) {
	buildHeader();
	const box = document.getElementById('nav-user');
	let user = null;
	try {
		user = await loadSession();
	} catch (_) {
		user = null;
	}
	if (user && user.role !== 'worker')
		addTeamLink();
	if (user && user.role === 'admin')
		addAdminLink(!!opts.admin);
	if (!box)
		return user;
	clear(box);
	if (user) {
		const who = el('span', { class: 'who', 'data-testid': 'nav-who' },
		    'Signed in as ', el('a', { href: '/account', class: 'nav-account', title: 'Your account' },
			el('strong', null, user.email || '')),	/* the account page */
		    user.team ? ` · ${user.team}` : '',
		    user.role && user.role !== 'participant' ? ` · ${user.role}` : '');
		const btn = el('button', { type: 'button', id: 'logout-btn' }, 'Log out');
		btn.addEventListener('click', async () => {
			btn.disabled = true;
			try {
				await logout();
			} catch (_) { /* the session is gone either way */ }
			location.href = '/';
		});
		box.append(who, btn);
	} else {
		box.append(el('a', { href: loginHref(), id: 'login-link' }, 'Log in'));
	}
	return user;
}
