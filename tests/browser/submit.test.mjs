/*
 * Browser test of the DataOptim pages: Debian's headless Chromium driven by
 * playwright-core against a running dataoptimd.  Prints "ok N - …" or
 * "not ok N - …" per step and exits non-zero when a step failed.
 *
 * Environment:
 *   DO_URL        base URL of the daemon (http://127.0.0.1:PORT)      required
 *   DO_EMAIL      participant's email                                  required
 *   DO_PASSWORD   participant's password                               required
 *   DO_TRACK      slug of an open standard track                       required
 *   DO_EXAMPLE    a valid standard submission (example-standard.txt)   required
 *   DO_WORKER_TOKEN  a worker token: when set, the test also plays the
 *                 worker (claim, heartbeat, result) and checks that the
 *                 pages follow the job live and the leaderboard ranks it
 *   DO_QUOTA_TRACK   a standard track allowing one submission a day:
 *                 the second upload must show the 429 and when to retry;
 *                 the first is then cancelled from my submissions
 *   DO_CLOSED_TRACK  a closed standard track: the upload shows the 409
 *   DO_MAX_UPLOAD_MB  the daemon's upload limit: a bigger file dropped on
 *                 the form must show the 413 message
 *   DO_SHOTS      a directory: save a screenshot of every page there
 *   CHROMIUM      the browser binary (default /usr/bin/chromium)
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { apiCall, finish, openPersistent, pageErrors, requireEnv,
	shot as shotTo, step, watchPage, watchdog } from './harness.mjs';

const env = process.env;
const cfg = {
	url: (env.DO_URL || '').replace(/\/$/, ''),
	email: env.DO_EMAIL,
	password: env.DO_PASSWORD,
	track: env.DO_TRACK,
	example: env.DO_EXAMPLE,
	workerToken: env.DO_WORKER_TOKEN || '',
	quotaTrack: env.DO_QUOTA_TRACK || '',
	closedTrack: env.DO_CLOSED_TRACK || '',
	maxUploadMb: Number(env.DO_MAX_UPLOAD_MB || 0),
	shots: env.DO_SHOTS || '',
	chromium: env.CHROMIUM || '/usr/bin/chromium',
};
requireEnv({ DO_URL: cfg.url, DO_EMAIL: cfg.email, DO_PASSWORD: cfg.password,
	DO_TRACK: cfg.track, DO_EXAMPLE: cfg.example });

const shot = (page, name) => shotTo(cfg.shots, page, name);

/* A worker's call to the API, with the worker token. */
const workerCall = (method, p, body) => apiCall(cfg.url, cfg.workerToken, method, p, body);

watchdog(180);

const { ctx, page, close: closeBrowser } = await openPersistent(cfg.chromium, { width: 1280, height: 860 });
page.on('dialog', (d) => d.accept());

const methodName = `Example list <img src=x onerror="window.__xss=1"> & "quotes"`;
const exampleLines = fs.readFileSync(cfg.example, 'utf8').split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
let subId = null;
let jobId = null;
let tracks = [];

await step('leaderboard page shows a tab per track and the logged-out nav', async () => {
	const res = await fetch(`${cfg.url}/api/v1/tracks`);
	assert.equal(res.status, 200, 'GET /api/v1/tracks');
	tracks = (await res.json()).tracks;
	assert.ok(tracks.some((t) => t.slug === cfg.track), `track ${cfg.track} in /api/v1/tracks`);
	await page.goto(`${cfg.url}/`);
	await page.locator('#tabs [role="tab"]').first().waitFor();
	const tabs = await page.locator('#tabs [role="tab"]').evaluateAll((ns) => ns.map((x) => x.dataset.track));
	assert.deepEqual(tabs, tracks.map((t) => t.slug), 'one tab per track, in order');
	await page.locator('#login-link').waitFor();
	await shot(page, 'leaderboard-empty');
});

await step('the submit page asks a logged-out visitor to log in', async () => {
	await page.goto(`${cfg.url}/submit`);
	await page.locator('#submit-login').waitFor();
	assert.equal(await page.locator('#submit-btn').isDisabled(), true, 'submit button disabled');
});

