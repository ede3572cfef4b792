/*
 * Browser test of the account page: Debian's headless Chromium
 * driven by playwright-core against a running dataoptimd.  A participant
 * of its own (its password changes) logs in, opens /account, sees its
 * session marked, changes its password (a wrong current one and a
 * mismatched repeat refused), logs in again with the new one (the old one
 * refused); makes a token on the page, reads it once (copy button, the
 * `dataoptim login` line), uses it from node against /api/v1/me, sees it
 * no longer shown after a reload but its last use noted, revokes it on
 * the page, and the token then fails.
 *
 * Environment:
 *   DO_URL                       base URL of the daemon               required
 *   DO_EMAIL, DO_PASSWORD        a participant no other test uses     required
 *   DO_SHOTS                     save screenshots there
 *   CHROMIUM                     the browser binary (default /usr/bin/chromium)
 */
import assert from 'node:assert/strict';
import { apiCall, finish, launchChromium, openPage, pageErrors, requireEnv,
	shot as shotTo, step, watchPage, watchdog } from './harness.mjs';

const env = process.env;
const cfg = {
	url: (env.DO_URL || '').replace(/\/$/, ''),
	email: env.DO_EMAIL,
	password: env.DO_PASSWORD,
	shots: env.DO_SHOTS || '',
	chromium: env.CHROMIUM || '/usr/bin/chromium',
};
requireEnv({ DO_URL: cfg.url, DO_EMAIL: cfg.email, DO_PASSWORD: cfg.password });
const NEW_PASSWORD = `${cfg.password}-renewed`;
const LABEL = 'browser laptop <b>1</b>';
const shot = (page, name) => shotTo(cfg.shots, page, name);

watchdog(120);

const browser = await launchChromium(cfg.chromium);
const { ctx, page } = await openPage(browser);
await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: cfg.url });

async function login(email, password) {
	await page.goto(`${cfg.url}/login?next=${encodeURIComponent('/account')}`);
	await page.fill('#email', email);
	await page.fill('#password', password);
	await page.click('#login-btn');
}

async function changePassword(current, pw, repeat) {
	await page.fill('#pw-current', current);
	await page.fill('#pw-new', pw);
	await page.fill('#pw-repeat', repeat);
	await page.click('#pw-btn');
}

await step('logged out, the account page asks to log in', async () => {
	await page.goto(`${cfg.url}/account`);
	await page.locator('#acc-notice a[href^="/login"]').waitFor();
	assert.equal(await page.locator('#acc-body').isHidden(), true);
});

await step('log in: the account page names the user and marks this session', async () => {
	await login(cfg.email, cfg.password);
	await page.waitForURL((u) => u.pathname === '/account');
	await page.locator('#acc-body').waitFor();
	assert.match(await page.textContent('#acc-who'), new RegExp(cfg.email.replace(/[.@]/g, '\\$&')));
	const rows = page.locator('#sessions-table tbody tr');
	await rows.first().waitFor();
	assert.equal(await page.locator('#sessions-table tr.current').count(), 1, 'one current session');
	assert.match(await page.textContent('#sessions-table tr.current'), /this session/);
	assert.match(await page.textContent('#sessions-table tr.current td.ua'), /Chrome/, 'the browser is named');
	assert.match(await page.textContent('#sessions-table tr.current'), /UTC/, 'times in UTC');
	await shot(page, 'account');
});

await step('a wrong current password and a mismatched repeat are refused', async () => {
	await changePassword('not-the-password', NEW_PASSWORD, NEW_PASSWORD);
	await page.locator('#pw-notice.error').waitFor();
	assert.match(await page.textContent('#pw-notice'), /current password is wrong/);
	await changePassword(cfg.password, NEW_PASSWORD, `${NEW_PASSWORD}x`);
	await page.locator('#pw-notice.error').filter({ hasText: 'differ' }).waitFor();
	await changePassword(cfg.password, 'zzzzzzzzzzzz', 'zzzzzzzzzzzz');
	await page.locator('#pw-notice.error').filter({ hasText: 'repeated' }).waitFor();
});

