/*
 * track.html: a track's public page (/track?slug=S, GET /api/v1/tracks/S):
 * its title, its timeline (opens, team lock, freeze, closes: each in UTC
 * with the viewer's local time, marked passed or to come around a "now"
 * line), and the organizers' overview and rules, plain text rendered by
 * plaintext.js (paragraphs, line breaks, http(s) links; no HTML).
 */
import { api, $, badge, clear, el, fmtInt, fmtTime, initNav, notice, showError } from './api.js';
import { renderPlainText } from './plaintext.js';

/* The timeline's events, in the order of a track's life. */
const EVENTS = [
	{ key: 'opens_at', label: 'Opens', what: 'submissions are taken from then', none: 'Open from the start' },
	{ key: 'teams_lock_at', label: 'Team lock', what: 'no one joins or leaves a team after it', none: 'No team lock' },
	{ key: 'freeze_at', label: 'Leaderboard freeze', what: 'the public board shows only results scored until then', none: 'The board does not freeze' },
	{ key: 'closes_at', label: 'Closes', what: 'no submissions after it', none: 'No closing time' },
];

function slugParam() {
	return new URLSearchParams(location.search).get('slug') || '';
}

/* The timeline at now: set events by time with a "now" line between the
 * passed ones and those to come; unset ones after, as such. */
function renderTimeline(t, now) {
	const ol = clear($('#timeline'));
	const set = EVENTS.filter((e) => t[e.key]).map((e) => ({ ...e, at: new Date(t[e.key]) }))
		.sort((a, b) => a.at - b.at);
	let nowShown = false;
	const nowItem = () => el('li', { class: 'tl-now', 'data-event': 'now' },
	    el('span', { class: 'tl-label' }, 'Now'), ' ', el('span', { class: 'tl-time' }, fmtTime(now)));
	for (const e of set) {
		const past = e.at <= now;
		if (!past && !nowShown) {
			ol.append(nowItem());
			nowShown = true;
		}
		ol.append(el('li', { class: past ? 'tl-past' : 'tl-future', 'data-event': e.key },
		    el('span', { class: 'tl-label' }, e.label), ' ',
		    el('span', { class: 'tl-time' }, fmtTime(t[e.key])), ' ',
		    el('span', { class: 'tl-state' }, past ? 'passed' : 'to come'),
		    el('div', { class: 'small muted' }, e.what)));
	}
	if (!nowShown)
		ol.append(nowItem());
	for (const e of EVENTS.filter((x) => !t[x.key]))
		ol.append(el('li', { class: 'tl-unset', 'data-event': e.key },
		    el('span', { class: 'tl-label' }, e.label), ' ', el('span', { class: 'muted' }, e.none)));
}

function renderText(card, box, text, empty) {
	if (!renderPlainText(box, text))
		box.append(el('p', { class: 'muted' }, empty));
	card.hidden = false;
}

async function main() {
	initNav();
	const slug = slugParam();
	const msg = $('#track-notice');
	if (!slug) {
		notice(msg, 'error', 'No track given: open a track from the ', el('a', { href: '/' }, 'leaderboard'), '.');
		return;
	}
	let t;
	try {
		const d = await api(`/api/v1/tracks/${encodeURIComponent(slug)}`);
		t = d && d.track;
	} catch (err) {
		if (err.status === 404)
			notice(msg, 'error', `There is no track “${slug}”. See the `, el('a', { href: '/' }, 'leaderboard'), ' for the tracks.');
		else
			showError(msg, err, 'Could not load the track:');
		return;
	}
	const name = t.title || t.slug;
	document.title = `${name} · DataOptim`;
	$('#track-title').textContent = name;
	const sub = clear($('#track-sub'));
	sub.append(t.title ? el('span', { class: 'mono' }, t.slug) : '', t.title ? ' · ' : '',
	    t.kind === 'byod' ? 'Bring your own data' : 'Standard (pool IDs)',
	    ` · budget ${fmtInt(t.budget)} samples · ranked by ${t.metric || 'overall'} `, badge(t.status));
	const q = encodeURIComponent(t.slug);
	$('#board-link').href = `/?track=${q}`;
	$('#board-back').href = `/?track=${q}`;
	$('#submit-link').href = `/submit?track=${q}`;
	$('#submit-link').hidden = t.status !== 'open';
	renderTimeline(t, new Date());
	renderText($('#overview-card'), $('#overview'), t.overview, 'The organizers have not written an overview yet.');
	renderText($('#rules-card'), $('#rules'), t.rules, 'The organizers have not written the rules yet.');
	$('#track-view').hidden = false;
}

main();