await step('a wrong password shows an error and stays on the login page', async () => {
	await page.goto(`${cfg.url}/login?next=/submit`);
	await page.fill('#email', cfg.email);
	await page.fill('#password', `${cfg.password}-wrong`);
	await page.click('#login-btn');
	await page.locator('#login-notice.error').waitFor();
	assert.match(await page.textContent('#login-notice'), /\S/, 'error text');
	assert.match(page.url(), /\/login/);
	await shot(page, 'login-error');
});

const loggedIn = await step('logging in goes to the next page and the nav shows the user', async () => {
	await page.fill('#email', cfg.email);
	await page.fill('#password', cfg.password);
	await Promise.all([page.waitForURL(/\/submit(\?|$)/), page.click('#login-btn')]);
	const who = page.locator('[data-testid="nav-who"]');
	await who.waitFor();
	assert.ok((await who.textContent()).includes(cfg.email), 'email in the nav');
	const cookies = await ctx.cookies(cfg.url);
	assert.ok(cookies.some((c) => c.httpOnly), 'an HttpOnly session cookie');
});

await step('uploading example-standard.txt through the picker shows the progress bar and the new submission', async () => {
	assert.ok(loggedIn, 'logged in');
	await page.goto(`${cfg.url}/submit`);
	await page.locator(`#track option[value="${cfg.track}"]`).waitFor({ state: 'attached' });
	await page.selectOption('#track', cfg.track);
	await page.setInputFiles('#file', cfg.example);
	assert.match(await page.textContent('#file-chosen'), /example-standard\.txt/);
	await page.fill('#method_name', methodName);
	await page.fill('#description', 'Uploaded by the browser test.');
	await page.fill('#url', 'https://example.org/method');
	assert.equal(await page.locator('#progress-wrap').isHidden(), true, 'no progress bar before the upload');
	/* record every value the progress bar takes */
	await page.evaluate(() => {
		window.__progress = [];
		const bar = document.getElementById('progress');
		new MutationObserver(() => window.__progress.push(Number(bar.value)))
		    .observe(bar, { attributes: true, attributeFilter: ['value', 'aria-valuenow'] });
	});
	const [res] = await Promise.all([
		page.waitForResponse((r) => r.url().endsWith('/api/v1/submissions') && r.request().method() === 'POST'),
		page.click('#submit-btn'),
	]);
	assert.equal(res.status(), 201, `POST /api/v1/submissions answered ${res.status()}: ${await res.text()}`);
	await page.locator('#result.success').waitFor();
	assert.equal(await page.locator('#progress-wrap').isVisible(), true, 'progress bar visible');
	assert.equal(await page.locator('#progress').evaluate((b) => b.value), 100, 'progress at 100%');
	const seen = await page.evaluate(() => window.__progress);
	assert.ok(seen.length > 0 && seen[seen.length - 1] === 100, `progress values ${JSON.stringify(seen)}`);
	subId = (await page.textContent('#result-id')).trim();
	assert.ok(subId && subId !== '—', 'submission id shown');
	const body = await res.json();
	assert.equal(body.submission.id, subId);
	assert.equal(body.submission.n_samples, exampleLines.length, 'n_samples');
	jobId = body.submission.job && body.submission.job.id;
	assert.equal(await page.getAttribute('#result-link', 'href'), `/submission?id=${encodeURIComponent(subId)}`);
	await shot(page, 'submit-success');
});

await step('the new submission is listed on my submissions, its name shown as text', async () => {
	assert.ok(subId, 'a submission was made');
	await page.goto(`${cfg.url}/submissions`);
	const row = page.locator(`#subs-table tr[data-id="${subId}"]`);
	await row.waitFor();
	assert.equal((await row.locator('a.method').textContent()), methodName, 'method name verbatim');
	assert.match(await row.locator('td.status').textContent(), /queued|running|succeeded|reused/);
	assert.equal(await page.evaluate(() => window.__xss), undefined, 'no script injection');
	await row.locator('.details-btn').click();
	await page.locator(`#details-${subId} pre.log`).waitFor();
	await shot(page, 'submissions');
});

