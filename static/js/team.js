/*
 * team.html: the caller's team (GET /api/v1/team): its members, its
 * pending invite codes (revoke), a form that makes one (the code is shown
 * once, with a copy button), leaving (with a confirm), and the team lock
 * of the tracks.  A user in no team gets the forms to join with a code or
 * make a team.
 */
import { api, ApiError, $, clear, el, fmtTime, initNav, loadSession, loginHref, notice, showError } from './api.js';

let view = null;	/* the last GET /api/v1/team answer */

function lockText(lock) {
	if (!lock)
		return null;
	return lock.locked
	    ? `Team changes are locked since ${fmtTime(lock.at)} (track ${lock.track}): no one can join or leave a team.`
	    : `Team changes lock at ${fmtTime(lock.at)} (track ${lock.track}): after that no one can join or leave a team.`;
}

function renderLock() {
	const box = $('#lock-notice');
	const text = lockText(view.lock);
	if (!text) {
		notice(box, 'info');
		return;
	}
	notice(box, view.lock.locked ? 'warn' : 'info', text);
	$('#leave-btn').disabled = !!view.lock.locked;
	$('#join-btn').disabled = !!view.lock.locked;
}

function usesText(inv) {
	return inv.max_uses === 0 ? `${inv.uses} (no limit)` : `${inv.uses} of ${inv.max_uses}`;
}

function renderInvites() {
	const tbody = clear($('#invites-table tbody'));
	for (const inv of view.invites) {
		const revoke = el('button', { type: 'button', class: 'secondary small revoke-btn',
		    'aria-label': `Revoke invite code #${inv.id}` }, 'Revoke');
		revoke.addEventListener('click', () => onRevoke(inv, revoke));
		tbody.append(el('tr', { 'data-invite': String(inv.id) },
		    el('td', null, String(inv.id)),
		    el('td', { class: 'num' }, usesText(inv)),
		    el('td', { class: 'small' }, inv.expires_at ? fmtTime(inv.expires_at) : 'never'),
		    el('td', null, inv.created_by || '—'),
		    el('td', { class: 'actions' }, revoke)));
	}
	$('#invites-empty').hidden = view.invites.length > 0;
}

function render() {
	const inTeam = !!view.team;
	$('#no-team').hidden = inTeam;
	$('#in-team').hidden = !inTeam;
	$('#team-title').textContent = inTeam ? `Team ${view.team.name}` : 'Team';
	if (inTeam) {
		const tbody = clear($('#members-table tbody'));
		for (const m of view.members)
			tbody.append(el('tr', null, el('td', null, m.email), el('td', { class: 'small' }, fmtTime(m.joined))));
		renderInvites();
	}
	renderLock();
}

async function load() {
	view = await api('/api/v1/team');
	render();
}

async function onRevoke(inv, btn) {
	btn.disabled = true;
	try {
		await api(`/api/v1/team/invites/${encodeURIComponent(inv.id)}/revoke`, { method: 'POST' });
		notice($('#team-notice'), 'success', `Invite code #${inv.id} is revoked.`);
		await load();
	} catch (err) {
		showError($('#team-notice'), err, 'Could not revoke the code:');
		btn.disabled = false;
	}
}

async function onInvite(ev) {
	ev.preventDefault();
	const form = ev.currentTarget;
	const msg = $('#team-notice');
	/* an empty field is Number('') = 0, "no limit": refused, not read so */
	const raw = form.max_uses.value.trim();
	const uses = raw === '' ? NaN : Number(raw);
	if (!Number.isInteger(uses) || uses < 0 || uses > 1000) {
		notice(msg, 'error', 'Uses: a whole number from 0 (no limit) to 1000.');
		form.max_uses.focus();
		return;
	}
	const btn = $('#invite-btn');
	btn.disabled = true;
	try {
		const data = await api('/api/v1/team/invites', { method: 'POST',
		    json: { max_uses: uses, expires_in_hours: Number(form.expires_in_hours.value) } });
		const code = data.invite.code;
		const box = $('#new-code');
		$('#new-code-value').value = code;
		$('#new-code-link').textContent = `${location.origin}/signup?invite=${encodeURIComponent(code)}`;
		$('#copy-code').textContent = 'Copy';
		box.hidden = false;
		notice(msg, 'success', `Invite code #${data.invite.id} is made.`);
		await load();
		$('#new-code-value').select();
	} catch (err) {
		showError(msg, err, 'Could not make the code:');
	} finally {
		btn.disabled = false;
	}
}

async function onCopy() {
	const input = $('#new-code-value');
	const btn = $('#copy-code');
	input.select();
	try {
		await navigator.clipboard.writeText(input.value);
		btn.textContent = 'Copied';
	} catch (_) {
		btn.textContent = 'Press Ctrl+C';
	}
}

async function onLeave() {
	if (!view.team || !window.confirm(`Leave team ${view.team.name}? You cannot submit until you join or make a team; the team keeps its submissions.`))
		return;
	const btn = $('#leave-btn');
	btn.disabled = true;
	try {
		await api('/api/v1/team/leave', { method: 'POST' });
		$('#new-code').hidden = true;
		await loadSession(true);
		await initNav();
		notice($('#team-notice'), 'success', `You left team ${view.team.name}.`);
		await load();
	} catch (err) {
		showError($('#team-notice'), err, 'Could not leave the team:');
		btn.disabled = false;
	}
}

/* Join (path team/join, body {code}) or make (path team, body {name}). */
async function onChange(ev, path, body, btnSel, what) {
	ev.preventDefault();
	const msg = $('#team-notice');
	const [k, v] = Object.entries(body)[0];
	if (!v) {
		notice(msg, 'error', k === 'code' ? 'Enter the invite code.' : 'Enter the name of the new team.');
		return;
	}
	const btn = $(btnSel);
	btn.disabled = true;
	try {
		const data = await api(path, { method: 'POST', json: body });
		await loadSession(true);
		await initNav();
		notice(msg, 'success', `${what} team ${data.team.name}.`);
		await load();
	} catch (err) {
		showError(msg, err, `Could not ${what === 'You joined' ? 'join' : 'make'} the team:`);
	} finally {
		btn.disabled = false;
		if (view)
			renderLock();
	}
}

async function main() {
	const user = await initNav();
	const msg = $('#team-notice');
	if (!user) {
		notice(msg, 'info', 'Log in to see your team. ', el('a', { href: loginHref() }, 'Log in'),
		    ' or ', el('a', { href: '/signup' }, 'create an account'), '.');
		return;
	}
	$('#invite-form').addEventListener('submit', onInvite);
	$('#copy-code').addEventListener('click', onCopy);
	$('#leave-btn').addEventListener('click', onLeave);
	$('#join-form').addEventListener('submit', (ev) => onChange(ev, '/api/v1/team/join',
	    { code: ev.currentTarget.code.value.trim() }, '#join-btn', 'You joined'));
	$('#found-form').addEventListener('submit', (ev) => onChange(ev, '/api/v1/team',
	    { name: $('#found-name').value.trim() }, '#found-btn', 'You made'));
	/* /team?invite=CODE (from a sign-up link opened while signed in):
	 * the join form has the code */
	const code = new URLSearchParams(location.search).get('invite');
	if (code)
		$('#join-code').value = code;
	try {
		await load();
	} catch (err) {
		if (err instanceof ApiError && err.status === 403)
			notice(msg, 'error', 'Worker tokens have no team page.');
		else
			showError(msg, err, 'Could not load the team:');
	}
}

main();
