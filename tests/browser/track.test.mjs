/*
 * Browser test of a track's page and of the leaderboard's track parts
 *, in Debian's headless Chromium under TZ=America/New_York,
 * driven by playwright-core against a running dataoptimd:
 *   - the organizer's overview and rules are shown as plain text: one <p>
 *     per paragraph, a link only for the https URL (not for javascript:),
 *     a <script> shown literally and never run;
 *   - the timeline shows each time as "… UTC" with the New York time
 *     beside it ("EST"/"EDT"), passed and coming events around "Now";
 *   - the leaderboard selects the track from /?track=, links the track's
 *     page, shows the freeze line while frozen (a result scored after the
 *     freeze stays off), the method's link and its description;
 *   - at 390 px wide, / and /submissions do not scroll sideways and the
 *     score column comes first;
 *   - the admin Tracks page, under New York time, shows and saves UTC.
 *
 * Environment:
 *   DO_URL            base URL of the daemon                          required
 *   DO_EMAIL, DO_PASSWORD              a participant                  required
 *   DO_ADMIN_EMAIL, DO_ADMIN_PASSWORD  an organizer                   required
 *   DO_ADMIN_TOKEN    an API token of the organizer                   required
 *   DO_PARTICIPANT_TOKEN  an API token of the participant             required
 *   DO_WORKER_TOKEN   a worker token                                  required
 *   DO_PAGE_TRACK     an open standard track no other test uses       required
 *   DO_EXAMPLE        a valid standard submission                     required
 *   DO_SHOTS          a directory: save a screenshot of every page there
 *   CHROMIUM          the browser binary (default /usr/bin/chromium)
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { apiCall, finish, launchChromium, openPage, pageErrors, requireEnv,
	shot as shotTo, step, watchdog } from './harness.mjs';

const env = process.env;
const cfg = {
	url: (env.DO_URL || '').replace(/\/$/, ''),
	email: env.DO_EMAIL,
	password: env.DO_PASSWORD,
	adminEmail: env.DO_ADMIN_EMAIL,
	adminPassword: env.DO_ADMIN_PASSWORD,
	adminToken: env.DO_ADMIN_TOKEN,
	token: env.DO_PARTICIPANT_TOKEN,
	workerToken: env.DO_WORKER_TOKEN,
	track: env.DO_PAGE_TRACK,
	example: env.DO_EXAMPLE,
	shots: env.DO_SHOTS || '',
	chromium: env.CHROMIUM || '/usr/bin/chromium',
};
requireEnv({ DO_URL: cfg.url, DO_EMAIL: cfg.email, DO_PASSWORD: cfg.password,
	DO_ADMIN_EMAIL: cfg.adminEmail, DO_ADMIN_PASSWORD: cfg.adminPassword, DO_ADMIN_TOKEN: cfg.adminToken,
	DO_PARTICIPANT_TOKEN: cfg.token, DO_WORKER_TOKEN: cfg.workerToken, DO_PAGE_TRACK: cfg.track,
	DO_EXAMPLE: cfg.example });

const TZ = 'America/New_York';
const OVERVIEW = 'Pick the best 1000 samples.\nLine two of the first paragraph.\n\n' +
    'Details: https://example.org/rules?x=1 and javascript:window.__xss=1 too.\n\n' +
    '<script>window.__xss = 1</script> is shown as text.';
const RULES = 'One account per person.\n\nNo hand labelling of the validation set.';
const TIMES = {
	opens_at: ['2026-01-05T15:00:00Z', '2026-01-05 15:00 UTC (10:00 EST)'],
	teams_lock_at: ['2099-07-01T16:00:00Z', '2099-07-01 16:00 UTC (12:00 EDT)'],
	closes_at: ['2099-12-31T12:00:00Z', '2099-12-31 12:00 UTC (07:00 EST)'],
};
const METHOD_URL = 'https://example.org/method';
const DESCRIPTION = 'Picks the <b>hard</b> samples first';

const shot = (page, name) => shotTo(cfg.shots, page, name);
const call = (token, method, p, body, contentType) => apiCall(cfg.url, token, method, p, body, contentType);
const q = encodeURIComponent(cfg.track);

watchdog(180);

const browser = await launchChromium(cfg.chromium, { ...process.env, TZ });

const person = (viewport) => openPage(browser, viewport || { width: 1280, height: 860 });

async function login(page, email, password, next) {
	await page.goto(`${cfg.url}/login?next=${encodeURIComponent(next)}`);
	await page.fill('#email', email);
	await page.fill('#password', password);
	await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('#login-btn')]);
	await page.locator('[data-testid="nav-who"]').waitFor();
}

const lines = fs.readFileSync(cfg.example, 'utf8').split(/\r?\n/).map((s) => s.trim()).filter(Boolean);

/* Submit through the API and play the worker until it is scored; any
 * other queued job is failed (fault: system). */
