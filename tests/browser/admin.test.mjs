/*
 * Browser test of the organizer pages and of the participant's side of
 * them: Debian's headless Chromium driven by playwright-core against a
 * running dataoptimd.  Prints "ok N - …" or "not ok N - …" per step and
 * exits non-zero when a step failed.
 *
 * The test scores one submission of the participant's team on its own
 * track (DO_ADMIN_TRACK) by playing the worker, then:
 *   - the participant sees no Admin entry and is turned away from /admin;
 *   - the participant's submission page draws the composition and score
 *     charts (inline SVG with a title and the numbers) and the submit page
 *     shows the remaining quota; the team picks its leaderboard entry;
 *   - the organizer logs in, reaches every admin page from the navigation,
 *     hides the submission on the submissions page, and the public
 *     leaderboard (API and page) no longer shows it; the audit log shows
 *     the hide with its reason;
 *   - the organizer disqualifies it and the team reads the reason.
 *
 * Environment:
 *   DO_URL            base URL of the daemon                          required
 *   DO_EMAIL, DO_PASSWORD              a participant                  required
 *   DO_ADMIN_EMAIL, DO_ADMIN_PASSWORD  an organizer (user add --admin) required
 *   DO_PARTICIPANT_TOKEN  an API token of the participant             required
 *   DO_WORKER_TOKEN   a worker token                                  required
 *   DO_ADMIN_TRACK    an open standard track no other test uses       required
 *   DO_EXAMPLE        a valid standard submission                     required
 *   DO_SHOTS          a directory: save a screenshot of every page there
 *   CHROMIUM          the browser binary (default /usr/bin/chromium)
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, T, apiCall, finish, launchFailed, pageErrors, requireEnv,
	shot as shotTo, step, watchPage, watchdog } from './harness.mjs';

const env = process.env;
const cfg = {
	url: (env.DO_URL || '').replace(/\/$/, ''),
	email: env.DO_EMAIL,
	password: env.DO_PASSWORD,
	adminEmail: env.DO_ADMIN_EMAIL,
	adminPassword: env.DO_ADMIN_PASSWORD,
	token: env.DO_PARTICIPANT_TOKEN,
	workerToken: env.DO_WORKER_TOKEN,
	track: env.DO_ADMIN_TRACK,
	example: env.DO_EXAMPLE,
	shots: env.DO_SHOTS || '',
	chromium: env.CHROMIUM || '/usr/bin/chromium',
};
requireEnv({ DO_URL: cfg.url, DO_EMAIL: cfg.email, DO_PASSWORD: cfg.password,
	DO_ADMIN_EMAIL: cfg.adminEmail, DO_ADMIN_PASSWORD: cfg.adminPassword, DO_PARTICIPANT_TOKEN: cfg.token,
	DO_WORKER_TOKEN: cfg.workerToken, DO_ADMIN_TRACK: cfg.track, DO_EXAMPLE: cfg.example });

const SCORES = { overall: 0.625, alpha: 0.75, beta: 0.5 };
const HIDE_REASON = 'Duplicate of an earlier entry <b>not bold</b>';
const DQ_REASON = 'Trained on the validation questions';

const shot = (page, name) => shotTo(cfg.shots, page, name);
/* A call to the API with a bearer token; the parsed answer. */
const call = (token, method, p, body, contentType) =>
	apiCall(cfg.url, token, method, p, body, contentType);

async function leaderboard() {
	const res = await fetch(`${cfg.url}/api/v1/leaderboard?track=${encodeURIComponent(cfg.track)}`, { cache: 'no-store' });
	assert.equal(res.status, 200, 'GET /api/v1/leaderboard');
	return res.json();
}

watchdog(180);

let browser;
try {
	browser = await chromium.launch({
		executablePath: cfg.chromium,
		headless: true,
		args: CHROMIUM_ARGS,
	});
} catch (err) {
	launchFailed(err);
}

