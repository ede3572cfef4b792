/*
 * Issue 13, the submit page before and after the upload, in Chromium
 * against a real dataoptimd and a real dataoptim-worker (proxy backend)
 * that tests/scenario/browser.sh starts for this test:
 *   - anonymous loads of /, /login and /submit log no console error at all
 *     (not even a failed resource: GET /api/v1/session answers 200);
 *   - a JSON file chosen for a standard track, and a text list for a BYOD
 *     track, show the kind warning and keep the button disabled (the
 *     reason beside it) until "Send it anyway"; a matching file clears it;
 *   - a track whose quota is used up, or that opens later, disables the
 *     button with the reason (when it opens, with fmtTime);
 *   - a rejected list: the count said once, the first 100 listed, the full
 *     report downloadable with every error; BYOD errors show byte offsets;
 *   - after a valid upload the status box follows the job live (queued,
 *     running) to its score, and the submission page links the full log
 *     of the attempt, which downloads as text.
 *
 * Environment: DO_URL, DO_EMAIL, DO_PASSWORD (a participant), DO_TOKEN (the
 * same participant's API token), DO_STD_TRACK, DO_BYOD_TRACK,
 * DO_QUOTA_TRACK (total quota 1, unused), DO_LATER_TRACK (opens in 2099),
 * DO_EXAMPLE (a valid ID list),
 * DO_BYOD_EXAMPLE (a valid BYOD file), CHROMIUM, DO_SHOTS.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { apiCall, finish, openPersistent, pageErrors, requireEnv,
	shot as shotTo, step, watchPage, watchdog } from './harness.mjs';

const env = process.env;
const cfg = {
	url: (env.DO_URL || '').replace(/\/$/, ''),
	email: env.DO_EMAIL,
	password: env.DO_PASSWORD,
	token: env.DO_TOKEN,
	std: env.DO_STD_TRACK,
	byod: env.DO_BYOD_TRACK,
	quota: env.DO_QUOTA_TRACK,
	later: env.DO_LATER_TRACK,
	example: env.DO_EXAMPLE,
	byodExample: env.DO_BYOD_EXAMPLE,
	shots: env.DO_SHOTS || '',
	chromium: env.CHROMIUM || '/usr/bin/chromium',
};
requireEnv({ DO_URL: cfg.url, DO_EMAIL: cfg.email, DO_PASSWORD: cfg.password,
	DO_TOKEN: cfg.token, DO_STD_TRACK: cfg.std, DO_BYOD_TRACK: cfg.byod,
	DO_QUOTA_TRACK: cfg.quota, DO_LATER_TRACK: cfg.later, DO_EXAMPLE: cfg.example, DO_BYOD_EXAMPLE: cfg.byodExample });

const shot = (page, name) => shotTo(cfg.shots, page, name);
watchdog(240);

const { page, close: closeBrowser } = await openPersistent(cfg.chromium, { width: 1280, height: 900 });

await step('anonymous loads of /, /login and /submit log no console error at all', async () => {
	const errors = [];
	const session = [];
	page.on('console', (msg) => {
		if (msg.type() === 'error')
			errors.push(`${page.url()}: ${msg.text()}`);
	});
	page.on('pageerror', (err) => errors.push(`${page.url()}: ${err.message}`));
	page.on('response', (r) => {
		if (new URL(r.url()).pathname === '/api/v1/session')
			session.push(r.status());
	});
	for (const p of ['/', '/login', '/submit']) {
		await page.goto(`${cfg.url}${p}`);
		await page.waitForLoadState('networkidle');
	}
	await page.locator('#submit-login').waitFor();
	assert.deepEqual(errors, [], 'console errors');
	assert.ok(session.length >= 2 && session.every((st) => st === 200), `GET /api/v1/session answers: ${session}`);
	assert.equal(await page.locator('#submit-btn').isDisabled(), true, 'logged out: disabled');
	assert.match(await page.textContent('#submit-reason'), /Log in to submit/);
});
watchPage(page);

const loggedIn = await step('log in', async () => {
	await page.goto(`${cfg.url}/login?next=/submit`);
	await page.fill('#email', cfg.email);
	await page.fill('#password', cfg.password);
	await Promise.all([page.waitForURL(/\/submit(\?|$)/), page.click('#login-btn')]);
	await page.locator('[data-testid="nav-who"]').waitFor();
});

async function openSubmit(track) {
	await page.goto(`${cfg.url}/submit`);
	await page.locator(`#track option[value="${track}"]`).waitFor({ state: 'attached' });
	await page.selectOption('#track', track);
}

const enabled = async () => !(await page.locator('#submit-btn').isDisabled());
/* The file's kind is checked asynchronously (File.slice): wait for the
 * button to settle enabled; true, or a timeout. */
const settlesEnabled = async () => {
	await page.locator('#submit-btn:not([disabled])').waitFor();
	return enabled();
};

