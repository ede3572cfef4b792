/*
 * Browser test of sign-up and teams: the login page links to
 * the sign-up page while registration is open; a visitor signs up with a
 * new team (the password floor checked in the page first), lands on the
 * team page, makes an invite code (shown once, with a copy button); a
 * second browser context signs up with that code; both see the team's
 * two members; the first submits a random part of example-standard.txt
 * and the second sees that submission on /submissions; the second leaves
 * the team (with a confirm) and gets the join / make-a-team forms.
 * Review: a session ended in another tab is said in words on
 * the submit page's live status, My submissions and the submission page
 * (which stop polling); in no team /submit and /submissions say to join
 * one; a sign-up link opened while signed in leads to the team page's
 * join form; a registered email and a lost login after sign-up are said
 * with a login link; /signup, /team, /account and /track fit 390 px.
 *
 * Environment:
 *   DO_URL        base URL of a daemon with server.allow_register on   required
 *   DO_TRACK      slug of an open standard track                       required
 *   DO_EXAMPLE    a valid standard submission (example-standard.txt)   required
 *   DO_DB         the daemon's database: when set, the test locks team
 *                 changes of DO_TRACK (teams_lock_at, with sqlite3) at the
 *                 end and checks the team page's lock message
 *   DO_SHOTS      a directory: save a screenshot of every page there
 *   CHROMIUM      the browser binary (default /usr/bin/chromium)
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { finish, launchChromium, openPage, pageErrors, requireEnv,
	shot as shotTo, step, watchPage, watchdog } from './harness.mjs';

const env = process.env;
const cfg = {
	url: (env.DO_URL || '').replace(/\/$/, ''),
	track: env.DO_TRACK,
	example: env.DO_EXAMPLE,
	db: env.DO_DB || '',
	shots: env.DO_SHOTS || '',
	chromium: env.CHROMIUM || '/usr/bin/chromium',
};
requireEnv({ DO_URL: cfg.url, DO_TRACK: cfg.track, DO_EXAMPLE: cfg.example });
const shot = (page, name) => shotTo(cfg.shots, page, name);

watchdog(150);

const browser = await launchChromium(cfg.chromium);

/* A fresh context (its own cookies) with one page. */
const newPage = async () => (await openPage(browser)).page;

const tag = `${process.pid}-${Date.now() % 100000}`;
const teamName = `Crew <b>${tag}</b> & "co"`;
const first = { email: `first-${tag}@example.org`, password: `first-pass-${tag}` };
const second = { email: `second-${tag}@example.org`, password: `second-pass-${tag}` };
const methodName = `team list ${tag}`;
const a = await newPage();
const b = await newPage();
let code = null;
let subId = null;

/* The emails in the members table of page p. */
async function memberEmails(p) {
	await p.locator('#members-table tbody tr').first().waitFor();
	return (await p.locator('#members-table tbody tr td:first-child').allTextContents()).sort();
}

await step('the login page links to the sign-up page while registration is open', async () => {
	await a.goto(`${cfg.url}/login`);
	const link = a.locator('#signup-link a');
	await link.waitFor();
	assert.equal(await link.getAttribute('href'), '/signup');
	await Promise.all([a.waitForURL(/\/signup$/), link.click()]);
	await a.locator('#signup-form').waitFor();
	assert.equal(await a.locator('#signup-closed').isHidden(), true, 'no "closed" message');
});

await step('a password under the floor is refused in the page, before any request', async () => {
	let posted = false;
	a.on('request', (r) => { if (r.url().endsWith('/api/v1/register') && r.method() === 'POST') posted = true; });
	assert.match(await a.textContent('#password-hint'), /At least 10 characters/);
	await a.fill('#email', first.email);
	await a.fill('#password', 'short1');
	await a.fill('#team', teamName);
	await a.click('#signup-btn');
	await a.locator('#signup-notice.error').waitFor();
	assert.match(await a.textContent('#signup-notice'), /at least 10 characters/);
	assert.equal(posted, false, 'nothing was posted');
});

await step('signing up with a new team logs in and opens the team page', async () => {
	await a.fill('#password', first.password);
	await Promise.all([a.waitForURL(/\/team$/), a.click('#signup-btn')]);
	await a.locator('#in-team').waitFor();
	assert.equal(await a.textContent('#team-title'), `Team ${teamName}`, 'the name shown as text');
	assert.equal(await a.locator('#team-title b').count(), 0, 'no markup from the name');
	assert.deepEqual(await memberEmails(a), [first.email]);
	assert.equal(await a.locator('#invites-empty').isVisible(), true, 'no invites yet');
	const team = a.locator('#nav-team');
	assert.equal(await team.getAttribute('aria-current'), 'page', 'the Team entry is the current page');
	assert.equal(await a.locator('[data-testid="nav-who"] a.nav-account').getAttribute('href'), '/account');
	await shot(a, 'team-new');
});

