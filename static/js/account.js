/*
 * account.html: the signed-in user's own account.  Change the password
 * (POST /api/v1/account/password: the current one required; the other
 * sessions end), make and revoke API tokens (/api/v1/account/tokens: a new
 * token is shown once, with a copy button and the `dataoptim login` line),
 * and see and end the web sessions (/api/v1/account/sessions).  Every text
 * that came from the server is set with textContent (el()).
 */
import { api, $, clear, el, fmtTime, initNav, loginHref, notice, showError } from './api.js';

const PW_MIN = 10;	/* the server's floor (auth_password_weak) */

/* ---- password ---- */

async function onPassword(ev) {
	ev.preventDefault();
	const form = ev.currentTarget;
	const msg = $('#pw-notice');
	const current = form.current.value;
	const pw = form.new.value;
	if (!current) {
		notice(msg, 'error', 'Enter your current password.');
		form.current.focus();
		return;
	}
	if ([...pw].length < PW_MIN) {
		notice(msg, 'error', `The new password needs at least ${PW_MIN} characters.`);
		form.new.focus();
		return;
	}
	if (pw !== form.repeat.value) {
		notice(msg, 'error', 'The two new passwords differ.');
		form.repeat.focus();
		return;
	}
	const btn = $('#pw-btn');
	btn.disabled = true;
	notice(msg, 'info', 'Changing the password…');
	try {
		const r = await api('/api/v1/account/password', { method: 'POST', json: { current, new: pw } });
		form.reset();
		const n = r.sessions_ended || 0;
		notice(msg, 'success', 'Password changed.',
		    n ? ` ${n} other session${n === 1 ? ' was' : 's were'} logged out.` : '');
		loadSessions();
	} catch (err) {
		showError(msg, err, 'Not changed:');
		(err.code === 'wrong_password' ? form.current : form.new).focus();
	} finally {
		btn.disabled = false;
	}
}

/* ---- tokens ---- */

function loginLine(token) {
	return `dataoptim login --server ${location.origin} --token ${token}`;
}

async function copyText(text, button) {
	try {
		await navigator.clipboard.writeText(text);
	} catch (_) {
		/* no clipboard permission: select the token for Ctrl+C */
		const range = document.createRange();
		range.selectNodeContents($('#token-value'));
		const sel = getSelection();
		sel.removeAllRanges();
		sel.addRange(range);
		button.textContent = 'Selected: press Ctrl+C';
		return;
	}
	button.textContent = 'Copied';
}

function showNewToken(t) {
	const box = $('#token-new');
	$('#token-value').textContent = t.token;
	$('#token-hint').textContent = loginLine(t.token);
	$('#token-copy').textContent = 'Copy';
	box.hidden = false;
}

function tokenRow(t) {
	const live = !t.revoked_at;
	const tr = el('tr', { 'data-token-id': t.id, class: live ? null : 'revoked' },
	    el('td', { class: 'token-label' }, t.label || '(no label)'),
	    el('td', { class: 'small nowrap' }, fmtTime(t.created_at)),
	    el('td', { class: 'small nowrap last-used' }, t.last_used_at ? fmtTime(t.last_used_at) : 'never'),
	    el('td', { class: 'small' }, live ? 'active' : `revoked ${fmtTime(t.revoked_at)}`),
	    el('td', null, live ? el('button', {
		type: 'button', class: 'danger small revoke-token',
		'aria-label': `Revoke token ${t.label || t.id}`,
		onclick: (ev) => revokeToken(t, ev.currentTarget),
	    }, 'Revoke') : ''));
	return tr;
}

async function loadTokens() {
	const msg = $('#token-notice');
	try {
		const r = await api('/api/v1/account/tokens?limit=100');
		const body = clear($('#tokens-table tbody'));
		for (const t of r.tokens)
			body.append(tokenRow(t));
		$('#tokens-empty').hidden = r.tokens.length > 0;
		$('#token-count').textContent = `${r.live} of ${r.max_live} live tokens in use.`;
	} catch (err) {
		showError(msg, err, 'Could not load your tokens:');
	}
}