async function scored(method, extra, ids) {
	const args = new URLSearchParams({ track: cfg.track, method_name: method, ...extra });
	const r = await call(cfg.token, 'POST', `/api/v1/submissions?${args}`, (ids || lines).join('\n') + '\n', 'text/plain');
	assert.equal(r.status, 201, `POST /api/v1/submissions answered ${r.status}: ${r.text}`);
	const id = r.json.submission.id;
	assert.equal(r.json.submission.reused, false, 'a new set: scored by the worker, not reused');
	for (let i = 0; i < 10; i++) {
		const c = await call(cfg.workerToken, 'POST', '/api/v1/worker/claim', { worker: 'track-test-worker' });
		assert.equal(c.status, 200, `claim answered ${c.status}: ${c.text}`);
		const job = c.json.job;
		const ours = job.submission && job.submission.id === id;
		const res = await call(cfg.workerToken, 'POST', `/api/v1/worker/jobs/${job.id}/result`, ours
		    ? { attempt: job.attempt, status: 'succeeded', scores: { overall: 0.5, alpha: 0.25 } }
		    : { attempt: job.attempt, status: 'failed', error: 'track test: not this one', fault: 'system' });
		assert.equal(res.status, 200, `result answered ${res.status}: ${res.text}`);
		if (ours)
			return id;
	}
	throw new Error('our job was never claimed');
}

let entryId = null;
await step('the organizer sets the track\'s title, overview, rules and times; an entry is scored and the board frozen after it', async () => {
	const r = await call(cfg.adminToken, 'PATCH', `/api/v1/admin/tracks/${q}`, {
		title: 'Page test track', overview: OVERVIEW, rules: RULES,
		opens_at: TIMES.opens_at[0], teams_lock_at: TIMES.teams_lock_at[0], closes_at: TIMES.closes_at[0],
	});
	assert.equal(r.status, 200, `PATCH answered ${r.status}: ${r.text}`);
	entryId = await scored('Linked method', { url: METHOD_URL, description: DESCRIPTION });
	const lb = await (await fetch(`${cfg.url}/api/v1/leaderboard?track=${q}`)).json();
	const e = lb.entries.find((x) => x.submission_id === entryId);
	assert.ok(e, 'the entry is on the board');
	/* freeze one second after it was scored, then wait for the freeze */
	const freeze = new Date(Date.parse(e.scored_at) + 1000).toISOString().replace(/\.\d+Z$/, 'Z');
	const f = await call(cfg.adminToken, 'PATCH', `/api/v1/admin/tracks/${q}`, { freeze_at: freeze });
	assert.equal(f.status, 200, `PATCH freeze_at answered ${f.status}: ${f.text}`);
	while (Date.now() < Date.parse(freeze) + 100)
		await new Promise((res) => setTimeout(res, 200));
	await scored('After the freeze', {}, lines.slice(1));
	const t = await (await fetch(`${cfg.url}/api/v1/tracks/${q}`)).json();
	assert.equal(t.track.frozen, true, 'the track answers frozen');
});

const anon = await person();

await step(`the browser runs in ${TZ}`, async () => {
	await anon.page.goto(`${cfg.url}/track?slug=${q}`);
	assert.equal(await anon.page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone), TZ);
});

await step('the track page shows the title and the overview as plain-text paragraphs', async () => {
	const { page } = anon;
	await page.locator('#track-view:not([hidden])').waitFor();
	await shot(page, 'track-page');
	assert.equal(await page.textContent('#track-title'), 'Page test track');
	const paras = await page.$$eval('#overview > p', (ps) => ps.map((p) => p.textContent));
	assert.equal(paras.length, 3, `three paragraphs, got ${JSON.stringify(paras)}`);
	assert.equal(await page.locator('#overview > p').first().locator('br').count(), 1, 'a single newline is a <br>');
	assert.equal(paras[0], 'Pick the best 1000 samples.Line two of the first paragraph.');
	const rules = await page.$$eval('#rules > p', (ps) => ps.map((p) => p.textContent));
	assert.deepEqual(rules, ['One account per person.', 'No hand labelling of the validation set.']);
});

