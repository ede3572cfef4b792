/*
 * plaintext.test.mjs: the plain-text renderer's parser
 * (static/js/plaintext.js), in node: paragraphs, line breaks, which URLs
 * become links and which stay text.  tests/scenario/js_time.sh runs it;
 * the DOM side (renderPlainText) is checked in Chromium by track.test.mjs.
 * Prints TAP "ok N - ..." lines.
 */
import { parsePlainText, safeHref } from '../../static/js/plaintext.js';

let n = 0, failed = 0;
function is(got, want, what) {
	n++;
	const g = JSON.stringify(got), w = JSON.stringify(want);
	if (g === w) {
		console.log(`ok ${n} - plaintext: ${what}`);
	} else {
		failed++;
		console.log(`not ok ${n} - plaintext: ${what}\n#   got:  ${g}\n#   want: ${w}`);
	}
}
const t = (text) => ({ text });
const a = (href, text) => ({ href, text: text ?? href });

is(parsePlainText('one'), [[[t('one')]]], 'one line is one paragraph');
is(parsePlainText('a\nb'), [[[t('a')], [t('b')]]], 'a single newline is a line break in the paragraph');
is(parsePlainText('a\n\nb'), [[[t('a')]], [[t('b')]]], 'a blank line starts a paragraph');
is(parsePlainText('a\n \t\n\n\nb'), [[[t('a')]], [[t('b')]]], 'blank lines with spaces and tabs, several in a row: one break');
is(parsePlainText('a\r\n\r\nb\rc'), [[[t('a')]], [[t('b')], [t('c')]]], 'CRLF and CR are newlines');
is(parsePlainText('\n\n  \nx\n\n'), [[[t('x')]]], 'blank lines at the ends are dropped');
is(parsePlainText(''), [], 'empty text: no paragraph');
is(parsePlainText(null), [], 'not a string: no paragraph');
is(parsePlainText('<script>alert(1)</script> & <b>x</b>'),
    [[[t('<script>alert(1)</script> & <b>x</b>')]]], 'markup stays text');
is(parsePlainText('see https://example.org/rules?x=1&y=2#top now'),
    [[[t('see '), a('https://example.org/rules?x=1&y=2#top'), t(' now')]]], 'an https URL is a link');
is(parsePlainText('http://example.org/a'), [[[a('http://example.org/a')]]], 'an http URL is a link');
is(parsePlainText('Read https://example.org/x.'), [[[t('Read '), a('https://example.org/x'), t('.')]]],
    'a full stop after a URL is not part of it');
is(parsePlainText('(see https://example.org/a_(b))'),
    [[[t('(see '), a('https://example.org/a_(b)'), t(')')]]], 'balanced brackets stay, the closing one of the prose goes');
is(parsePlainText('go to https://EXAMPLE.org'), [[[t('go to '), a('https://example.org/', 'https://EXAMPLE.org')]]],
    'the link text is as written, the target normalised');
is(parsePlainText('javascript:alert(1) data:text/html,<b>x</b> ftp://example.org/f'),
    [[[t('javascript:alert(1) data:text/html,<b>x</b> ftp://example.org/f')]]], 'javascript:, data: and ftp: stay text');
is(parsePlainText('xhttps://example.org'), [[[t('xhttps://example.org')]]], 'a scheme glued to a word is not a URL');
is(parsePlainText('https:// and https://'), [[[t('https:// and https://')]]], 'a scheme without a host stays text');
is(parsePlainText('"https://example.org/q"'), [[[t('"'), a('https://example.org/q'), t('"')]]], 'quotes around a URL are not part of it');
is(parsePlainText('a https://a.example b https://b.example'),
    [[[t('a '), a('https://a.example/', 'https://a.example'), t(' b '), a('https://b.example/', 'https://b.example')]]], 'two links in one line');
is(safeHref('javascript:alert(1)'), null, 'safeHref refuses javascript:');
is(safeHref('data:text/html,x'), null, 'safeHref refuses data:');
is(safeHref('https://example.org/m'), 'https://example.org/m', 'safeHref keeps https');
is(safeHref('not a url'), null, 'safeHref refuses what is not a URL');
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