/* an emptied Uses field read as 0, "no limit" */
await step('an empty Uses field is refused in the page, not sent as "no limit"', async () => {
	let posted = false;
	const seen = (r) => { if (r.url().endsWith('/api/v1/team/invites') && r.method() === 'POST') posted = true; };
	a.on('request', seen);
	await a.fill('#max-uses', '');
	await a.click('#invite-btn');
	await a.locator('#team-notice.error').waitFor();
	assert.match(await a.textContent('#team-notice'), /Uses: a whole number/);
	assert.equal(await a.evaluate(() => document.activeElement.id), 'max-uses', 'the field has the focus');
	await a.waitForTimeout(300);
	a.off('request', seen);
	assert.equal(posted, false, 'nothing was posted');
});

await step('making an invite code shows it once, with a copy button and the sign-up link', async () => {
	await a.fill('#max-uses', '2');
	await a.selectOption('#expires-in', '24');
	await a.click('#invite-btn');
	await a.locator('#new-code').waitFor();
	code = await a.inputValue('#new-code-value');
	assert.match(code, /^[A-Z2-7]{20}$/);
	assert.ok((await a.textContent('#new-code-link')).endsWith(`/signup?invite=${code}`));
	const row = a.locator('#invites-table tbody tr');
	await row.first().waitFor();
	assert.equal(await row.count(), 1);
	assert.match(await row.first().textContent(), /0 of 2/);
	assert.ok(!(await a.textContent('#invites-table')).includes(code), 'the table never shows the code');
	await a.click('#copy-code');
	await a.waitForFunction(() => /Copied|Ctrl\+C/.test(document.getElementById('copy-code').textContent));
	await shot(a, 'team-invite');
	/* a reload no longer shows it */
	await a.reload();
	await a.locator('#invites-table tbody tr').first().waitFor();
	assert.equal(await a.locator('#new-code').isHidden(), true, 'shown only once');
});

await step('a second browser signs up with the invite code and joins the team', async () => {
	assert.ok(code, 'a code was made');
	await b.goto(`${cfg.url}/signup?invite=${code}`);
	await b.locator('#signup-form').waitFor();
	assert.equal(await b.isChecked('#mode-invite'), true, 'the invite mode is chosen');
	assert.equal(await b.locator('#team-field').isHidden(), true, 'no team name field');
	assert.equal(await b.inputValue('#invite'), code);
	await b.fill('#email', second.email);
	await b.fill('#password', second.password);
	await Promise.all([b.waitForURL(/\/team$/), b.click('#signup-btn')]);
	await b.locator('#in-team').waitFor();
	assert.equal(await b.textContent('#team-title'), `Team ${teamName}`);
});

await step('both members see the team\'s two members', async () => {
	assert.deepEqual(await memberEmails(b), [first.email, second.email].sort());
	await a.reload();
	await a.locator('#members-table tbody tr:nth-child(2)').waitFor();
	assert.deepEqual(await memberEmails(a), [first.email, second.email].sort());
	assert.match(await a.locator('#invites-table tbody tr').first().textContent(), /1 of 2/);
	await shot(a, 'team-two');
});

await step('revoking the invite code removes it from the pending list', async () => {
	const row = a.locator('#invites-table tbody tr').first();
	/* each Revoke button names its code for a screen reader */
	const id = await row.getAttribute('data-invite');
	assert.equal(await row.locator('.revoke-btn').getAttribute('aria-label'), `Revoke invite code #${id}`);
	await row.locator('.revoke-btn').click();
	await a.locator('#invites-empty').waitFor();
	assert.equal(await a.locator('#invites-table tbody tr').count(), 0);
	assert.match(await a.textContent('#team-notice'), /revoked/);
});

/* a sample set of its own (a random part of the
 * example), so that its job is not a reuse of an earlier score and stays
 * queued for the live-status steps below (no worker runs here) */
const exLines = fs.readFileSync(cfg.example, 'utf8').split(/\r?\n/).map((x) => x.trim()).filter(Boolean);
let ownList = exLines.filter(() => Math.random() < 0.5);
if (ownList.length < 4)
	ownList = exLines.slice(0, exLines.length - 1 - (Date.now() % 4));