await step('only the https URL is a link (rel noopener nofollow); javascript: and <script> stay text and never run', async () => {
	const { page } = anon;
	const links = await page.$$eval('#overview a', (as) => as.map((a) => [a.getAttribute('href'), a.getAttribute('rel'), a.textContent]));
	assert.deepEqual(links, [['https://example.org/rules?x=1', 'noopener nofollow', 'https://example.org/rules?x=1']]);
	const text = await page.textContent('#overview');
	assert.ok(text.includes('javascript:window.__xss=1'), 'the javascript: text is shown');
	assert.ok(text.includes('<script>window.__xss = 1</script> is shown as text.'), 'the <script> is shown literally');
	assert.equal(await page.locator('#overview script').count(), 0, 'no script element was made');
	assert.equal(await page.evaluate(() => window.__xss), undefined, 'nothing ran');
});

await step('the timeline shows each time in UTC with the New York time beside it, passed and coming around "Now"', async () => {
	const { page } = anon;
	for (const [k, [, want]] of Object.entries(TIMES))
		assert.equal(await page.textContent(`#timeline [data-event="${k}"] .tl-time`), want, k);
	const freeze = await page.textContent('#timeline [data-event="freeze_at"] .tl-time');
	assert.match(freeze, /^\d{4}-\d\d-\d\d \d\d:\d\d UTC \((\d{4}-\d\d-\d\d )?\d\d:\d\d E[SD]T\)$/, 'the freeze time too');
	const order = await page.$$eval('#timeline > li', (lis) => lis.map((li) => `${li.dataset.event}:${li.className}`));
	assert.deepEqual(order, ['opens_at:tl-past', 'freeze_at:tl-past', 'now:tl-now', 'teams_lock_at:tl-future', 'closes_at:tl-future']);
	assert.match(await page.textContent('#timeline [data-event="now"]'), /UTC \(.*E[SD]T\)/);
	assert.equal(await page.textContent('#timeline [data-event="opens_at"] .tl-state'), 'passed');
	assert.equal(await page.textContent('#timeline [data-event="closes_at"] .tl-state'), 'to come');
});

await step('/?track= selects the track\'s tab; the panel links the track page', async () => {
	const { page } = anon;
	await page.goto(`${cfg.url}/?track=${q}`);
	await page.locator(`#tabs [data-track="${cfg.track}"][aria-selected="true"]`).waitFor();
	await page.locator('#lb-table tbody tr').first().waitFor();
	await shot(page, 'track-leaderboard');
	const href = await page.getAttribute('#track-info a.track-page-link', 'href');
	assert.equal(href, `/track?slug=${q}`);
});

await step('the frozen board says since when (UTC and New York) and keeps the later result off', async () => {
	const { page } = anon;
	const line = await page.textContent('#lb-freeze');
	assert.match(line, /^Frozen since \d{4}-\d\d-\d\d \d\d:\d\d UTC \((\d{4}-\d\d-\d\d )?\d\d:\d\d E[SD]T\): results scored after then/);
	assert.ok(await page.isVisible('#lb-freeze'), 'the freeze line is visible');
	const methods = await page.$$eval('#lb-table tbody tr', (trs) => trs.map((tr) => tr.dataset.submission));
	assert.deepEqual(methods, [entryId], 'only the entry scored before the freeze');
});

await step('the method links its url and shows its description on hover and in a <details>', async () => {
	const { page } = anon;
	const a = page.locator('#lb-table tbody tr a.method-link');
	assert.equal(await a.getAttribute('href'), METHOD_URL);
	assert.equal(await a.getAttribute('rel'), 'noopener nofollow');
	assert.equal(await a.textContent(), 'Linked method');
	const cell = page.locator('#lb-table tbody td.method-cell');
	assert.equal(await cell.getAttribute('title'), DESCRIPTION);
	assert.equal(await page.isVisible('#lb-table .method-desc p'), false, 'closed at first');
	await page.click('#lb-table .method-desc summary');
	assert.equal(await page.textContent('#lb-table .method-desc p'), DESCRIPTION, 'the description, as text');
	assert.equal(await page.locator('#lb-table .method-desc b').count(), 0, 'its markup stays text');
});