/* One browser context per person, each with its own cookies. */
async function person() {
	const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
	ctx.setDefaultTimeout(T);
	const page = await ctx.newPage();
	watchPage(page);
	return { ctx, page };
}

async function login(page, email, password, next) {
	await page.goto(`${cfg.url}/login?next=${encodeURIComponent(next)}`);
	await page.fill('#email', email);
	await page.fill('#password', password);
	await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('#login-btn')]);
	await page.locator('[data-testid="nav-who"]').waitFor();
}

const lines = fs.readFileSync(cfg.example, 'utf8').split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
let subId = null;
const datasets = new Set(lines.map((l) => l.slice(0, l.indexOf('_'))));

await step('a submission of the participant\'s team is scored on the admin track', async () => {
	const method = encodeURIComponent('Admin test entry');
	const r = await call(cfg.token, 'POST', `/api/v1/submissions?track=${encodeURIComponent(cfg.track)}&method_name=${method}`,
	    lines.join('\n') + '\n', 'text/plain');
	assert.equal(r.status, 201, `POST /api/v1/submissions answered ${r.status}: ${r.text}`);
	subId = r.json.submission.id;
	/* play the worker until our job is done; anything else queued is failed */
	for (let i = 0; i < 10; i++) {
		const c = await call(cfg.workerToken, 'POST', '/api/v1/worker/claim', { worker: 'browser-test-worker' });
		assert.equal(c.status, 200, `claim answered ${c.status}: ${c.text}`);
		const job = c.json.job;
		const ours = job.submission && job.submission.id === subId;
		const res = await call(cfg.workerToken, 'POST', `/api/v1/worker/jobs/${job.id}/result`, ours
		    ? { attempt: job.attempt, status: 'succeeded', scores: SCORES }
		    : { attempt: job.attempt, status: 'failed', error: 'browser test: not this one', fault: 'system' });
		assert.equal(res.status, 200, `result answered ${res.status}: ${res.text}`);
		if (ours)
			break;
	}
	const lb = await leaderboard();
	assert.ok(lb.entries.some((e) => e.submission_id === subId), 'the submission is on the public leaderboard');
});

const part = await person();

await step('a participant sees no Admin entry in the navigation and is turned away from the admin pages', async () => {
	const { page } = part;
	await login(page, cfg.email, cfg.password, '/submissions');
	assert.equal(await page.locator('#nav-admin').count(), 0, 'no Admin link for a participant');
	for (const p of ['/static/admin.html', '/static/admin/submissions.html']) {
		await page.goto(cfg.url + p);
		await page.locator('#admin-notice.error').waitFor();
		assert.match(await page.textContent('#admin-notice'), /organizers only/);
		assert.equal(await page.locator('#admin-main').isHidden(), true, 'admin content stays hidden');
		assert.equal(await page.locator('#nav-admin').count(), 0, 'still no Admin link');
	}
});

await step('the submission page draws the composition and score charts as inline SVG with their numbers', async () => {
	const { page } = part;
	await page.goto(`${cfg.url}/submission?id=${encodeURIComponent(subId)}`);
	const comp = page.locator('svg.chart[data-chart="composition"]');
	await comp.waitFor();
	assert.equal(await comp.getAttribute('role'), 'img');
	assert.match(await comp.locator('title').textContent(), new RegExp(`${lines.length} samples`), 'composition title names the count');
	assert.equal(await comp.locator('rect.bar').count(), datasets.size, 'one bar per dataset');
	const compLabels = await comp.locator('text.label').allTextContents();
	assert.deepEqual(new Set(compLabels), datasets, 'the datasets are the bar labels');
	const scores = page.locator('svg.chart[data-chart="scores"]');
	await scores.waitFor();
	assert.equal(await scores.locator('rect.bar').count(), Object.keys(SCORES).length, 'one bar per score');
	assert.match(await scores.locator('title').textContent(), /overall 0\.6250/);
	const values = await scores.locator('text.value').allTextContents();
	for (const v of Object.values(SCORES))
		assert.ok(values.includes(v.toFixed(4)), `score ${v} written next to its bar: ${JSON.stringify(values)}`);
	/* the bars are drawn to scale: beta (0.5) is two thirds of alpha (0.75) */
	const widths = await scores.locator('rect.bar').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('width'))));
	const labels = await scores.locator('text.label').allTextContents();
	const w = Object.fromEntries(labels.map((l, i) => [l, widths[i]]));
	assert.ok(Math.abs(w.beta / w.alpha - 2 / 3) < 0.01, `bar widths to scale: ${JSON.stringify(w)}`);
	assert.equal(await page.locator('svg.chart image, svg.chart foreignObject, script[src^="http"]').count(), 0, 'nothing external');
	await shot(page, 'admin-test-submission-charts');
});