const ownFile = path.join(os.tmpdir(), `team-test-${tag}.txt`);
fs.writeFileSync(ownFile, ownList.join('\n') + '\n');
process.on('exit', () => { try { fs.unlinkSync(ownFile); } catch (_) { /* gone */ } });

await step('the first member submits a list from example-standard.txt', async () => {
	await a.goto(`${cfg.url}/submit`);
	await a.locator(`#track option[value="${cfg.track}"]`).waitFor({ state: 'attached' });
	await a.selectOption('#track', cfg.track);
	await a.setInputFiles('#file', ownFile);
	await a.fill('#method_name', methodName);
	const [res] = await Promise.all([
		a.waitForResponse((r) => r.url().endsWith('/api/v1/submissions') && r.request().method() === 'POST'),
		a.click('#submit-btn'),
	]);
	assert.equal(res.status(), 201, `POST /api/v1/submissions answered ${res.status()}: ${await res.text()}`);
	subId = (await res.json()).submission.id;
	await a.locator('#result.success').waitFor();
});

/* the submit page follows the job live; when the
 * session ends meanwhile it says so for a person (no "Bearer" hint) */
await step('the live status of the job says when the session ended, and how to go on', async () => {
	await a.locator('#live-status #live-line').waitFor();
	const other = await a.context().newPage();
	watchPage(other);
	await other.goto(`${cfg.url}/team`);
	await Promise.all([other.waitForURL(`${cfg.url}/`), other.click('#logout-btn')]);
	await other.close();
	const stopped = a.locator('#live-stopped');
	await stopped.waitFor({ timeout: 20000 });
	const text = await stopped.textContent();
	assert.match(text, /not logged in/, text);
	assert.doesNotMatch(text, /Bearer/, text);
	assert.ok((await stopped.locator('a').getAttribute('href')).startsWith('/login?next='), 'a login link');
	/* log the first member in again for the steps below */
	await a.goto(`${cfg.url}/login?next=%2Fteam`);
	await a.fill('#email', first.email);
	await a.fill('#password', first.password);
	await Promise.all([a.waitForURL(/\/team$/), a.click('#login-btn')]);
});

await step('the second member sees that submission on /submissions', async () => {
	assert.ok(subId, 'a submission was made');
	await b.goto(`${cfg.url}/submissions`);
	const row = b.locator(`#subs-table tr[data-id="${subId}"]`);
	await row.waitFor();
	assert.equal(await row.locator('a.method').textContent(), methodName);
	await shot(b, 'team-submissions');
});

/* My submissions polls the queued job; when the
 * session ends it says so and stops instead of polling on in silence */
await step('My submissions and the submission page say when the session ended and stop their live updates', async () => {
	await b.locator('#poll-status', { hasText: 'Updating live' }).waitFor();
	const one = await b.context().newPage();
	watchPage(one);
	await one.goto(`${cfg.url}/submission?id=${encodeURIComponent(subId)}`);
	await one.locator('#sub-view:not([hidden])').waitFor();
	const other = await b.context().newPage();
	watchPage(other);
	await other.goto(`${cfg.url}/team`);
	await Promise.all([other.waitForURL(`${cfg.url}/`), other.click('#logout-btn')]);
	await other.close();
	let polls = 0;
	b.on('request', (r) => { if (r.url().includes('/api/v1/jobs/')) polls++; });
	await b.locator('#subs-notice.error').waitFor();
	const text = await b.textContent('#subs-notice');
	assert.match(text, /not logged in/, text);
	assert.equal(await b.textContent('#poll-status'), '', 'no stale "Updating live"');
	const seen = polls;
	await b.waitForTimeout(4500);
	assert.equal(polls, seen, 'no more polls');
	await one.locator('#sub-notice.error').waitFor();
	assert.match(await one.textContent('#sub-notice'), /not logged in/);
	await one.close();
	await b.goto(`${cfg.url}/login?next=%2Fteam`);
	await b.fill('#email', second.email);
	await b.fill('#password', second.password);
	await Promise.all([b.waitForURL(/\/team$/), b.click('#login-btn')]);
	/* cancel the queued job: the daemon's later tests run a worker */
	await b.goto(`${cfg.url}/submissions`);
	await b.locator(`#subs-table tr[data-id="${subId}"] .cancel-btn`).click();
	await b.locator('#subs-notice.success').waitFor();
});

