/*
 * journey.test.mjs: the whole way of a new participant, with nothing done
 * by an organizer but opening registration:
 * the sign-up page with a new team, an invite code on the team page, a
 * teammate who signs up with it, an API token made on the account page,
 * `dataoptim login --token -` and `dataoptim submit --pool … --wait` with
 * that token against a real worker until scored, and the teammate seeing
 * the scored submission on /submissions and on the leaderboard.
 *
 * Environment (tests/scenario/journey.sh sets it):
 *   DO_URL      a daemon with server.allow_register on and a real worker
 *   DO_TRACK    an open standard track
 *   DO_EXAMPLE  a valid standard ID list
 *   DO_CLI      the dataoptim binary;  DO_POOL  the pool index
 *   DO_HOME     a HOME for the CLI (its credentials file goes there)
 *   CHROMIUM, DO_SHOTS as in the other browser tests
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { finish, launchChromium, openPage, pageErrors, requireEnv,
	shot as shotTo, step, watchdog } from './harness.mjs';

const env = process.env;
const cfg = {
	url: (env.DO_URL || '').replace(/\/$/, ''), track: env.DO_TRACK,
	example: env.DO_EXAMPLE, cli: env.DO_CLI, pool: env.DO_POOL,
	home: env.DO_HOME, shots: env.DO_SHOTS || '',
	chromium: env.CHROMIUM || '/usr/bin/chromium',
};
requireEnv({ DO_URL: cfg.url, DO_TRACK: cfg.track, DO_EXAMPLE: cfg.example,
	DO_CLI: cfg.cli, DO_POOL: cfg.pool, DO_HOME: cfg.home });
const shot = (page, name) => shotTo(cfg.shots, page, name);
watchdog(240);

const browser = await launchChromium(cfg.chromium);
const newPage = async () => (await openPage(browser)).page;

/* The CLI with its own HOME and no inherited server or token. */
function cli(args, input) {
	const e = { ...env, HOME: cfg.home };
	delete e.XDG_CONFIG_HOME; delete e.DATAOPTIM_SERVER; delete e.DATAOPTIM_TOKEN;
	const r = spawnSync(cfg.cli, args, { env: e, input: input || '', encoding: 'utf8', timeout: 150000 });
	return { rc: r.status, out: r.stdout || '', err: r.stderr || '' };
}

const tag = `${process.pid}`;
const teamName = `Journey ${tag}`;
const lead = { email: `lead-${tag}@example.org`, password: `lead-pass-${tag}-x` };
const mate = { email: `mate-${tag}@example.org`, password: `mate-pass-${tag}-y` };
const a = await newPage();
const b = await newPage();
let code = null, token = null, subId = null, overall = null;

await step('the lead signs up on /signup with a new team', async () => {
	await a.goto(`${cfg.url}/signup`);
	await a.locator('#signup-form').waitFor();
	await a.fill('#email', lead.email);
	await a.fill('#password', lead.password);
	await a.fill('#team', teamName);
	await Promise.all([a.waitForURL(/\/team$/), a.click('#signup-btn')]);
	await a.locator('#team-title').filter({ hasText: teamName }).waitFor();
	assert.equal(await a.textContent('#team-title'), `Team ${teamName}`);
});

await step('the lead makes a single-use invite code on /team', async () => {
	await a.fill('#max-uses', '1');
	await a.click('#invite-btn');
	await a.locator('#new-code').waitFor();
	code = await a.inputValue('#new-code-value');
	assert.match(code, /^[A-Z2-7]{20}$/);
});

await step('the teammate signs up with the code and is in the team', async () => {
	await b.goto(`${cfg.url}/signup?invite=${code}`);
	await b.locator('#signup-form').waitFor();
	await b.fill('#email', mate.email);
	await b.fill('#password', mate.password);
	await Promise.all([b.waitForURL(/\/team$/), b.click('#signup-btn')]);
	await b.locator('#team-title').filter({ hasText: teamName }).waitFor();
	assert.equal(await b.textContent('#team-title'), `Team ${teamName}`);
	await b.locator('#members-table tbody tr:nth-child(2)').waitFor();
});

await step('the lead makes an API token on /account (shown once)', async () => {
	await a.goto(`${cfg.url}/account`);
	await a.locator('#acc-body').waitFor();
	await a.fill('#token-label', 'laptop');
	await a.click('#token-btn');
	await a.locator('#token-new').waitFor();
	token = (await a.textContent('#token-value')).trim();
	assert.match(token, /^do_/);
	await shot(a, 'journey-token');
});

await step('dataoptim login --token - stores it (mode 0600) and names the lead', async () => {
	const r = cli(['login', '--server', cfg.url, '--token', '-'], `${token}\n`);
	assert.equal(r.rc, 0, r.err);
	assert.match(r.out + r.err, new RegExp(`logged in as ${lead.email.replace(/[.]/g, '\\.')}`));
	const f = `${cfg.home}/.config/dataoptim/credentials`;
	assert.equal((fs.statSync(f).mode & 0o777).toString(8), '600');
});

await step('dataoptim submit --pool --wait: validated here, uploaded, scored by the real worker', async () => {
	const r = cli(['submit', '--track', cfg.track, '--method', `journey ${tag}`,
		'--description', 'from the sign-up page to a score', '--pool', cfg.pool,
		'--wait', cfg.example]);
	assert.equal(r.rc, 0, `exit ${r.rc}\n${r.out}\n${r.err}`);
	subId = (r.out.match(/^submitted (s_\S+)/m) || [])[1];
	assert.ok(subId, r.out);
	const m = r.out.match(/^overall +([0-9.]+)$/m);
	assert.ok(m, `a scores table:\n${r.out}`);
	overall = m[1];
});

await step('the teammate sees the scored submission on /submissions', async () => {
	await b.goto(`${cfg.url}/submissions`);
	const row = b.locator(`#subs-table tr[data-id="${subId}"]`);
	await row.waitFor();
	assert.equal(await row.locator('a.method').textContent(), `journey ${tag}`);
	await row.locator('td.overall').filter({ hasText: /[0-9]/ }).waitFor();
	const shown = (await row.locator('td.overall').textContent()).trim();
	assert.ok(Math.abs(Number(shown) - Number(overall)) < 0.01, `${shown} vs ${overall}`);
	await shot(b, 'journey-submissions');
});

await step('the team is on the public leaderboard', async () => {
	const p = await newPage();
	await p.goto(`${cfg.url}/?track=${encodeURIComponent(cfg.track)}`);
	await p.locator('table').filter({ hasText: teamName }).first().waitFor();
	await p.context().close();
});

await step('the CLI logs out: the token is revoked on the server', async () => {
	const r = cli(['logout']);
	assert.equal(r.rc, 0, r.err);
	const res = await fetch(`${cfg.url}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
	assert.equal(res.status, 401);
});

await step('no script errors on any page', async () => {
	assert.deepEqual(pageErrors, []);
});

await browser.close();
finish();