await step('the submit page shows the team\'s remaining quota for the track', async () => {
	const { page } = part;
	await page.goto(`${cfg.url}/submit?track=${encodeURIComponent(cfg.track)}`);
	await page.locator('#quota:not([hidden])').waitFor();
	const tracks = await call(cfg.token, 'GET', '/api/v1/tracks');
	const t = tracks.json.tracks.find((x) => x.slug === cfg.track);
	assert.ok(t && t.remaining, `GET /tracks answers remaining for ${cfg.track}`);
	const text = await page.textContent('#quota');
	if (t.remaining.today != null)
		assert.ok(text.includes(`${t.remaining.today} of ${t.limits.per_day} left today`), `quota text: ${text}`);
	if (t.remaining.total != null)
		assert.ok(text.includes(`${t.remaining.total} of ${t.limits.total} left in total`), `quota text: ${text}`);
	await shot(page, 'admin-test-submit-quota');
});

await step('the team picks this submission as its leaderboard entry', async () => {
	const { page } = part;
	await page.goto(`${cfg.url}/submission?id=${encodeURIComponent(subId)}`);
	const btn = page.locator('#pick-btn');
	await btn.waitFor();
	const [res] = await Promise.all([
		page.waitForResponse((r) => r.url().endsWith(`/submissions/${subId}/select`)),
		btn.click(),
	]);
	assert.equal(res.status(), 200, `POST …/select answered ${res.status()}`);
	await page.locator('#pick-state', { hasText: 'represents your team' }).waitFor();
	const lb = await leaderboard();
	const e = lb.entries.find((x) => x.submission_id === subId);
	assert.ok(e && e.selected === true, 'the leaderboard entry is marked selected');
});

const org = await person();
let adminBase = null;

await step('an organizer logs in, sees the Admin entry and reaches every admin page', async () => {
	const { page } = org;
	await login(page, cfg.adminEmail, cfg.adminPassword, '/');
	const link = page.locator('#nav-admin');
	await link.waitFor();
	await Promise.all([page.waitForURL(/admin/), link.click()]);
	adminBase = new URL(page.url()).pathname;
	await page.locator('#admin-main:not([hidden])').waitFor();
	await page.locator('#tile-queued').waitFor();
	await page.locator('#workers-table tr[data-worker="browser-test-worker"]').waitFor();
	await shot(page, 'admin-dashboard');
	for (const [section, ready, name] of [
		['tracks', `#tracks-table tr[data-track="${cfg.track}"]`, 'admin-tracks'],
		['teams', '#teams-table tbody tr', 'admin-teams'],
		['audit', '#audit-table', 'admin-audit'],
		['submissions', `#admin-subs-table tr[data-id="${subId}"]`, 'admin-submissions'],
	]) {
		await page.click(`#admin-nav a[data-section="${section}"]`);
		await page.locator(ready).first().waitFor();
		assert.equal(await page.getAttribute(`#admin-nav a[data-section="${section}"]`, 'aria-current'), 'page');
		await shot(page, name);
	}
});