await step('the second member leaves (confirmed) and gets the join and make-a-team forms', async () => {
	await b.goto(`${cfg.url}/team`);
	await b.locator('#in-team').waitFor();
	await b.click('#leave-btn');
	await b.locator('#no-team').waitFor();
	assert.match(await b.textContent('#team-notice'), /You left team/);
	assert.equal(await b.locator('#join-form').isVisible(), true);
	assert.equal(await b.locator('#found-form').isVisible(), true);
	assert.ok(!(await b.textContent('[data-testid="nav-who"]')).includes('Crew'), 'the nav no longer shows the team');
	await b.goto(`${cfg.url}/submissions`);
	await b.locator('#subs-empty, #subs-table tbody tr').first().waitFor();
	assert.equal(await b.locator(`#subs-table tr[data-id="${subId}"]`).count(), 0, 'the team\'s submission is not shown any more');
	await a.goto(`${cfg.url}/team`);
	assert.deepEqual(await memberEmails(a), [first.email], 'the first member stays');
	await shot(b, 'team-left');
});

/* a user in no team learns on /submit and
 * /submissions that a team comes first, before any upload */
await step('in no team, /submit is disabled with the reason and /submissions says to join a team', async () => {
	let posted = false;
	b.on('request', (r) => { if (r.url().endsWith('/api/v1/submissions') && r.method() === 'POST') posted = true; });
	await b.goto(`${cfg.url}/submit`);
	await b.locator(`#track option[value="${cfg.track}"]`).waitFor({ state: 'attached' });
	await b.locator('#submit-team').waitFor();
	assert.equal(await b.locator('#submit-team').getAttribute('href'), '/team');
	assert.match(await b.textContent('#submit-notice'), /not a member of any team/);
	await b.selectOption('#track', cfg.track);
	await b.setInputFiles('#file', cfg.example);
	await b.fill('#method_name', 'no team');
	assert.equal(await b.isDisabled('#submit-btn'), true, 'the button is disabled');
	assert.match(await b.textContent('#submit-reason'), /team page/);
	await b.locator('#method_name').press('Enter');
	await b.waitForTimeout(300);
	assert.equal(posted, false, 'nothing was uploaded');
	await b.goto(`${cfg.url}/submissions`);
	await b.locator('#subs-empty:not([hidden])').waitFor();
	assert.match(await b.textContent('#subs-empty'), /not a member of any team/);
	assert.equal(await b.locator('#subs-team').getAttribute('href'), '/team');
	await shot(b, 'team-none-submit');
});

/* a signed-in user in no team who opens a sign-up
 * link with a code is led to the team page with the code in its join form */
await step('a sign-up link opened while signed in leads to the team page with the code filled in', async () => {
	await a.goto(`${cfg.url}/team`);
	await a.locator('#in-team').waitFor();
	await a.click('#invite-btn');
	await a.locator('#new-code').waitFor();
	const again = await a.inputValue('#new-code-value');
	await b.goto(`${cfg.url}/signup?invite=${again}`);
	const link = b.locator('#signup-join');
	await link.waitFor();
	assert.match(await b.textContent('#signup-notice'), /signed in as/);
	await Promise.all([b.waitForURL(/\/team\?invite=/), link.click()]);
	await b.locator('#no-team:not([hidden])').waitFor();
	assert.equal(await b.inputValue('#join-code'), again, 'the join form has the code');
	await b.click('#join-btn');
	await b.locator('#in-team:not([hidden])').waitFor();
	assert.equal(await b.textContent('#team-title'), `Team ${teamName}`);
});

/* signing up again with a registered email links
 * the login page the message sends the user to */
await step('signing up with a registered email says so and links the login page', async () => {
	const { ctx, page: p } = await openPage(browser);
	await p.goto(`${cfg.url}/signup`);
	await p.locator('#signup-form').waitFor();
	await p.fill('#email', first.email);
	await p.fill('#password', `another-pass-${tag}`);
	await p.fill('#team', `Again ${tag}`);
	await p.click('#signup-btn');
	await p.locator('#signup-notice.error').waitFor();
	assert.match(await p.textContent('#signup-notice'), /exists/);
	assert.equal(await p.locator('#signup-notice a').getAttribute('href'), '/login');
	await ctx.close();
});

/* the account is made but the login after it is lost
 * (the connection drops): the page must not offer to create it again */