await step('a JSON file for a standard track: the warning, the button disabled until "Send it anyway"', async () => {
	assert.ok(loggedIn, 'logged in');
	await openSubmit(cfg.std);
	await page.fill('#method_name', 'kind check');
	/* a BOM and white space before the [ */
	await page.setInputFiles('#file', { name: 'data.json', mimeType: 'application/json',
		buffer: Buffer.from('\ufeff \r\n\t[{"id": "a", "conversations": []}]') });
	await page.locator('#kind-warning:not([hidden])').waitFor();
	assert.match(await page.textContent('#kind-warning'),
	    /this track takes an ID list, one sample ID per line; this looks like a JSON dataset/i);
	await page.locator('#submit-btn[disabled]').waitFor();
	assert.match(await page.textContent('#submit-reason'), /looks like a JSON dataset/);
	await shot(page, 'submit2-kind-std');
	await page.check('#kind-anyway');
	assert.equal(await enabled(), true, 'enabled after "Send it anyway"');
	assert.equal((await page.textContent('#submit-reason')).trim(), '', 'no reason left');
	/* the right kind of file: no warning */
	await page.setInputFiles('#file', cfg.example);
	await page.locator('#kind-warning').waitFor({ state: 'hidden' });
	assert.equal(await enabled(), true, 'an ID list: enabled');
});

await step('a text list for a BYOD track: the opposite warning; switching the track clears it', async () => {
	await openSubmit(cfg.byod);
	await page.fill('#method_name', 'kind check');
	await page.setInputFiles('#file', cfg.example);
	await page.locator('#kind-warning:not([hidden])').waitFor();
	assert.match(await page.textContent('#kind-warning'), /takes a JSON dataset.*this looks like an ID list/i);
	await page.locator('#submit-btn[disabled]').waitFor();
	await page.selectOption('#track', cfg.std);
	await page.locator('#kind-warning').waitFor({ state: 'hidden' });
	assert.equal(await enabled(), true, 'standard track: enabled');
	await page.selectOption('#track', cfg.byod);
	await page.locator('#kind-warning:not([hidden])').waitFor();
	await page.setInputFiles('#file', cfg.byodExample);
	await page.locator('#kind-warning').waitFor({ state: 'hidden' });
	assert.equal(await enabled(), true, 'a JSON file: enabled');
});

await step('the quota used up: the button disabled, the reason beside it', async () => {
	const r = await apiCall(cfg.url, cfg.token, 'POST',
	    `/api/v1/submissions?track=${encodeURIComponent(cfg.quota)}&method_name=quota`,
	    fs.readFileSync(cfg.example), 'text/plain');
	assert.equal(r.status, 201, `the one allowed submission: ${r.status} ${r.text}`);
	await openSubmit(cfg.quota);
	await page.setInputFiles('#file', cfg.example);
	await page.fill('#method_name', 'over quota');
	await page.locator('#submit-btn[disabled]').waitFor();
	assert.match(await page.textContent('#submit-reason'), /No submissions left: your team has used all its submissions/);
	await shot(page, 'submit2-quota');
});

await step('a track not open yet: the button disabled, the reason says when it opens', async () => {
	await openSubmit(cfg.later);
	await page.setInputFiles('#file', cfg.example);
	await page.fill('#method_name', 'too early');
	await page.locator('#submit-btn[disabled]').waitFor();
	assert.match(await page.textContent('#submit-reason'), /^This track opens at 2099-01-01 00:00 UTC/);
	/* another track: enabled again */
	await page.selectOption('#track', cfg.std);
	assert.equal(await settlesEnabled(), true, 'an open track: enabled');
});

/* Send the form; the POST's response. */
async function send() {
	const [res] = await Promise.all([
		page.waitForResponse((r) => r.url().endsWith('/api/v1/submissions') && r.request().method() === 'POST'),
		page.click('#submit-btn'),
	]);
	await page.locator('#result:not([hidden])').waitFor();
	return res;
}

await step('a rejected list: the count said once, 100 listed, the full report with all 254', async () => {
	await openSubmit(cfg.std);
	const bad = Array.from({ length: 254 }, (_, i) => `not-an-id-${i}`).join('\n') + '\n';
	await page.setInputFiles('#file', { name: 'bad.txt', mimeType: 'text/plain', buffer: Buffer.from(bad) });
	await page.fill('#method_name', 'bad list');
	assert.equal(await settlesEnabled(), true, 'a text list for a standard track');
	const res = await send();
	assert.equal(res.status(), 422);
	await page.locator('#result.error #error-list li').first().waitFor();
	assert.equal((await page.textContent('#error-total')).trim(),
	    '254 errors; the first 100 are shown. Fix them and upload again.');
	const text = await page.textContent('#result');
	assert.equal(text.split('254').length - 1, 1, `the count once in: ${text.slice(0, 300)}`);
	assert.equal(await page.locator('#error-list li').count(), 100, '100 listed');
	assert.match(await page.textContent('#error-list li >> nth=0'), /Line 1.*not-an-id-0/);
	const href = await page.getAttribute('#report-link', 'href');
	assert.match(href, /^\/api\/v1\/reports\/[A-Za-z0-9_-]{32}$/);
	/* the link works for this session (the cookie), as a text download */
	const got = await page.evaluate(async (u) => {
		const r = await fetch(u);
		return { status: r.status, type: r.headers.get('content-type'),
			disp: r.headers.get('content-disposition'), text: await r.text() };
	}, href);
	assert.equal(got.status, 200);
	assert.match(got.type, /^text\/plain/);
	assert.match(got.disp, /^attachment/);
	for (const i of [0, 99, 100, 253])
		assert.ok(got.text.includes(`line ${i + 1}: `) && got.text.includes(`not-an-id-${i}`), `error ${i + 1} in the report`);
	assert.equal(got.text.split('\n').filter((l) => /^line \d+: /.test(l)).length, 254, 'all 254 lines');
	await shot(page, 'submit2-errors');
});