await step('the organizer hides the submission on the admin page and the public leaderboard drops it', async () => {
	const { page } = org;
	const pub = (await person()).page;
	await pub.goto(`${cfg.url}/#track=${encodeURIComponent(cfg.track)}`);
	await pub.locator(`#lb-table tr[data-submission="${subId}"]`).waitFor();

	await page.selectOption('#flt-track', cfg.track);
	await page.click('#subs-filter button[type="submit"]');
	const row = page.locator(`#admin-subs-table tr[data-id="${subId}"]`);
	await row.locator('.manage-btn').click();
	const detail = page.locator(`#manage-${subId}`);
	await detail.locator('.hide-btn').click();
	const dlg = page.locator('dialog[open]');
	await dlg.locator('textarea').fill(HIDE_REASON);
	const [res] = await Promise.all([
		page.waitForResponse((r) => r.url().endsWith(`/admin/submissions/${subId}/hide`)),
		dlg.locator('[data-testid="dialog-confirm"]').click(),
	]);
	assert.equal(res.status(), 200, `hide answered ${res.status()}`);
	assert.ok(res.request().headers()['x-csrf-token'], 'the hide request sent the CSRF header');
	await row.locator('td.state .badge.hidden').waitFor();
	await page.locator('#subs-notice.success').waitFor();
	await shot(page, 'admin-submissions-hidden');

	const lb = await leaderboard();
	assert.ok(!lb.entries.some((e) => e.submission_id === subId), 'gone from GET /api/v1/leaderboard');
	await pub.reload();
	await pub.waitForFunction(() => {
		const e = document.getElementById('lb-empty');
		return document.querySelector('#lb-table tbody tr') || (!e.hidden && !/Loading/.test(e.textContent));
	});
	assert.equal(await pub.locator(`#lb-table tr[data-submission="${subId}"]`).count(), 0, 'gone from the leaderboard page');
	await pub.context().close();
});

await step('the audit log shows the hide with its reason, before and after', async () => {
	const { page } = org;
	await page.click('#admin-nav a[data-section="audit"]');
	await page.fill('#au-target', subId);	/* a bare ID: the page asks for submission:ID */
	await page.click('#audit-filter button[type="submit"]');
	const row = page.locator('#audit-table tr[data-action="submission.hide"]');
	await row.waitFor();
	assert.ok((await row.textContent()).includes(HIDE_REASON), 'reason shown verbatim');
	assert.equal(await row.locator('b').count(), 0, 'the reason is text, not markup');
	assert.match(await row.locator('.diff-table').textContent(), /hidden\s*false\s*true/, 'hidden: false → true');
	await shot(page, 'admin-audit-hide');
});

await step('a disqualification\'s reason is shown to the team on its submission page', async () => {
	const { page } = org;
	await page.click('#admin-nav a[data-section="submissions"]');
	const row = page.locator(`#admin-subs-table tr[data-id="${subId}"]`);
	await row.locator('.manage-btn').click();
	await page.locator(`#manage-${subId} .disqualify-btn`).click();
	const dlg = page.locator('dialog[open]');
	await dlg.locator('textarea').fill(DQ_REASON);
	const [res] = await Promise.all([
		page.waitForResponse((r) => r.url().endsWith(`/admin/submissions/${subId}/disqualify`)),
		dlg.locator('[data-testid="dialog-confirm"]').click(),
	]);
	assert.equal(res.status(), 200, `disqualify answered ${res.status()}`);
	await row.locator('td.state .badge.disqualified').waitFor();
	const p = part.page;
	await p.goto(`${cfg.url}/submission?id=${encodeURIComponent(subId)}`);
	await p.locator('#moderation:not([hidden])').waitFor();
	assert.match(await p.textContent('#moderation h2'), /Disqualified/);
	assert.equal((await p.textContent('#moderation-reason')).replace(/^Reason:\s*/, ''), DQ_REASON);
	await shot(p, 'admin-test-disqualified');
});

await step('no script errors on any page', async () => {
	assert.deepEqual(pageErrors, []);
});

await browser.close();
finish();