await step('the submission page shows the submission and its job', async () => {
	assert.ok(subId, 'a submission was made');
	await page.goto(`${cfg.url}/submission?id=${encodeURIComponent(subId)}`);
	await page.locator('#sub-view').waitFor();
	assert.equal((await page.textContent('#sub-id')).trim(), subId);
	assert.equal(await page.textContent('#sub-title'), methodName);
	const props = await page.textContent('#sub-props');
	assert.ok(props.includes(String(exampleLines.length)), 'sample count shown');
	assert.ok(props.includes(cfg.track), 'track shown');
	if (jobId)
		assert.ok((await page.textContent('#job-props')).includes(jobId), 'job id shown');
	await shot(page, 'submission');
});

await step('a bad file dropped on the form lists its errors with line numbers', async () => {
	assert.ok(loggedIn, 'logged in');
	await page.goto(`${cfg.url}/submit`);
	await page.locator(`#track option[value="${cfg.track}"]`).waitFor({ state: 'attached' });
	await page.selectOption('#track', cfg.track);
	/* line 1 fine, 2 unknown, 3 a duplicate of line 1, 4 blank, 5 unknown */
	const bad = `${exampleLines[0]}\nno_such_sample_424242\n${exampleLines[0]}\n\nnot an id at all\n`;
	await page.evaluate((text) => {
		const dt = new DataTransfer();
		dt.items.add(new File([text], 'bad-ids.txt', { type: 'text/plain' }));
		const zone = document.getElementById('dropzone');
		for (const type of ['dragenter', 'dragover', 'drop'])
			zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
	}, bad);
	assert.match(await page.textContent('#file-chosen'), /bad-ids\.txt/, 'dropped file taken');
	await page.fill('#method_name', 'bad file');
	const [res] = await Promise.all([
		page.waitForResponse((r) => r.url().endsWith('/api/v1/submissions') && r.request().method() === 'POST'),
		page.click('#submit-btn'),
	]);
	assert.equal(res.status(), 422, `POST answered ${res.status()}`);
	await page.locator('#error-list li').first().waitFor();
	const where = await page.locator('#error-list .where').allTextContents();
	for (const line of [2, 3, 5])
		assert.ok(where.some((w) => w.includes(`Line ${line}`)), `an error on line ${line} in ${JSON.stringify(where)}`);
	assert.ok(!where.some((w) => /^Line [14]\b/.test(w)), `no error on lines 1 or 4: ${JSON.stringify(where)}`);
	assert.match(await page.textContent('#error-total'), /3 errors/, 'total shown');
	await shot(page, 'submit-errors');
});

if (cfg.workerToken) {
	let claimed = null;
	await step('as the worker claims and runs the job, my submissions follow it live', async () => {
		assert.ok(subId, 'a submission was made');
		await page.goto(`${cfg.url}/submissions`);
		const row = page.locator(`#subs-table tr[data-id="${subId}"]`);
		await row.waitFor();
		const c = await workerCall('POST', '/api/v1/worker/claim', {});
		assert.equal(c.status, 200, `claim answered ${c.status}: ${c.text}`);
		claimed = c.json.job || c.json;
		assert.equal(claimed.id, jobId, 'the claimed job is ours');
		const attempt = claimed.attempt;
		const hb = await workerCall('POST', `/api/v1/worker/jobs/${claimed.id}/heartbeat`,
		    { attempt, stage: 'train', progress: 0.5, log: 'browser-test: training step 1\n',
			train: { step: 3, steps: 10, loss: [[1, 2.5], [2, null], [3, 1.25]] } });
		assert.equal(hb.status, 200, `heartbeat answered ${hb.status}: ${hb.text}`);
		await row.locator('td.status', { hasText: 'running' }).waitFor();
		await row.locator('td.stage-cell', { hasText: 'train' }).waitFor();
		const scores = { overall: 0.5, alpha: 0.75, beta: 0.25 };
		const r = await workerCall('POST', `/api/v1/worker/jobs/${claimed.id}/result`,
		    { attempt, status: 'succeeded', scores });
		assert.ok(r.status === 200 || r.status === 204, `result answered ${r.status}: ${r.text}`);
		await row.locator('td.status', { hasText: 'succeeded' }).waitFor();
		assert.equal((await row.locator('td.overall').textContent()).trim(), '0.5000');
		await shot(page, 'submissions-scored');
	});

	await step('the submission page draws the job\'s loss curve, its numbers in words', async () => {
		assert.ok(claimed, 'the job ran');
		await page.goto(`${cfg.url}/submission?id=${encodeURIComponent(subId)}`);
		const chart = page.locator('#loss svg[data-chart="loss"]');
		await chart.waitFor();
		assert.match(await chart.locator('title').textContent(), /Training loss by step, attempt 1: 1\.250 at step 3/);
		const desc = await chart.locator('desc').textContent();
		assert.ok(desc.includes('first step 1: 2.500') && desc.includes('1 point not a number'), desc);
		assert.equal(await chart.locator('path.line').count(), 1, 'one line');
		assert.equal(await chart.locator('line.gap').count(), 1, 'the nan step marked');
		assert.match(await page.textContent('#job-props'), /step 3 of 10/);
		await shot(page, 'submission-loss');
	});
}