await step('a rejected BYOD file: each error with its byte offset', async () => {
	await openSubmit(cfg.byod);
	const bad = '[{"id":"a","conversations":[{"from":"human","value":"hi"},{"from":"bot","value":"x"}]}]';
	await page.setInputFiles('#file', { name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(bad) });
	await page.fill('#method_name', 'bad byod');
	const res = await send();
	assert.equal(res.status(), 422);
	const body = await res.json();
	const off = body.error.details[0].offset;
	assert.ok(Number.isInteger(off) && bad.slice(off).startsWith('"bot"'), `offset ${off}`);
	await page.locator('#result.error #error-list li').first().waitFor();
	assert.match(await page.textContent('#error-list li >> nth=0'),
	    new RegExp(`\\[0\\]\\.conversations\\[1\\]\\.from · byte ${off}\\b`));
	assert.equal((await page.textContent('#error-total')).trim(), '1 error. Fix them and upload again.');
	assert.ok(await page.getAttribute('#report-link', 'href'), 'a report link');
});

await step('after a valid upload the status box follows the job live to its score', async () => {
	await openSubmit(cfg.std);
	await page.setInputFiles('#file', cfg.example);
	await page.fill('#method_name', 'live status');
	await page.evaluate(() => {
		window.__states = [];
		new MutationObserver(() => {
			const box = document.getElementById('live-status');
			if (box && window.__states[window.__states.length - 1] !== box.dataset.state)
				window.__states.push(box.dataset.state);
		}).observe(document.getElementById('result'), { subtree: true, childList: true, attributes: true });
	});
	const res = await send();
	assert.equal(res.status(), 201, `upload: ${res.status()}`);
	await page.locator('#live-status').waitFor();
	await page.locator('#live-status[data-state="succeeded"]').waitFor({ timeout: 150000 });
	assert.match(await page.textContent('#live-score'), /^Score: \d\.\d{4}/);
	const job = (await res.json()).submission.job;
	const r = await apiCall(cfg.url, cfg.token, 'GET', `/api/v1/jobs/${job.id}`);
	assert.equal(r.json.job.state, 'succeeded');
	assert.ok((await page.textContent('#live-score')).includes(Number(r.json.job.scores.overall).toFixed(4)), 'the job\'s score');
	assert.equal((await page.textContent('#result-status')).trim(), 'succeeded', 'the status line follows too');
	const states = await page.evaluate(() => window.__states);
	assert.ok(states[0] === 'queued' || states[0] === 'running', `states seen: ${states}`);
	assert.equal(states[states.length - 1], 'succeeded', `states seen: ${states}`);
	assert.equal(await page.getAttribute('#live-log', 'href'), `/api/v1/jobs/${job.id}/log`, 'the full log linked');
	await shot(page, 'submit2-live');
	/* the submission page links the same log; it downloads as text */
	await page.click('#result-link');
	await page.locator('#log-download-wrap:not([hidden])').waitFor();
	const href = await page.getAttribute('#log-download', 'href');
	assert.equal(href, `/api/v1/jobs/${encodeURIComponent(job.id)}/log`);
	const got = await page.evaluate(async (u) => {
		const x = await fetch(u);
		return { status: x.status, type: x.headers.get('content-type'),
			disp: x.headers.get('content-disposition'), text: await x.text() };
	}, href);
	assert.equal(got.status, 200);
	assert.match(got.type, /^text\/plain/);
	assert.equal(got.disp, `attachment; filename="job-${job.id}-attempt-1.log"`);
	const tail = (await apiCall(cfg.url, cfg.token, 'GET', `/api/v1/jobs/${job.id}`)).json.job.log_tail || '';
	assert.ok(got.text.length > 0 && got.text.length >= tail.length, `the log (${got.text.length} bytes) holds at least the tail (${tail.length})`);
	assert.ok(got.text.endsWith(tail.slice(-200)), 'the log ends as the tail does');
});

await step('no script errors on any page of this test', async () => {
	assert.deepEqual(pageErrors, []);
});

await closeBrowser();
finish();
