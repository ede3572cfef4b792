/* login.html: email + password → POST /api/v1/session, then back to ?next. */
import { api, ApiError, $, el, initNav, logout, notice, setSession, showError } from './api.js';

/* Only a same-site path may be a redirect target. */
function nextTarget() {
	const next = new URLSearchParams(location.search).get('next');
	if (next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') &&
	    !next.startsWith('/login'))
		return next;
	return '/submissions';
}

function showSignedIn(user) {
	const box = $('#signed-in');
	const text = $('#signed-in-text');
	text.textContent = '';
	text.append('You are signed in as ', el('strong', null, user.email || ''),
	    user.team ? ` (team ${user.team}).` : '.');
	box.hidden = false;
	$('#login-form').hidden = true;
}

async function onSubmit(ev) {
	ev.preventDefault();
	const form = ev.currentTarget;
	const msg = $('#login-notice');
	const email = form.email.value.trim();
	const password = form.password.value;
	if (!email || !password) {
		notice(msg, 'error', 'Enter your email and password.');
		(email ? form.password : form.email).focus();
		return;
	}
	const btn = $('#login-btn');
	btn.disabled = true;
	btn.textContent = 'Logging in…';
	notice(msg, 'info');
	try {
		const data = await api('/api/v1/session', { method: 'POST', json: { email, password } });
		setSession(data);
		location.assign(nextTarget());
	} catch (err) {
		if (err instanceof ApiError && err.status === 401)
			notice(msg, 'error', err.message && err.message !== 'HTTP 401'
			    ? err.message : 'Wrong email or password.');
		else if (err instanceof ApiError && err.status === 429)
			notice(msg, 'error', err.message, retryText(err));
		else
			showError(msg, err, 'Could not log in:');
		form.password.value = '';
		form.password.focus();
		btn.disabled = false;
		btn.textContent = 'Log in';
	}
}

function retryText(err) {
	const ra = err.headers && err.headers.get('Retry-After');
	return ra && /^\d+$/.test(ra) ? ` Try again in ${ra} s.` : '';
}

/* a "Create an account" link while self-registration is open. */
async function showSignupLink() {
	let info = null;
	try {
		info = await api('/api/v1/register');
	} catch (_) {
		return;	/* the link is only a convenience */
	}
	if (info && info.open)
		$('#signup-link').hidden = false;
}

async function main() {
	const user = await initNav();
	if (user)
		showSignedIn(user);
	else
		showSignupLink();
	$('#login-form').addEventListener('submit', onSubmit);
	$('#signed-in-logout').addEventListener('click', async () => {
		try {
			await logout();
		} catch (_) { /* gone either way */ }
		location.reload();
	});
}

main();
