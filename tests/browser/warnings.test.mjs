/*
 * Browser test of the validator's warnings on the pages: a BYOD file with
 * warnings uploaded on the submit page is accepted and the page lists its
 * warnings (count, item and path, message, "the submission was
 * accepted"); the submission page has them as a collapsible list; a file
 * with an error and the same warnings shows both; a file without warnings
 * shows none.  The messages on the page are the API's, as text.  Prints
 * "ok N - …" / "not ok N - …" per step and exits non-zero when one failed.
 *
 * Environment:
 *   DO_URL         base URL of the daemon (http://127.0.0.1:PORT)     required
 *   DO_EMAIL       a participant whose team no other test uses        required
 *   DO_PASSWORD    the participant's password                         required
 *   DO_BYOD_TRACK  an open BYOD track                                 required
 *   DO_WARN_FILE   a valid BYOD file with exactly 2 warnings, on
 *                  items 6 and 8                                      required
 *   DO_WARN_BAD_FILE  the same with one error as well                 required
 *   DO_BYOD_EXAMPLE   a BYOD file without warnings                    required
 *   DO_SHOTS       a directory: save a screenshot of every page there
 *   CHROMIUM       the browser binary (default /usr/bin/chromium)
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { finish, openPersistent, pageErrors, requireEnv,
	shot as shotTo, step, watchdog } from './harness.mjs';

const env = process.env;
const cfg = {
	url: (env.DO_URL || '').replace(/\/$/, ''),
	email: env.DO_EMAIL,
	password: env.DO_PASSWORD,
	track: env.DO_BYOD_TRACK,
	warn: env.DO_WARN_FILE,
	warnBad: env.DO_WARN_BAD_FILE,
	clean: env.DO_BYOD_EXAMPLE,
	shots: env.DO_SHOTS || '',
	chromium: env.CHROMIUM || '/usr/bin/chromium',
};
requireEnv({ DO_URL: cfg.url, DO_EMAIL: cfg.email, DO_PASSWORD: cfg.password,
	DO_BYOD_TRACK: cfg.track, DO_WARN_FILE: cfg.warn,
	DO_WARN_BAD_FILE: cfg.warnBad, DO_BYOD_EXAMPLE: cfg.clean });

const shot = (page, name) => shotTo(cfg.shots, page, name);
const PATHS = ['[6].conversations[0].value', '[8].conversations[0].value'];

watchdog(120);

const { page, close: closeBrowser } = await openPersistent(cfg.chromium, { width: 1280, height: 860 });

/* Upload file on the submit page; the POST's response. */
async function upload(file, method) {
	await page.goto(`${cfg.url}/submit`);
	await page.locator(`#track option[value="${cfg.track}"]`).waitFor({ state: 'attached' });
	await page.selectOption('#track', cfg.track);
	await page.setInputFiles('#file', file);
	await page.fill('#method_name', method);
	const [res] = await Promise.all([
		page.waitForResponse((r) => r.url().endsWith('/api/v1/submissions') && r.request().method() === 'POST'),
		page.click('#submit-btn'),
	]);
	await page.locator('#result:not([hidden])').waitFor();
	return res;
}

/* The rows of the warning list under root: [{where, what}]. */
async function rows(root) {
	return page.locator(`${root} #warning-list li`).evaluateAll((ls) => ls.map((li) => ({
		where: li.querySelector('.where').textContent,
		what: li.querySelector('.what').textContent,
	})));
}

let warned = null;	/* the 201's submission with warnings */

const loggedIn = await step('log in as the participant', async () => {
	await page.goto(`${cfg.url}/login?next=/submit`);
	await page.fill('#email', cfg.email);
	await page.fill('#password', cfg.password);
	await Promise.all([page.waitForURL(/\/submit(\?|$)/), page.click('#login-btn')]);
	await page.locator('[data-testid="nav-who"]').waitFor();
});

