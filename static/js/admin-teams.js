/*
 * admin/teams.html: teams (GET /admin/teams, searchable, paged), each with
 * its members on demand (GET /admin/teams/{id}/members); create a team or a
 * user, disable and re-enable teams and users, reset a password (the new
 * one is shown once), and the API tokens (GET /admin/tokens): create (the
 * secret is shown once) and revoke.
 */
import { $, api, badge, clear, el, fmtDate, fmtInt, notice, showError } from './api.js';
import { askDialog, initAdmin, qs, renderPager, showSecret } from './admin.js';

const LIMIT = 50;
const state = { q: '', offset: 0, open: new Set(), tokOffset: 0, tokRole: '' };

function say(kind, ...msg) {
	notice($('#teams-notice'), kind, ...msg);
}

async function act(label, fn) {
	try {
		await fn();
	} catch (err) {
		showError($('#teams-notice'), err, `${label}:`);
		return false;
	}
	return true;
}

/* ---- teams ---- */

async function loadTeams() {
	const d = await api(`/api/v1/admin/teams${qs({ q: state.q, limit: LIMIT, offset: state.offset })}`);
	const teams = (d && d.teams) || [];
	const tb = clear($('#teams-table tbody'));
	$('#teams-empty').hidden = teams.length > 0;
	for (const t of teams) {
		const open = state.open.has(t.id);
		const more = el('button', { type: 'button', class: 'secondary small members-btn', 'aria-expanded': open ? 'true' : 'false',
			'aria-controls': `members-${t.id}` }, open ? 'Hide members' : 'Members');
		more.addEventListener('click', () => {
			if (state.open.has(t.id))
				state.open.delete(t.id);
			else
				state.open.add(t.id);
			refresh();
		});
		const toggle = el('button', { type: 'button', class: `small ${t.disabled ? 'secondary' : 'danger'} team-toggle` },
		    t.disabled ? 'Enable' : 'Disable');
		toggle.addEventListener('click', () => toggleTeam(t));
		tb.append(el('tr', { 'data-team': t.name, 'data-team-id': t.id },
		    el('th', { scope: 'row' }, t.name, t.baseline ? [' ', badge('baseline')] : '', t.disabled ? [' ', badge('disabled')] : ''),
		    el('td', { class: 'num' }, fmtInt(t.members ?? 0)),
		    el('td', { class: 'num' }, fmtInt(t.submissions ?? 0)),
		    el('td', { class: 'small nowrap' }, fmtDate(t.created_at)),
		    el('td', { class: 'actions-cell' }, more, toggle)));
		if (open) {
			const cell = el('td', { colspan: 5 }, el('p', { class: 'muted small' }, 'Loading members…'));
			tb.append(el('tr', { class: 'details-row', id: `members-${t.id}` }, cell));
			loadMembers(t, cell);
		}
	}
	renderPager($('#teams-pager'), { total: d.total, limit: LIMIT, offset: state.offset, count: teams.length },
	    (off) => { state.offset = off; refresh(); });
}

async function loadMembers(team, cell) {
	let d;
	try {
		d = await api(`/api/v1/admin/teams/${encodeURIComponent(team.id)}/members`);
	} catch (err) {
		clear(cell).append(el('p', { class: 'notice error small' }, `Could not load the members: ${err.message}`));
		return;
	}
	const members = (d && d.members) || [];
	clear(cell);
	const add = el('button', { type: 'button', class: 'secondary small' }, `Add a member to ${team.name}`);
	add.addEventListener('click', () => newUser(team.name));
	if (!members.length) {
		cell.append(el('p', { class: 'muted small' }, 'No members yet. '), add);
		return;
	}
	const tb = el('tbody');
	for (const u of members) {
		const dis = el('button', { type: 'button', class: `small ${u.disabled ? 'secondary' : 'danger'} user-toggle` }, u.disabled ? 'Enable' : 'Disable');
		dis.addEventListener('click', () => toggleUser(u));
		const pw = el('button', { type: 'button', class: 'secondary small password-btn' }, 'Reset password');
		pw.addEventListener('click', () => resetPassword(u));
		const tok = el('button', { type: 'button', class: 'secondary small' }, 'New token');
		tok.addEventListener('click', () => newToken(u.email));
		tb.append(el('tr', { 'data-email': u.email },
		    el('th', { scope: 'row' }, u.email, u.admin ? [' ', badge('organizer')] : '', u.disabled ? [' ', badge('disabled')] : ''),
		    el('td', { class: 'small nowrap' }, fmtDate(u.created_at)),
		    el('td', { class: 'actions-cell' }, pw, tok, dis)));
	}
	cell.append(el('table', { class: 'compact members' },
	    el('caption', { class: 'visually-hidden' }, `Members of ${team.name}`),
	    el('thead', null, el('tr', null, el('th', { scope: 'col' }, 'Member'), el('th', { scope: 'col' }, 'Added'),
		el('th', { scope: 'col' }, el('span', { class: 'visually-hidden' }, 'Actions')))), tb), add);
}