async function onToken(ev) {
	ev.preventDefault();
	const form = ev.currentTarget;
	const msg = $('#token-notice');
	const label = form.label.value.trim();
	if (!label) {
		notice(msg, 'error', 'Give the token a label, such as the machine it is for.');
		form.label.focus();
		return;
	}
	const btn = $('#token-btn');
	btn.disabled = true;
	notice(msg, 'info');
	try {
		const t = await api('/api/v1/account/tokens', { method: 'POST', json: { label } });
		form.reset();
		showNewToken(t);
		await loadTokens();
	} catch (err) {
		showError(msg, err, 'No token made:');
	} finally {
		btn.disabled = false;
	}
}

async function revokeToken(t, button) {
	const msg = $('#token-notice');
	if (!confirm(`Revoke the token "${t.label || t.id}"? Programs using it stop working.`))
		return;
	button.disabled = true;
	try {
		await api(`/api/v1/account/tokens/${encodeURIComponent(t.id)}/revoke`, { method: 'POST', json: {} });
		notice(msg, 'success', 'Token revoked: ', el('strong', null, t.label || String(t.id)), '.');
		await loadTokens();
	} catch (err) {
		button.disabled = false;
		showError(msg, err, 'Not revoked:');
	}
}

/* ---- sessions ---- */

function sessionRow(s) {
	return el('tr', { 'data-session-id': s.id, class: s.current ? 'current' : null },
	    el('td', { class: 'small nowrap' }, fmtTime(s.created_at)),
	    el('td', { class: 'small nowrap' }, s.last_seen_at ? fmtTime(s.last_seen_at) : '—'),
	    el('td', { class: 'small mono' }, s.ip || '—'),
	    el('td', { class: 'small ua' }, s.user_agent || '—'),
	    el('td', null, s.current ? el('span', { class: 'badge current-session' }, 'this session')
		: el('button', {
		    type: 'button', class: 'danger small revoke-session',
		    'aria-label': `Log out the session opened ${fmtTime(s.created_at)}${s.ip ? ` from ${s.ip}` : ''}`,
		    onclick: (ev) => revokeSession(s, ev.currentTarget),
		}, 'Log out')));
}

async function loadSessions() {
	const msg = $('#sessions-notice');
	try {
		const r = await api('/api/v1/account/sessions?limit=100');
		const body = clear($('#sessions-table tbody'));
		for (const s of r.sessions)
			body.append(sessionRow(s));
	} catch (err) {
		showError(msg, err, 'Could not load your sessions:');
	}
}

async function revokeSession(s, button) {
	const msg = $('#sessions-notice');
	button.disabled = true;
	try {
		await api(`/api/v1/account/sessions/${encodeURIComponent(s.id)}/revoke`, { method: 'POST', json: {} });
		notice(msg, 'success', 'That session is logged out.');
		await loadSessions();
	} catch (err) {
		button.disabled = false;
		showError(msg, err, 'Not logged out:');
	}
}

async function main() {
	const user = await initNav();
	if (!user) {
		notice($('#acc-notice'), 'info', 'Log in to see your account. ',
		    el('a', { href: loginHref() }, 'Log in'));
		return;
	}
	const who = clear($('#acc-who'));
	who.append('Signed in as ', el('strong', null, user.email || ''),
	    user.team ? ` (team ${user.team})` : '', '.');
	$('#acc-body').hidden = false;
	$('#pw-form').addEventListener('submit', onPassword);
	$('#token-form').addEventListener('submit', onToken);
	$('#token-copy').addEventListener('click', (ev) =>
	    copyText($('#token-value').textContent, ev.currentTarget));
	await Promise.all([loadTokens(), loadSessions()]);
}

main();