await step('a BYOD file with warnings: accepted, and the submit page lists its 2 warnings', async () => {
	assert.ok(loggedIn, 'logged in');
	const res = await upload(cfg.warn, 'with warnings');
	assert.equal(res.status(), 201, `POST answered ${res.status()}: ${await res.text()}`);
	warned = (await res.json()).submission;
	assert.equal(warned.n_warnings, 2, 'n_warnings in the 201');
	await page.locator('#result.success #result-warnings').waitFor();
	assert.equal((await page.textContent('#result-warnings #warning-count')).trim(), '2 warnings');
	assert.match(await page.textContent('#result-warnings'),
	    /The submission was accepted; these items may train poorly:/);
	const seen = await rows('#result-warnings');
	assert.deepEqual(seen.map((r) => r.where), [`Item 6 · ${PATHS[0]}`, `Item 8 · ${PATHS[1]}`],
	    'item and path of each');
	assert.deepEqual(seen.map((r) => r.what), warned.warnings.map((w) => w.message),
	    'the API\'s messages, as text');
	assert.match(seen[0].what, /appears 2 times/);
	assert.match(seen[1].what, /2048 tokens/);
	await shot(page, 'submit-warnings');
});

await step('the submission page shows the warnings as a collapsible list with the count', async () => {
	assert.ok(warned, 'a submission with warnings was made');
	await page.click('#result-link');
	await page.waitForURL(/\/submission\?id=/);
	const box = page.locator('#warnings-details');
	await box.waitFor();
	assert.equal((await page.textContent('#warnings-details > summary')).trim(), '2 warnings');
	assert.equal(await box.evaluate((d) => d.open), false, 'collapsed at first');
	assert.equal(await page.locator('#warnings-details #warning-list').isVisible(), false,
	    'the list is hidden while collapsed');
	await page.click('#warnings-details > summary');
	await page.locator('#warnings-details #warning-list').waitFor();
	assert.match(await page.textContent('#warnings-details'), /The submission was accepted; these items may train poorly:/);
	const seen = await rows('#warnings-details');
	assert.deepEqual(seen.map((r) => r.where), [`Item 6 · ${PATHS[0]}`, `Item 8 · ${PATHS[1]}`]);
	assert.deepEqual(seen.map((r) => r.what), warned.warnings.map((w) => w.message));
	/* the page polls while the job is queued: an opened list stays open */
	await page.waitForTimeout(2500);
	assert.equal(await box.evaluate((d) => d.open), true, 'still open after a poll');
	await shot(page, 'submission-warnings');
});

await step('a file with an error and warnings: rejected, the page shows the error and the warnings', async () => {
	assert.ok(loggedIn, 'logged in');
	const res = await upload(cfg.warnBad, 'error and warnings');
	assert.equal(res.status(), 422, `POST answered ${res.status()}`);
	await page.locator('#result.error #error-list li').first().waitFor();
	assert.equal(await page.locator('#error-list li').count(), 1, 'one error');
	assert.match(await page.textContent('#error-total'), /1 error\b/);
	assert.equal((await page.textContent('#result-warnings #warning-count')).trim(), '2 warnings');
	assert.match(await page.textContent('#result-warnings'), /would not reject it/);
	const seen = await rows('#result-warnings');
	assert.deepEqual(seen.map((r) => r.where), [`Item 6 · ${PATHS[0]}`, `Item 8 · ${PATHS[1]}`]);
	await shot(page, 'submit-error-warnings');
});

await step('a file without warnings: accepted, no warnings on either page', async () => {
	assert.ok(loggedIn, 'logged in');
	const res = await upload(cfg.clean, 'no warnings');
	assert.equal(res.status(), 201, `POST answered ${res.status()}`);
	const s = (await res.json()).submission;
	assert.equal(s.n_warnings, 0);
	await page.locator('#result.success').waitFor();
	assert.equal(await page.locator('#result-warnings').count(), 0, 'no warnings block');
	await page.goto(`${cfg.url}/submission?id=${encodeURIComponent(s.id)}`);
	await page.locator('#sub-view:not([hidden])').waitFor();
	await page.locator('#composition h3').waitFor();
	assert.equal(await page.locator('#warnings-details').count(), 0, 'no warnings list');
	assert.equal(await page.locator('#warnings').isHidden(), true, 'the warnings box is hidden');
});

await step('the submissions list shows the count of warnings of the one that has them', async () => {
	assert.ok(warned, 'a submission with warnings was made');
	await page.goto(`${cfg.url}/submissions`);
	const link = page.locator(`a.method[href="/submission?id=${encodeURIComponent(warned.id)}"]`);
	await link.waitFor();
	const row = page.locator('tr', { has: link });
	assert.equal((await row.locator('.warn-count').textContent()).trim(), '· 2 warnings');
	assert.equal(await page.locator('.warn-count').count(), 1, 'only that row has a count');
});

await step('no script errors on any page', async () => {
	assert.deepEqual(pageErrors, []);
});

await closeBrowser();
finish();