async function toggleTeam(t) {
	if (!t.disabled) {
		const v = await askDialog({
			title: `Disable team ${t.name}?`,
			message: 'Its members can no longer log in or use their tokens. Their submissions stay on the board unless hidden.',
			fields: [{ name: 'reason', label: 'Reason', type: 'textarea' }], confirm: 'Disable team', danger: true,
		});
		if (!v)
			return;
		if (await act('Not disabled', () => api(`/api/v1/admin/teams/${t.id}/disable`, { method: 'POST', json: { reason: v.reason || undefined } })))
			say('success', `Team ${t.name} is disabled.`);
	} else if (await act('Not enabled', () => api(`/api/v1/admin/teams/${t.id}/enable`, { method: 'POST', json: {} }))) {
		say('success', `Team ${t.name} is enabled again.`);
	}
	refresh();
}

async function toggleUser(u) {
	const verb = u.disabled ? 'enable' : 'disable';
	if (!u.disabled) {
		const v = await askDialog({ title: `Disable ${u.email}?`, message: 'Their sessions end and their tokens stop working.', confirm: 'Disable user', danger: true });
		if (!v)
			return;
	}
	if (await act(`Could not ${verb}`, () => api(`/api/v1/admin/users/${u.id}/${verb}`, { method: 'POST', json: {} })))
		say('success', `${u.email} is ${verb}d.`);
	refresh();
}

async function resetPassword(u) {
	const v = await askDialog({
		title: `Reset the password of ${u.email}`,
		message: 'Their sessions end. Leave the field empty to have a password generated.',
		fields: [{ name: 'password', label: 'New password', type: 'password', hint: '10 to 200 characters' }],
		confirm: 'Reset password', danger: true,
	});
	if (!v)
		return;
	if (v.password && (v.password.length < 10 || v.password.length > 200)) {
		say('error', 'The password must have 10 to 200 characters.');
		return;
	}
	let d = null;
	if (!(await act('Password not reset', async () => {
		d = await api(`/api/v1/admin/users/${u.id}/password`, { method: 'POST', json: v.password ? { password: v.password } : {} });
	})))
		return;
	if (d && d.password)
		await showSecret(`New password of ${u.email}`, 'Password', d.password);
	say('success', `The password of ${u.email} was reset.`);
}

async function newTeam() {
	const v = await askDialog({
		title: 'New team',
		fields: [{ name: 'name', label: 'Team name', required: true },
			{ name: 'baseline', label: 'Baseline team (its entries are shown but not ranked)', type: 'checkbox' }],
		confirm: 'Create team',
	});
	if (!v)
		return;
	if (await act('Team not created', () => api('/api/v1/admin/teams', { method: 'POST', json: { name: v.name, baseline: v.baseline } })))
		say('success', `Team ${v.name} created. Add its members with “New user”.`);
	refresh();
}

async function newUser(team) {
	const v = await askDialog({
		title: team ? `New member of ${team}` : 'New user',
		fields: [{ name: 'email', label: 'Email', type: 'email', required: true },
			{ name: 'team', label: 'Team', value: team || '', hint: 'Empty for an organizer without a team.' },
			{ name: 'admin', label: 'Organizer (may use these pages)', type: 'checkbox' },
			{ name: 'password', label: 'Password', type: 'password', hint: 'Empty: one is generated and shown once.' }],
		confirm: 'Create user',
	});
	if (!v)
		return;
	const body = { email: v.email, admin: v.admin };
	if (v.team)
		body.team = v.team;
	if (v.password)
		body.password = v.password;
	let d = null;
	if (!(await act('User not created', async () => { d = await api('/api/v1/admin/users', { method: 'POST', json: body }); })))
		return;
	if (d && d.password)
		await showSecret(`Password of ${v.email}`, 'Password', d.password);
	say('success', `User ${v.email} created.`);
	refresh();
}