/* a mangled link (#track=%E0, not UTF-8) must not
 * leave a blank board and an uncaught URIError */
await step('a malformed #track= in the link still shows a board, with no script error', async () => {
	const { page } = anon;
	const before = pageErrors.length;
	await page.goto(`${cfg.url}/?track=${q}#track=%E0%A4`);
	await page.locator('#lb-panel:not([hidden])').waitFor();
	assert.equal(await page.locator('#tabs [aria-selected="true"]').count(), 1, 'a tab is selected');
	assert.deepEqual(pageErrors.slice(before), [], 'no script error');
});

const phone = await person({ width: 390, height: 844 });
const overflow = (page) => page.evaluate(() => document.scrollingElement.scrollWidth);

await step('at 390 px the leaderboard has the score column first and no sideways page scroll', async () => {
	const { page } = phone;
	await page.goto(`${cfg.url}/?track=${q}`);
	await page.locator('#lb-table tbody tr').first().waitFor();
	await shot(page, 'track-leaderboard-390');
	assert.equal(await page.getAttribute('#lb-table thead th:first-child', 'data-key'), 'score:overall');
	assert.equal(await page.textContent('#lb-table tbody tr:first-child td:first-child'), '0.5000');
	const w = await overflow(page);
	assert.ok(w <= 390, `the page is ${w} px wide`);
});

await step('at 390 px My submissions has the score column first and no sideways page scroll', async () => {
	const { page } = phone;
	await login(page, cfg.email, cfg.password, '/submissions');
	await page.locator('#subs-table tbody tr.sub-row').first().waitFor();
	await shot(page, 'submissions-390');
	assert.equal(await page.getAttribute('#subs-table thead th:first-child', 'data-col'), 'overall');
	assert.equal(await page.getAttribute('#subs-table tbody tr.sub-row:first-child td:first-child', 'class'), 'num overall');
	const w = await overflow(page);
	const wide = await page.evaluate(() => [...document.querySelectorAll('body *')]
		.filter((e) => e.getBoundingClientRect().right > 390 && (!e.closest('.table-wrap') || getComputedStyle(e).position !== 'static'))
		.map((e) => `${e.tagName}.${e.className}#${e.id}:${Math.round(e.getBoundingClientRect().right)}:${getComputedStyle(e).position}`).slice(0, 8));
	assert.ok(w <= 390, `the page is ${w} px wide (${wide.join(', ')})`);
});

const admin = await person();

await step('the admin Tracks page under New York time shows UTC in its form and saves what is typed as UTC', async () => {
	const { page } = admin;
	await login(page, cfg.adminEmail, cfg.adminPassword, '/admin/tracks');
	const row = page.locator(`#tracks-table tr[data-track="${cfg.track}"]`);
	await row.waitFor();
	assert.match(await page.textContent('#main .lead'), /Times are UTC/);
	assert.ok((await row.textContent()).includes('from 2026-01-05 15:00 UTC (10:00 EST)'), 'the table shows UTC with the local time');
	await row.locator('.edit-btn').click();
	assert.equal(await page.inputValue('#f-opens_at'), '2026-01-05T15:00', 'the form holds UTC, not New York time');
	assert.equal(await page.inputValue('#f-teams_lock_at'), '2099-07-01T16:00');
	assert.equal(await page.inputValue('#f-overview'), OVERVIEW, 'the overview is in its textarea');
	await page.fill('#f-teams_lock_at', '2027-01-10T12:00');
	await page.fill('#f-title', 'Page test track, edited');
	await page.click('#track-save');
	await page.locator('#tracks-notice.success').waitFor();
	const r = await call(cfg.adminToken, 'GET', `/api/v1/admin/tracks/${q}`);
	assert.equal(r.json.track.teams_lock_at, '2027-01-10T12:00:00Z');
	assert.equal(r.json.track.title, 'Page test track, edited');
	assert.equal(r.json.track.overview, OVERVIEW, 'the overview was kept');
	assert.equal(r.json.track.opens_at, TIMES.opens_at[0], 'the other times were kept');
	assert.ok((await row.textContent()).includes('teams lock 2027-01-10 12:00 UTC (07:00 EST)'));
	await shot(page, 'admin-tracks-ny');
});

await step('no script errors on the pages', async () => {
	assert.deepEqual(pageErrors, []);
});

await browser.close();
finish();