/* Fill the submit form with the example file and send it; the response. */
async function uploadExample(track, method) {
	await page.goto(`${cfg.url}/submit`);
	await page.locator(`#track option[value="${track}"]`).waitFor({ state: 'attached' });
	await page.selectOption('#track', track);
	await page.setInputFiles('#file', cfg.example);
	await page.fill('#method_name', method);
	const [res] = await Promise.all([
		page.waitForResponse((r) => r.url().endsWith('/api/v1/submissions') && r.request().method() === 'POST'),
		page.click('#submit-btn'),
	]);
	await page.locator('#result:not([hidden])').waitFor();
	return res;
}

if (cfg.closedTrack) {
	/* the page says so before any upload (the server's 409 is
	 * tested in tests/scenario/server_api.sh) */
	await step('a closed track: the submit button is disabled, the reason beside it', async () => {
		await page.goto(`${cfg.url}/submit`);
		await page.locator(`#track option[value="${cfg.closedTrack}"]`).waitFor({ state: 'attached' });
		await page.selectOption('#track', cfg.closedTrack);
		await page.setInputFiles('#file', cfg.example);
		await page.fill('#method_name', 'too late');
		await page.locator('#submit-btn[disabled]').waitFor();
		assert.match(await page.textContent('#submit-reason'), /closed at 2020-01-01/, 'when it closed');
	});
}

