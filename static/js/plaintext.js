/*
 * plaintext.js: an organizer's plain text (a track's overview and rules)
 * as paragraphs, with no HTML at all: a blank line starts a paragraph, a
 * single newline is a line break, and http:// and https:// URLs become
 * links (rel="noopener nofollow"); any other scheme (javascript:, data:,
 * ftp:, …) stays text.  parsePlainText() is pure (node tests:
 * tests/browser/plaintext.test.mjs, run by tests/scenario/js_time.sh);
 * renderPlainText() builds the nodes with createElement / createTextNode
 * only, never innerHTML.
 */

/* An http(s) URL: the scheme, then anything up to a blank or a character
 * that cannot be in a URL as typed in prose. */
const URL_RE = /\bhttps?:\/\/[^\s<>"'`{}|\\^]+/gi;

/* Punctuation that ends a sentence rather than the URL. */
const TRAIL_RE = /[.,;:!?*]+$/;

/* Cut what prose puts after a URL: trailing punctuation, and a closing
 * bracket that has no opening one inside the URL. */
function trimUrl(u) {
	for (;;) {
		const before = u;
		u = u.replace(TRAIL_RE, '');
		for (const [open, close] of [['(', ')'], ['[', ']']]) {
			if (u.endsWith(close) && u.split(open).length < u.split(close).length)
				u = u.slice(0, -1);
		}
		if (u === before)
			return u;
	}
}

/* The URL as a link target, or null: http: or https: with a host. */
export function safeHref(u) {
	let p;
	try {
		p = new URL(u);
	} catch (_) {
		return null;
	}
	if ((p.protocol !== 'http:' && p.protocol !== 'https:') || !p.hostname)
		return null;
	return p.href;
}

/* One line → [{text}|{href, text}, …]. */
function parseLine(line) {
	const out = [];
	let at = 0;
	URL_RE.lastIndex = 0;
	for (let m; (m = URL_RE.exec(line)) !== null;) {
		const raw = trimUrl(m[0]);
		const href = safeHref(raw);
		URL_RE.lastIndex = m.index + Math.max(raw.length, 1);
		if (!href)
			continue;
		if (m.index > at)
			out.push({ text: line.slice(at, m.index) });
		out.push({ href, text: raw });
		at = m.index + raw.length;
	}
	if (at < line.length)
		out.push({ text: line.slice(at) });
	return out;
}

/*
 * text → paragraphs: [[line, …], …], each line [{text} | {href, text}, …].
 * CRLF and CR count as newlines; a line of only blanks is a blank line;
 * blank lines at the start and the end are dropped.  Not a string: [].
 */
export function parsePlainText(text) {
	if (typeof text !== 'string')
		return [];
	const norm = text.replace(/\r\n?/g, '\n');
	return norm.split(/\n[ \t]*(?:\n[ \t]*)+/)
		.map((p) => p.replace(/^[ \t]*\n/, '').replace(/\n[ \t]*$/, ''))
		.filter((p) => p.trim() !== '')
		.map((p) => p.split('\n').map(parseLine));
}

/*
 * The nodes of text for container (an element of doc): one <p> per
 * paragraph, <br> between its lines, <a href rel="noopener nofollow"> for
 * each link; every piece of text a text node.  Returns the number of
 * paragraphs; container is emptied first.
 */
export function renderPlainText(container, text, doc = document) {
	while (container.firstChild)
		container.removeChild(container.firstChild);
	const paras = parsePlainText(text);
	for (const lines of paras) {
		const p = doc.createElement('p');
		lines.forEach((segs, i) => {
			if (i)
				p.appendChild(doc.createElement('br'));
			for (const s of segs) {
				if (s.href) {
					const a = doc.createElement('a');
					a.setAttribute('href', s.href);
					a.setAttribute('rel', 'noopener nofollow');
					a.appendChild(doc.createTextNode(s.text));
					p.appendChild(a);
				} else {
					p.appendChild(doc.createTextNode(s.text));
				}
			}
		});
		container.appendChild(p);
	}
	return paras.length;
}
