/*
 * time.js: the one convention for times on every page.  A time is shown
 * as its UTC value, labelled "UTC", with the viewer's local time beside it
 * when the viewer is not on UTC at that instant:
 *
 *   2026-12-05 14:00 UTC (09:00 EST)
 *   2026-12-05 02:00 UTC (2026-12-04 21:00 EST)    local date differs
 *
 * Forms take UTC (<input type="datetime-local"> read as UTC) and say so
 * in their labels.  Pure functions, no DOM: tests/browser/time.test.mjs
 * runs them in node under several TZ settings.  Input everywhere: an ISO
 * 8601 string (what the API answers), UNIX seconds, or a Date.
 */

const pad = (n) => String(n).padStart(2, '0');

/* s → Date, or null when absent or unreadable. */
export function toDate(s) {
	if (s === null || s === undefined || s === '')
		return null;
	const d = s instanceof Date ? s : new Date(typeof s === 'number' ? s * 1000 : s);
	return isNaN(d) ? null : d;
}

/* "2026-12-05 14:00 UTC"; "—" for none; the input itself when unreadable. */
export function fmtUtc(s) {
	const d = toDate(s);
	if (!d)
		return s ? String(s) : '—';
	return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
	    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/* The viewer's zone abbreviation at d ("EST", "GMT+5:30"), from Intl. */
function zoneName(d) {
	try {
		const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
		    .formatToParts(d).find((p) => p.type === 'timeZoneName');
		if (part)
			return part.value;
	} catch (_) { /* no Intl: fall back on the offset */ }
	const off = -d.getTimezoneOffset();
	const a = Math.abs(off);
	return `GMT${off < 0 ? '-' : '+'}${Math.floor(a / 60)}${a % 60 ? `:${pad(a % 60)}` : ''}`;
}

/*
 * The viewer's local time at s: "09:00 EST" when its date is the UTC
 * date, "2026-12-04 21:00 EST" when not; null when the viewer is on UTC
 * at that instant (nothing to add) or s is unreadable.
 */
export function fmtLocal(s) {
	const d = toDate(s);
	if (!d || d.getTimezoneOffset() === 0)
		return null;
	const sameDay = d.getFullYear() === d.getUTCFullYear() &&
	    d.getMonth() === d.getUTCMonth() && d.getDate() === d.getUTCDate();
	const day = sameDay ? '' : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} `;
	return `${day}${pad(d.getHours())}:${pad(d.getMinutes())} ${zoneName(d)}`;
}

/* UTC, with the local time beside it where it differs. */
export function fmtTime(s) {
	const local = fmtLocal(s);
	return local ? `${fmtUtc(s)} (${local})` : fmtUtc(s);
}

/* An ISO time → the value of an <input type="datetime-local"> holding UTC. */
export function toUtcInput(s) {
	const d = toDate(s);
	return d ? d.toISOString().slice(0, 16) : '';
}

/* The value of a datetime-local input holding UTC → ISO string, or null. */
export function fromUtcInput(v) {
	if (!v)
		return null;
	if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(v))
		return null;
	return `${v.length === 16 ? `${v}:00` : v}Z`;
}