if (cfg.maxUploadMb > 0) {
	await step('a file over the upload limit shows the server\'s message (413)', async () => {
		await page.goto(`${cfg.url}/submit`);
		await page.locator(`#track option[value="${cfg.track}"]`).waitFor({ state: 'attached' });
		await page.selectOption('#track', cfg.track);
		const bytes = Math.ceil(cfg.maxUploadMb * 1.5 * 1024 * 1024);
		await page.evaluate((size) => {
			const line = 'coco_0\n';
			const dt = new DataTransfer();
			dt.items.add(new File([line.repeat(Math.ceil(size / line.length))], 'too-big.txt', { type: 'text/plain' }));
			document.getElementById('dropzone').dispatchEvent(
			    new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
		}, bytes);
		await page.fill('#method_name', 'too big');
		const [res] = await Promise.all([
			page.waitForResponse((r) => r.url().endsWith('/api/v1/submissions') && r.request().method() === 'POST'),
			page.click('#submit-btn'),
		]);
		assert.equal(res.status(), 413, `POST answered ${res.status()}`);
		await page.locator('#result.error').waitFor();
		const msg = (await res.json()).error.message;
		assert.ok((await page.textContent('#result')).includes(msg), 'message shown');
	});
}

if (cfg.quotaTrack) {
	let quotaId = null;
	await step('a second upload the same day shows the quota message and when to retry (429)', async () => {
		/* a second tab opened while a slot was left still
		 * offers the upload; the page that used the slot disables it */
		const page2 = await ctx.newPage();
		watchPage(page2);
		await page2.goto(`${cfg.url}/submit`);
		await page2.locator(`#track option[value="${cfg.quotaTrack}"]`).waitFor({ state: 'attached' });
		await page2.selectOption('#track', cfg.quotaTrack);
		await page2.setInputFiles('#file', cfg.example);
		await page2.fill('#method_name', 'quota second');
		assert.equal(await page2.locator('#submit-btn').isDisabled(), false, 'a slot left: enabled');
		let res = await uploadExample(cfg.quotaTrack, 'quota first');
		assert.equal(res.status(), 201, `first upload answered ${res.status()}`);
		quotaId = (await res.json()).submission.id;
		await page.locator('#submit-btn[disabled]').waitFor();
		assert.match(await page.textContent('#submit-reason'), /No submissions left today/, 'the reason beside the button');
		[res] = await Promise.all([
			page2.waitForResponse((r) => r.url().endsWith('/api/v1/submissions') && r.request().method() === 'POST'),
			page2.click('#submit-btn'),
		]);
		assert.equal(res.status(), 429, `second upload answered ${res.status()}`);
		assert.ok(res.headers()['retry-after'], 'Retry-After header');
		const msg = (await res.json()).error.message;
		await page2.locator('#result.error').waitFor();
		assert.ok((await page2.textContent('#result.error')).includes(msg), 'message shown');
		assert.match(await page2.textContent('#retry-after'), /submit again/, 'when to retry shown');
		await page2.locator('#submit-btn[disabled]').waitFor();
		await shot(page2, 'submit-quota');
		await page2.close();
	});
	await step('cancelling a queued job from my submissions', async () => {
		assert.ok(quotaId, 'a queued submission');
		await page.goto(`${cfg.url}/submissions`);
		const row = page.locator(`#subs-table tr[data-id="${quotaId}"]`);
		await row.locator('.cancel-btn').click();	/* the confirm() is accepted */
		await row.locator('td.status', { hasText: 'cancelled' }).waitFor();
		assert.equal(await row.locator('.cancel-btn').count(), 0, 'no cancel button left');
	});
}

await step('the leaderboard shows the track, its CSV link, and sorts by a clicked column', async () => {
	await page.goto(`${cfg.url}/#track=${encodeURIComponent(cfg.track)}`);
	await page.locator(`#tab-${cfg.track}[aria-selected="true"]`).waitFor();
	const csv = await page.getAttribute('#csv-link', 'href');
	assert.equal(csv, `/api/v1/leaderboard.csv?track=${encodeURIComponent(cfg.track)}`);
	const res = await page.request.get(cfg.url + csv);
	assert.equal(res.status(), 200, 'CSV link works');
	assert.match(res.headers()['content-type'] || '', /text\/csv/, 'CSV content type');
	await page.waitForFunction(() => {
		const e = document.getElementById('lb-empty');
		return document.querySelector('#lb-table tbody tr') ||
		    (!e.hidden && !/Loading/.test(e.textContent));
	});
	const lb = await (await fetch(`${cfg.url}/api/v1/leaderboard?track=${encodeURIComponent(cfg.track)}`)).json();
	const rows = page.locator('#lb-table tbody tr');
	assert.equal(await rows.count(), lb.entries.length, 'one row per entry');
	if (cfg.workerToken)
		assert.ok(lb.entries.some((e) => e.submission_id === subId), 'our scored submission is ranked');
	if (lb.entries.length) {
		const tasks = new Set();
		lb.entries.forEach((e) => Object.keys(e.scores || {}).forEach((k) => k !== 'overall' && tasks.add(k)));
		for (const t of tasks)
			await page.locator(`#lb-table th[data-key="score:${t}"]`).waitFor();
		await page.click('#lb-table th[data-key="team"] button');
		assert.equal(await page.getAttribute('#lb-table th[data-key="team"]', 'aria-sort'), 'ascending');
		await page.click('#lb-table th[data-key="team"] button');
		assert.equal(await page.getAttribute('#lb-table th[data-key="team"]', 'aria-sort'), 'descending');
		const teams = await page.locator('#lb-table tbody tr td:nth-child(2)').allTextContents();
		const sorted = [...teams].sort((a, b) => b.localeCompare(a, undefined, { sensitivity: 'base' }));
		assert.deepEqual(teams, sorted, 'rows sorted by team, descending');
	} else {
		assert.match(await page.textContent('#lb-empty'), /No scored submissions/);
	}
	await shot(page, 'leaderboard');
});

await step('logging out returns the nav to "Log in"', async () => {
	assert.ok(loggedIn, 'logged in');
	await page.goto(`${cfg.url}/submissions`);
	await page.locator('#logout-btn').click();
	await page.waitForURL(`${cfg.url}/`);
	await page.locator('#login-link').waitFor();
	const me = await page.request.get(`${cfg.url}/api/v1/me`);
	assert.equal(me.status(), 401, 'GET /api/v1/me after logout');
});

await step('no script errors on any page', async () => {
	assert.deepEqual(pageErrors, []);
});

await closeBrowser();
finish();
