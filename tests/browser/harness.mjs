/*
 * What the browser tests share: numbered steps printed as "ok N - …" /
 * "not ok N - …", screenshots, calls to the API with a bearer token,
 * Chromium's flags for this closed network, page-error collection, a
 * watchdog and the closing plan line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

/* Debian's chromium, headless, without its background connections (the
 * machine's network is closed; they would fail at every start). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
	'--no-first-run', '--disable-background-networking', '--disable-component-update',
	'--disable-sync'];

export const T = 15000;		/* default wait for anything on a page */

let n = 0;
let failed = 0;
export const pageErrors = [];

/* Exit 2 with a "not ok" line unless every variable of vars is set. */
export function requireEnv(vars) {
	for (const [k, v] of Object.entries(vars)) {
		if (!v) {
			console.log(`not ok 1 - configuration: ${k} is not set`);
			process.exit(2);
		}
	}
}

/* Run one numbered step; a failure is reported and the test goes on. */
export async function step(name, fn) {
	n++;
	try {
		await fn();
		console.log(`ok ${n} - ${name}`);
		return true;
	} catch (err) {
		failed++;
		console.log(`not ok ${n} - ${name}`);
		for (const line of String((err && err.stack) || err).split('\n').slice(0, 8))
			console.log(`#   ${line}`);
		return false;
	}
}

/* Save a full-page screenshot as dir/name.png when dir is set. */
export async function shot(dir, page, name) {
	if (!dir)
		return;
	fs.mkdirSync(dir, { recursive: true });
	await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

/* A call to the API at base with a bearer token: {status, json, text}.
 * A body without contentType is sent as JSON. */
export async function apiCall(base, token, method, p, body, contentType) {
	const headers = { Authorization: `Bearer ${token}` };
	let data;
	if (contentType) {
		headers['Content-Type'] = contentType;
		data = body;
	} else if (body !== undefined) {
		headers['Content-Type'] = 'application/json';
		data = JSON.stringify(body);
	}
	const res = await fetch(base + p, { method, headers, body: data });
	const text = await res.text();
	let json = null;
	try { json = text ? JSON.parse(text) : null; } catch (_) { /* not JSON */ }
	return { status: res.status, json, text };
}

/* Collect a page's script errors into pageErrors.  Chrome also logs the
 * answers a page handles (401 from /me, 404 of a probe, a 422) as failed
 * resources: only script errors count. */
export function watchPage(page) {
	page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
	page.on('console', (msg) => {
		if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text()))
			pageErrors.push(`${page.url()}: console: ${msg.text()}`);
	});
}

/* Fail the test if it has not finished within seconds. */
export function watchdog(seconds) {
	setTimeout(() => {
		console.log(`not ok ${n + 1} - the whole test finished within ${seconds} s`);
		process.exit(1);
	}, seconds * 1000).unref();
}

/* Report a browser that did not start, and exit. */
export function launchFailed(err) {
	console.log('not ok 1 - launch Chromium');
	console.log(`#   ${String(err.message).split('\n')[0]}`);
	process.exit(1);
}

/* Debian's chromium at executablePath, headless, with env as its
 * environment (e.g. a TZ; default: this process's); a browser that does
 * not start is reported and the test exits. */
export async function launchChromium(executablePath, env) {
	try {
		return await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS,
			...(env ? { env } : {}) });
	} catch (err) {
		launchFailed(err);
	}
	return null;
}

/* A fresh context of browser (its own cookies) with one page whose
 * script errors are collected and whose dialogs are accepted: {ctx, page}. */
export async function openPage(browser, viewport = { width: 1280, height: 900 }) {
	const ctx = await browser.newContext({ viewport });
	ctx.setDefaultTimeout(T);
	const page = await ctx.newPage();
	watchPage(page);
	page.on('dialog', (d) => d.accept());
	return { ctx, page };
}

/* Chromium with a profile of its own in a new temporary directory (as a
 * user's browser keeps its cookies and storage) and its first page,
 * watched: {ctx, page, close}; close() ends it and removes the profile.
 * A browser that does not start is reported and the test exits. */
export async function openPersistent(executablePath, viewport) {
	const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dataoptim-chromium-'));
	let ctx;
	try {
		ctx = await chromium.launchPersistentContext(userDir, {
			executablePath, headless: true, args: CHROMIUM_ARGS, viewport,
			acceptDownloads: false,
		});
	} catch (err) {
		fs.rmSync(userDir, { recursive: true, force: true });
		launchFailed(err);
	}
	ctx.setDefaultTimeout(T);
	const page = ctx.pages()[0] || await ctx.newPage();
	watchPage(page);
	const close = async () => {
		await ctx.close();
		fs.rmSync(userDir, { recursive: true, force: true });
	};
	return { ctx, page, close };
}

/* The plan line and the exit status. */
export function finish() {
	console.log(`1..${n}`);
	process.exit(failed ? 1 : 0);
}