await step('a sign-up whose login is lost says the account is made and links the login page', async () => {
	const { ctx, page: p } = await openPage(browser);
	const who = { email: `lost-${tag}@example.org`, password: `lost-pass-${tag}` };
	await p.route('**/api/v1/session', (r) => (r.request().method() === 'POST' ? r.abort('connectionreset') : r.continue()));
	await p.goto(`${cfg.url}/signup`);
	await p.locator('#signup-form').waitFor();
	await p.fill('#email', who.email);
	await p.fill('#password', who.password);
	await p.fill('#team', `Lost ${tag}`);
	await p.click('#signup-btn');
	await p.locator('#signup-login').waitFor();
	assert.match(await p.textContent('#signup-notice'), /account is made/);
	assert.equal(await p.locator('#signup-form').isHidden(), true, 'no second "Create account"');
	await p.unroute('**/api/v1/session');
	await Promise.all([p.waitForURL(/\/login\?next=%2Fteam$/), p.click('#signup-login')]);
	await p.fill('#email', who.email);
	await p.fill('#password', who.password);
	await Promise.all([p.waitForURL(/\/team$/), p.click('#login-btn')]);
	await p.locator('#in-team').waitFor();
	assert.equal(await p.textContent('#team-title'), `Team Lost ${tag}`);
	await ctx.close();
});

/* at 390 px the new pages never scroll sideways,
 * even with a long email and a team name of one long word (the nav, the
 * titles and the notices wrap them) */
await step('at 390 px sign-up, team, account and track pages have no sideways page scroll', async () => {
	const { ctx, page: p } = await openPage(browser, { width: 390, height: 844 });
	const width = async (what) => {
		const r = await p.evaluate(() => ({
			w: document.scrollingElement.scrollWidth,
			wide: [...document.querySelectorAll('body *')]
				.filter((e) => e.getBoundingClientRect().right > 391 && !e.closest('.table-wrap'))
				.slice(0, 4).map((e) => `${e.tagName}#${e.id}.${e.className}`),
		}));
		assert.ok(r.w <= 390, `${what} is ${r.w} px wide (${r.wide.join(', ')})`);
	};
	await p.goto(`${cfg.url}/signup`);
	await p.locator('#signup-form').waitFor();
	await width('/signup');
	await p.fill('#email', `a-rather-long-address-for-the-phone-${tag}@a-long-example-domain.org`);
	await p.fill('#password', `phone-pass-${tag}`);
	await p.fill('#team', `Phone${'W'.repeat(50)}${tag}`);
	await Promise.all([p.waitForURL(/\/team$/), p.click('#signup-btn')]);
	await p.locator('#in-team').waitFor();
	await p.click('#invite-btn');
	await p.locator('#new-code').waitFor();
	await width('/team with a new code');
	await shot(p, 'team-390');
	await p.goto(`${cfg.url}/account`);
	await p.locator('#acc-body').waitFor();
	await p.fill('#token-label', 'L'.repeat(60));
	await p.click('#token-btn');
	await p.locator('#token-new').waitFor();
	await p.locator('#sessions-table tbody tr').first().waitFor();
	await width('/account with a new token');
	await shot(p, 'account-390');
	await p.goto(`${cfg.url}/track?slug=${encodeURIComponent(cfg.track)}`);
	await p.locator('#track-view:not([hidden])').waitFor();
	await width('/track');
	await p.goto(`${cfg.url}/team`);
	await p.locator('#in-team').waitFor();
	await p.click('#leave-btn');
	await p.locator('#no-team:not([hidden])').waitFor();
	await width('/team after leaving');
	await shot(p, 'team-left-390');
	await ctx.close();
});

if (cfg.db) {
	await step('a team lock of the track shows on the team page and leaving is disabled', async () => {
		execFileSync('sqlite3', [cfg.db, `UPDATE tracks SET teams_lock_at = 1765324800 WHERE slug = '${cfg.track.replace(/'/g, "''")}'`]);
		try {
			await a.goto(`${cfg.url}/team`);
			await a.locator('#lock-notice.warn').waitFor();
			assert.match(await a.textContent('#lock-notice'), new RegExp(`locked since 2025-12-10 00:00 UTC.*track ${cfg.track}`));
			assert.equal(await a.isDisabled('#leave-btn'), true, 'leave disabled');
			await shot(a, 'team-locked');
		} finally {
			/* even when a check fails: a lock left set refuses every
			 * later join on this daemon */
			execFileSync('sqlite3', [cfg.db, 'UPDATE tracks SET teams_lock_at = NULL']);
		}
	});
}

await step('the pages had no script errors', async () => {
	assert.deepEqual(pageErrors, []);
});

await browser.close();
finish();
