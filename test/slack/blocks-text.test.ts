import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bold, channel, code, escapeMrkdwn, fit, link, oneLine, user } from '../../src/slack/blocks/index.js';
import { mulberry32 } from '../support/random.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
/** Offsets where a grapheme starts, plus the end. */
const boundaries = (s: string) => new Set([...[...graphemes.segment(s)].map((g) => g.index), s.length]);
/** The part of a cut text before its marker. */
const headOf = (s: string) => s.slice(0, s.lastIndexOf('…')).replace(/\n$/, '');

describe('fit', () => {
  test('returns text that fits unchanged', () => {
    assert.equal(fit('hello', 5), 'hello');
    assert.equal(fit('', 3), '');
  });

  test('cuts visibly, counts what was left out and says where it is', () => {
    const text = 'word '.repeat(1000);
    const out = fit(text, 3000, 'full text in the thread');
    assert.ok(out.length <= 3000);
    assert.match(out, /… \(cut: [\d,]+ more characters — full text in the thread\)$/);
    const left = Number(/cut: ([\d,]+)/.exec(out)?.[1]?.replaceAll(',', ''));
    assert.equal(headOf(out).length + left, text.length, 'the count is exactly what was left out');
  });

  test('groups thousands in the count', () => {
    assert.match(fit('a'.repeat(10_000), 3000), /cut: 7,0\d\d more characters/);
  });

  test('cuts at a line break when one is close', () => {
    const text = 'x'.repeat(2900) + '\n' + 'y'.repeat(500);
    const out = fit(text, 3000, 'see the thread');
    assert.ok(out.startsWith('x'.repeat(2900) + '\n… (cut: 501 more characters'), out.slice(2890, 2960));
  });

  test('cuts at a space rather than inside a word when one is close', () => {
    const out = fit('alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu', 50);
    assert.ok(!/\w…/.test(out) || /\s\S+…/.test(out));
    assert.ok(out.length <= 50);
    assert.ok(out.startsWith('alpha beta'), out);
  });

  test('a short limit drops the pointer, then the count, but keeps the ellipsis', () => {
    const button = fit('Approve pausing campaign black-friday-2026 on meta and google for the next two hours', 75, 'see the alert');
    assert.match(button, /… \(cut: \d+ more characters\)$/);
    assert.ok(button.length <= 75);
    assert.equal(fit('Checkout errors are up in EU today', 24), 'Checkout errors are up…');
    assert.equal(fit('abc', 1), '…');
  });

  test('never splits a surrogate pair or an emoji sequence at the cut', () => {
    for (const unit of ['😀', '👩‍👩‍👧‍👦', '🇩🇪', 'é', '中']) {
      for (let pad = 0; pad < 12; pad++) {
        const text = 'a'.repeat(2990 + pad) + unit.repeat(40);
        const out = fit(text, 3000);
        assert.ok(out.length <= 3000);
        assert.ok(!LONE_SURROGATE.test(out), `lone surrogate with ${unit} pad ${pad}`);
        const head = headOf(out);
        assert.ok(text.startsWith(head) && boundaries(text).has(head.length), `split grapheme with ${unit} pad ${pad}`);
      }
    }
  });

  test('never cuts inside an &amp; entity or a <url|label> link', () => {
    const entities = fit('&amp;'.repeat(1000), 3000);
    assert.match(headOf(entities), /(&amp;)+$/);
    const links = fit('see <https://example.com/a/very/long/path|the dashboard> '.repeat(80), 3000);
    const head = headOf(links);
    assert.equal(head.lastIndexOf('<') < head.lastIndexOf('>'), true, head.slice(-80));
  });

  test('random texts of every kind stay within the limit, keep a prefix and mark the cut', () => {
    const rnd = mulberry32(42);
    const alphabet = ['a', 'b', ' ', '\n', '&amp;', '<http://x.y|z>', '😀', '👩‍💻', '🇫🇷', 'ß', '中', '\u0301'];
    for (let i = 0; i < 2000; i++) {
      let text = '';
      const len = Math.floor(rnd() * 4000);
      while (text.length < len) text += alphabet[Math.floor(rnd() * alphabet.length)];
      const max = 1 + Math.floor(rnd() * 3100);
      const more = rnd() < 0.5 ? 'full text in the thread' : undefined;
      const out = fit(text, max, more);
      assert.ok(out.length <= max, `length ${out.length} > ${max}`);
      if (text.length <= max) assert.equal(out, text);
      else {
        assert.ok(out.includes('…'), 'a cut is visible');
        assert.ok(text.startsWith(headOf(out)), 'what is kept is the start of the text');
        assert.ok(!LONE_SURROGATE.test(out), 'no lone surrogate');
      }
    }
  });

  test('rejects a limit that is not a positive integer', () => {
    assert.throws(() => fit('abc', 0), RangeError);
  });
});

describe('mrkdwn helpers', () => {
  test('escapeMrkdwn escapes the three control characters, & first', () => {
    assert.equal(escapeMrkdwn('a < b && c > d &amp;'), 'a &lt; b &amp;&amp; c &gt; d &amp;amp;');
  });
  test('bold, code and link escape their text', () => {
    assert.equal(bold(' EU <paypal> '), '*EU &lt;paypal&gt;*');
    assert.equal(code('SELECT `x` FROM t WHERE a < 1'), '`SELECT ˋxˋ FROM t WHERE a &lt; 1`');
    assert.equal(link('https://e.x/a?b=1&c=2', 'Q&A <1>'), '<https://e.x/a?b=1&c=2|Q&amp;A &lt;1&gt;>');
    assert.equal(link('https://e.x/a|b>c'), '<https://e.x/a%7Cb%3Ec|https://e.x/a|b&gt;c>');
  });
  test('users and channels are mentions when they are Slack ids, names otherwise', () => {
    assert.equal(user('U024BE7LH'), '<@U024BE7LH>');
    assert.equal(user('Dana <ops>'), '*Dana &lt;ops&gt;*');
    assert.equal(channel('C0EXEC123'), '<#C0EXEC123>');
    assert.equal(channel('#exec-daily'), '#exec-daily');
  });
  test('oneLine collapses line breaks and runs of spaces', () => {
    assert.equal(oneLine('  a\n\n b\t c '), 'a b c');
  });
});