/* ---- tokens ---- */

async function newToken(email) {
	const v = await askDialog({
		title: 'New API token',
		fields: [{ name: 'email', label: 'For the user (email)', type: 'email', required: true, value: email || '' },
			{ name: 'role', label: 'Role', type: 'select', value: 'participant',
				options: [['participant', 'participant (the user’s own rights)'], ['worker', 'worker (runs jobs)']] },
			{ name: 'label', label: 'Label', hint: 'e.g. gpu-node-3' }],
		confirm: 'Create token',
	});
	if (!v)
		return;
	let d = null;
	if (!(await act('Token not created', async () => {
		d = await api('/api/v1/admin/tokens', { method: 'POST', json: { email: v.email, role: v.role, label: v.label || undefined } });
	})))
		return;
	if (d && d.secret)
		await showSecret('New API token', 'Bearer token', d.secret, 'It is shown only this once: copy it now. Use it as “Authorization: Bearer …”.');
	say('success', `Token created for ${v.email}.`);
	loadTokens().catch((err) => showError($('#teams-notice'), err));
}

async function loadTokens() {
	const d = await api(`/api/v1/admin/tokens${qs({ role: state.tokRole, limit: LIMIT, offset: state.tokOffset })}`);
	const toks = (d && d.tokens) || [];
	const tb = clear($('#tokens-table tbody'));
	$('#tokens-empty').hidden = toks.length > 0;
	for (const t of toks) {
		const cells = [
			el('td', { class: 'mono small' }, String(t.id)),
			el('td', null, t.email || `user ${t.user_id}`),
			el('td', null, badge(t.role)),
			el('td', { class: 'small' }, t.label || ''),
			el('td', { class: 'small nowrap' }, fmtDate(t.created_at)),
			el('td', { class: 'small nowrap' }, t.revoked_at ? fmtDate(t.revoked_at) : el('span', { class: 'muted' }, 'active')),
		];
		const actions = el('td', { class: 'actions-cell' });
		if (!t.revoked_at) {
			const rv = el('button', { type: 'button', class: 'danger small revoke-btn' }, 'Revoke');
			rv.addEventListener('click', async () => {
				const ok = await askDialog({ title: `Revoke token ${t.id}?`, message: `Requests with it (${t.email || ''}${t.label ? `, ${t.label}` : ''}) will answer 401 at once.`, confirm: 'Revoke', danger: true });
				if (!ok)
					return;
				if (await act('Not revoked', () => api(`/api/v1/admin/tokens/${t.id}/revoke`, { method: 'POST', json: {} })))
					say('success', `Token ${t.id} revoked.`);
				loadTokens().catch((err) => showError($('#teams-notice'), err));
			});
			actions.append(rv);
		}
		tb.append(el('tr', { 'data-token': t.id, class: t.revoked_at ? 'muted' : null }, ...cells, actions));
	}
	renderPager($('#tokens-pager'), { total: d.total, limit: LIMIT, offset: state.tokOffset, count: toks.length },
	    (off) => { state.tokOffset = off; loadTokens(); });
}

async function refresh() {
	try {
		await loadTeams();
	} catch (err) {
		showError($('#teams-notice'), err, 'Could not load the teams:');
	}
}

async function main() {
	if (!(await initAdmin('teams')))
		return;
	$('#new-team-btn').addEventListener('click', newTeam);
	$('#new-user-btn').addEventListener('click', () => newUser(''));
	$('#new-token-btn').addEventListener('click', () => newToken(''));
	$('#teams-filter').addEventListener('submit', (ev) => {
		ev.preventDefault();
		state.q = $('#team-q').value.trim();
		state.offset = 0;
		refresh();
	});
	$('#token-role').addEventListener('change', (ev) => {
		state.tokRole = ev.currentTarget.value;
		state.tokOffset = 0;
		loadTokens().catch((err) => showError($('#teams-notice'), err));
	});
	await refresh();
	loadTokens().catch((err) => showError($('#teams-notice'), err, 'Could not load the tokens:'));
}

main();
