/*
 * signup.html: self-registration.  GET /api/v1/register says whether it
 * is open and the password's bounds; POST /api/v1/register makes the user
 * with a new team or an invite code, then POST /api/v1/session logs in
 * and the team page opens.
 */
import { api, ApiError, $, el, initNav, notice, setSession, showError } from './api.js';

let pwMin = 10;
let pwMax = 200;

/* The password's length in characters, as the server counts them. */
function chars(s) {
	return Array.from(s).length;
}

/* The client-side part of the strength floor (the server checks all). */
function passwordProblem(pw, email) {
	if (chars(pw) < pwMin)
		return `The password must have at least ${pwMin} characters.`;
	if (new TextEncoder().encode(pw).length > pwMax)
		return `The password must be at most ${pwMax} bytes.`;
	if (Array.from(pw).every((c) => c === pw[0]))
		return 'The password must not be one character repeated.';
	const e = email.toLowerCase();
	if (e && (pw.toLowerCase() === e || pw.toLowerCase() === e.split('@')[0]))
		return 'The password must not be your email or its name part.';
	return null;
}

function mode() {
	return $('#mode-invite').checked ? 'invite' : 'new';
}

function showMode() {
	const inv = mode() === 'invite';
	$('#team-field').hidden = inv;
	$('#invite-field').hidden = !inv;
}

async function onSubmit(ev) {
	ev.preventDefault();
	const form = ev.currentTarget;
	const msg = $('#signup-notice');
	const email = form.email.value.trim();
	const password = form.password.value;
	const body = { email, password };
	let problem = null;
	let focus = null;
	if (!email || !email.includes('@')) {
		problem = 'Enter your email address.';
		focus = form.email;
	} else if ((problem = passwordProblem(password, email)) !== null) {
		focus = form.password;
	} else if (mode() === 'new') {
		body.team = form.team.value.trim();
		if (!body.team) {
			problem = 'Enter the name of your new team.';
			focus = form.team;
		}
	} else {
		body.invite = form.invite.value.trim();
		if (!body.invite) {
			problem = 'Enter the invite code a member of your team gave you.';
			focus = form.invite;
		}
	}
	if (problem) {
		notice(msg, 'error', problem);
		focus.focus();
		return;
	}
	const btn = $('#signup-btn');
	btn.disabled = true;
	btn.textContent = 'Creating…';
	notice(msg, 'info');
	try {
		await api('/api/v1/register', { method: 'POST', json: body });
	} catch (err) {
		if (err instanceof ApiError && err.code === 'team_exists')
			notice(msg, 'error', `${err.message}. Pick another name, or join that team with an invite code.`);
		else if (err instanceof ApiError && err.code === 'email_taken')
			notice(msg, 'error', 'An account with this email exists: ',
			    el('a', { href: '/login' }, 'log in'), ' instead.');
		else
			showError(msg, err, 'Could not create the account:');
		btn.disabled = false;
		btn.textContent = 'Create account';
		return;
	}
	/* the account exists from here: a failed login must not offer to
	 * create it again (that would answer "already registered") */
	try {
		setSession(await api('/api/v1/session', { method: 'POST', json: { email, password } }));
	} catch (err) {
		form.hidden = true;
		notice(msg, 'warn', el('strong', null, 'Your account is made, but you are not logged in: '),
		    `${err.message} `,
		    el('a', { href: '/login?next=%2Fteam', id: 'signup-login' }, 'Log in'),
		    ' with your email and password to see your team.');
		return;
	}
	location.assign('/team');
}

async function main() {
	const user = await initNav();
	const msg = $('#signup-notice');
	const code = new URLSearchParams(location.search).get('invite');
	if (user) {
		/* a signed-in user given a sign-up link: the code goes on to the
		 * team page's join form instead of being dropped */
		if (code)
			notice(msg, 'info', `You are signed in as ${user.email}. To join a team with this invite code, open your `,
			    el('a', { href: `/team?invite=${encodeURIComponent(code)}`, id: 'signup-join' }, 'team page'),
			    user.team ? ` (leave team ${user.team} there first).` : '.');
		else
			notice(msg, 'info', `You are signed in as ${user.email}. `, 'Your team is on the ',
			    el('a', { href: '/team' }, 'team page'), '.');
		return;
	}
	let info;
	try {
		info = await api('/api/v1/register');
	} catch (err) {
		showError(msg, err, 'Cannot tell whether sign-up is open:');
		return;
	}
	if (!info || !info.open) {
		$('#signup-closed').hidden = false;
		return;
	}
	pwMin = info.password_min || pwMin;
	pwMax = info.password_max || pwMax;
	$('#password-hint').textContent = `At least ${pwMin} characters; not your email, not one character repeated, not a common password.`;
	const form = $('#signup-form');
	form.password.setAttribute('minlength', String(pwMin));
	form.hidden = false;
	for (const r of form.querySelectorAll('input[name="mode"]'))
		r.addEventListener('change', showMode);
	if (code) {
		$('#mode-invite').checked = true;
		form.invite.value = code;
	}
	showMode();
	form.addEventListener('submit', onSubmit);
	form.email.focus();
}

main();
