/*
 * time.test.mjs: the time helpers of static/js/time.js, in node, under the
 * TZ this process runs in (tests/scenario/js_time.sh runs it under UTC,
 * America/New_York and Asia/Kolkata).  Prints TAP "ok N - ..." lines.
 */
import { fmtLocal, fmtTime, fmtUtc, fromUtcInput, toUtcInput } from '../../static/js/time.js';

const tz = process.env.TZ || 'UTC';
let n = 0, failed = 0;
function is(got, want, what) {
	n++;
	if (got === want) {
		console.log(`ok ${n} - ${what} [TZ=${tz}]`);
	} else {
		failed++;
		console.log(`not ok ${n} - ${what} [TZ=${tz}]\n#   got:  ${JSON.stringify(got)}\n#   want: ${JSON.stringify(want)}`);
	}
}

const winter = '2026-12-05T14:00:00Z';	/* EST (UTC-5), IST (UTC+5:30) */
const summer = '2026-07-01T02:30:00Z';	/* EDT (UTC-4): local date is the day before */
const local = {
	UTC: [null, null],
	'America/New_York': ['09:00 EST', '2026-06-30 22:30 EDT'],
	'Asia/Kolkata': ['19:30 GMT+5:30', '08:00 GMT+5:30'],
}[tz];
if (!local) {
	console.log(`not ok 1 - no expectations for TZ=${tz}`);
	process.exit(1);
}

is(fmtUtc(winter), '2026-12-05 14:00 UTC', 'fmtUtc labels the zone');
is(fmtUtc(Date.parse(winter) / 1000), '2026-12-05 14:00 UTC', 'fmtUtc takes UNIX seconds');
is(fmtUtc(new Date(winter)), '2026-12-05 14:00 UTC', 'fmtUtc takes a Date');
is(fmtUtc(null), '—', 'no time is a dash');
is(fmtUtc('soon'), 'soon', 'an unreadable time is shown as given');
is(fmtLocal(winter), local[0], 'fmtLocal in winter');
is(fmtLocal(summer), local[1], 'fmtLocal across daylight saving and a date change');
is(fmtTime(winter), local[0] ? `2026-12-05 14:00 UTC (${local[0]})` : '2026-12-05 14:00 UTC',
    'fmtTime: UTC with the local time beside it only where it differs');
is(fmtTime(summer), local[1] ? `2026-07-01 02:30 UTC (${local[1]})` : '2026-07-01 02:30 UTC',
    'fmtTime with a different local date');
is(toUtcInput(winter), '2026-12-05T14:00', 'a form input holds UTC whatever the viewer\'s zone');
is(fromUtcInput('2026-12-05T14:00'), '2026-12-05T14:00:00Z', 'a form input is read as UTC');
is(fromUtcInput('2026-12-05T14:00:30'), '2026-12-05T14:00:30Z', 'seconds are kept');
is(fromUtcInput(''), null, 'an empty input is no time');
is(fromUtcInput('tomorrow'), null, 'a malformed input is no time');
is(fromUtcInput(toUtcInput(summer)), '2026-07-01T02:30:00Z', 'input round trip');
process.exit(failed ? 1 : 0);