await step('change the password; log out; the old one fails, the new one logs in', async () => {
	await changePassword(cfg.password, NEW_PASSWORD, NEW_PASSWORD);
	await page.locator('#pw-notice.success').waitFor();
	assert.equal(await page.inputValue('#pw-new'), '', 'the form is cleared');
	await page.click('#logout-btn');
	await page.waitForURL((u) => u.pathname === '/');
	await login(cfg.email, cfg.password);
	await page.locator('#login-notice.error').waitFor();
	assert.match(await page.textContent('#login-notice'), /wrong email or password/i);
	await login(cfg.email, NEW_PASSWORD);
	await page.waitForURL((u) => u.pathname === '/account');
	await page.locator('#acc-body').waitFor();
});

let token = null;
await step('create a token on the page: shown once, with a copy button and the login line', async () => {
	await page.fill('#token-label', LABEL);
	await page.click('#token-btn');
	await page.locator('#token-new').waitFor();
	token = (await page.textContent('#token-value')).trim();
	assert.match(token, /^do_[A-Za-z0-9_-]{44}$/);
	const hint = await page.textContent('#token-hint');
	assert.ok(hint.startsWith('dataoptim login ') && hint.includes(`--token ${token}`), hint);
	await page.click('#token-copy');
	await page.locator('#token-copy').filter({ hasText: /Copied|Selected/ }).waitFor();
	if ((await page.textContent('#token-copy')) === 'Copied')
		assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token, 'the clipboard holds the token');
	const row = page.locator('#tokens-table tbody tr', { hasText: 'browser laptop' });
	await row.waitFor();
	assert.equal(await row.locator('td.token-label').textContent(), LABEL, 'the label is text, not HTML');
	assert.equal(await row.locator('td.last-used').textContent(), 'never');
	await shot(page, 'account-token');
});

await step('the token works from outside the browser (Bearer on /api/v1/me)', async () => {
	const r = await apiCall(cfg.url, token, 'GET', '/api/v1/me');
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.user.email, cfg.email);
	assert.equal(typeof r.json.token_id, 'number');
});

await step('after a reload the token is not shown again, and its last use is', async () => {
	await page.reload();
	await page.locator('#acc-body').waitFor();
	const row = page.locator('#tokens-table tbody tr', { hasText: 'browser laptop' });
	await row.waitFor();
	assert.equal(await page.locator('#token-new').isHidden(), true);
	assert.equal((await page.content()).includes(token), false, 'the secret is nowhere in the page');
	assert.match(await row.locator('td.last-used').textContent(), /UTC/);
});

await step('revoke the token on the page: it then fails', async () => {
	const row = page.locator('#tokens-table tbody tr', { hasText: 'browser laptop' });
	await row.locator('button.revoke-token').click();
	await page.locator('#token-notice.success').waitFor();
	await page.locator('#tokens-table tbody tr.revoked', { hasText: 'browser laptop' }).waitFor();
	const r = await apiCall(cfg.url, token, 'GET', '/api/v1/me');
	assert.equal(r.status, 401, r.text);
});

/* the session ends in another tab; the page's next
 * action says so in words for a person, not the API's "Bearer" hint */
await step('logged out in another tab, making a token says the session ended and links the login', async () => {
	await page.goto(`${cfg.url}/account`);
	await page.locator('#acc-body:not([hidden])').waitFor();
	const other = await ctx.newPage();
	watchPage(other);
	await other.goto(`${cfg.url}/account`);
	await Promise.all([other.waitForURL(`${cfg.url}/`), other.click('#logout-btn')]);
	await other.close();
	await page.fill('#token-label', 'after logout');
	await page.click('#token-btn');
	await page.locator('#token-notice.error').waitFor();
	const text = await page.textContent('#token-notice');
	assert.match(text, /not logged in/i, text);
	assert.doesNotMatch(text, /Bearer/, text);
	assert.equal(await page.locator('#token-notice a').getAttribute('href'), `/login?next=${encodeURIComponent('/account')}`);
	assert.equal(await page.isDisabled('#token-btn'), false, 'the button is back');
});

await step('no script errors on the pages', async () => {
	assert.deepEqual(pageErrors, []);
});

await browser.close();
finish();
