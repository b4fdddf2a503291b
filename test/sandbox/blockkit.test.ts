import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateBlocks, validateView, type BlockProblem } from '../../src/sandbox/blockkit/index.js';
import { mulberry32 } from '../support/random.js';

type Obj = Record<string, unknown>;
type Surface = 'message' | 'modal' | 'home';

const x = (n: number) => 'x'.repeat(n);
const pt = (text: string, extra: Obj = {}) => ({ type: 'plain_text', text, ...extra });
const md = (text: string, extra: Obj = {}) => ({ type: 'mrkdwn', text, ...extra });
const section = (text = 'hello', extra: Obj = {}) => ({ type: 'section', text: md(text), ...extra });
const button = (extra: Obj = {}) => ({ type: 'button', text: pt('Go'), action_id: 'go', ...extra });
const actions = (...elements: Obj[]) => ({ type: 'actions', elements });
const opt = (value: string, extra: Obj = {}) => ({ text: pt(value), value, ...extra });
const select = (extra: Obj = {}) => ({ type: 'static_select', action_id: 'pick', options: [opt('a'), opt('b')], ...extra });
const input = (element: Obj, extra: Obj = {}) => ({ type: 'input', label: pt('Label'), element, ...extra });
const confirm = (extra: Obj = {}) => ({ title: pt('Sure?'), text: pt('Really?'), confirm: pt('Yes'), deny: pt('No'), ...extra });
const withConfirm = (c: Obj) => [actions(button({ confirm: c }))];
const many = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
const modal = (extra: Obj = {}) => ({ type: 'modal', title: pt('Title'), blocks: [section()], ...extra });

/** One rule: an example Slack accepts, one it rejects, and where and how it says so. */
interface Rule {
  rule: string;
  surface?: Surface;
  valid: unknown;
  invalid: unknown;
  problem: BlockProblem;
}

const blockRules: Rule[] = [
  // surfaces
  { rule: 'a message takes 50 blocks', valid: many(50, () => ({ type: 'divider' })), invalid: many(51, () => ({ type: 'divider' })), problem: { pointer: '/blocks', message: 'no more than 50 items allowed' } },
  { rule: 'a modal takes 100 blocks', surface: 'modal', valid: many(100, () => ({ type: 'divider' })), invalid: many(101, () => ({ type: 'divider' })), problem: { pointer: '/blocks', message: 'no more than 100 items allowed' } },
  { rule: 'a Home tab takes 100 blocks', surface: 'home', valid: many(100, () => ({ type: 'divider' })), invalid: many(101, () => ({ type: 'divider' })), problem: { pointer: '/blocks', message: 'no more than 100 items allowed' } },
  { rule: 'blocks is an array', valid: [], invalid: { type: 'divider' }, problem: { pointer: '/blocks', message: 'must provide an array' } },
  { rule: 'a block is an object', valid: [section()], invalid: ['text'], problem: { pointer: '/blocks/0', message: 'must provide an object' } },
  { rule: 'a block has a type', valid: [section()], invalid: [{ text: md('x') }], problem: { pointer: '/blocks/0', message: 'missing required field: type' } },
  { rule: 'unknown block types are unsupported', valid: [{ type: 'divider' }], invalid: [{ type: 'carousel' }], problem: { pointer: '/blocks/0/type', message: 'unsupported type: carousel (must be one of section, header, divider, context, actions, image, input, rich_text)' } },
  { rule: 'unknown block properties are rejected', valid: [{ type: 'divider', block_id: 'd' }], invalid: [{ type: 'divider', color: 'red' }], problem: { pointer: '/blocks/0/color', message: 'invalid additional property: color' } },
  // ids
  { rule: 'block_id is at most 255 characters', valid: [section('a', { block_id: x(255) })], invalid: [section('a', { block_id: x(256) })], problem: { pointer: '/blocks/0/block_id', message: 'must be less than 256 characters' } },
  { rule: 'block_id is unique in the surface', valid: [section('a', { block_id: 'one' }), section('b', { block_id: 'two' })], invalid: [section('a', { block_id: 'one' }), section('b', { block_id: 'one' })], problem: { pointer: '/blocks/1/block_id', message: 'duplicate block_id' } },
  { rule: 'action_id is at most 255 characters', valid: [actions(button({ action_id: x(255) }))], invalid: [actions(button({ action_id: x(256) }))], problem: { pointer: '/blocks/0/elements/0/action_id', message: 'must be less than 256 characters' } },
  { rule: 'action_id is unique in its block (the same id in two blocks is fine)', valid: [actions(button({ action_id: 'approve' })), actions(button({ action_id: 'approve' }))], invalid: [actions(button({ action_id: 'approve' }), button({ action_id: 'approve' }))], problem: { pointer: '/blocks/0/elements/1/action_id', message: 'duplicate action_id' } },
  { rule: 'only one element in a surface has focus_on_load', surface: 'modal', valid: [input({ type: 'plain_text_input', action_id: 'a', focus_on_load: true }), input({ type: 'datepicker', action_id: 'c' })], invalid: [input({ type: 'plain_text_input', action_id: 'a' }, { block_id: 'b' }), input({ type: 'plain_text_input', action_id: 'a', focus_on_load: true }), input({ type: 'datepicker', action_id: 'c', focus_on_load: true })], problem: { pointer: '/blocks/2/element/focus_on_load', message: 'only one element may have focus_on_load set to true' } },
  // text objects
  { rule: 'text is at least 1 character', valid: [section('a')], invalid: [section('')], problem: { pointer: '/blocks/0/text/text', message: 'must be more than 0 characters' } },
  { rule: 'text is plain_text or mrkdwn', valid: [section('a')], invalid: [{ type: 'section', text: { type: 'markdown', text: 'a' } }], problem: { pointer: '/blocks/0/text/type', message: 'unsupported type: markdown (must be one of plain_text, mrkdwn)' } },
  { rule: 'emoji only on plain_text', valid: [{ type: 'section', text: pt('a', { emoji: true }) }], invalid: [{ type: 'section', text: md('a', { emoji: true }) }], problem: { pointer: '/blocks/0/text/emoji', message: 'invalid additional property: emoji' } },
  { rule: 'verbatim only on mrkdwn', valid: [{ type: 'section', text: md('a', { verbatim: true }) }], invalid: [{ type: 'section', text: pt('a', { verbatim: true }) }], problem: { pointer: '/blocks/0/text/verbatim', message: 'invalid additional property: verbatim' } },
  { rule: 'text is a string', valid: [section('a')], invalid: [{ type: 'section', text: { type: 'mrkdwn', text: 5 } }], problem: { pointer: '/blocks/0/text/text', message: 'must provide a string' } },
  // section
  { rule: 'section text is at most 3000 characters', valid: [section(x(3000))], invalid: [section(x(3001))], problem: { pointer: '/blocks/0/text/text', message: 'must be less than 3001 characters' } },
  { rule: 'section text counts code points, as the maxLength of Slack\'s published JSON schemas does', valid: [section('😀'.repeat(3000))], invalid: [section('😀'.repeat(2999) + 'ab')], problem: { pointer: '/blocks/0/text/text', message: 'must be less than 3001 characters' } },
  { rule: 'section needs text or fields', valid: [{ type: 'section', fields: [md('a')] }], invalid: [{ type: 'section', block_id: 's' }], problem: { pointer: '/blocks/0', message: 'must provide either text or fields' } },
  { rule: 'section takes at most 10 fields', valid: [{ type: 'section', fields: many(10, () => md('f')) }], invalid: [{ type: 'section', fields: many(11, () => md('f')) }], problem: { pointer: '/blocks/0/fields', message: 'no more than 10 items allowed' } },
  { rule: 'a field is at most 2000 characters', valid: [{ type: 'section', fields: [md(x(2000))] }], invalid: [{ type: 'section', fields: [md('a'), md(x(2001))] }], problem: { pointer: '/blocks/0/fields/1/text', message: 'must be less than 2001 characters' } },
  { rule: 'a section accessory is a known element', valid: [section('a', { accessory: { type: 'image', image_url: 'https://x/y.png', alt_text: 'y' } })], invalid: [section('a', { accessory: { type: 'plain_text_input' } })], problem: { pointer: '/blocks/0/accessory/type', message: 'unsupported type: plain_text_input (must be one of button, checkboxes, datepicker, image, overflow, radio_buttons, static_select)' } },
  { rule: 'section expand is a boolean', valid: [section('a', { expand: true })], invalid: [section('a', { expand: 'yes' })], problem: { pointer: '/blocks/0/expand', message: 'must provide a boolean' } },
  // header
  { rule: 'header text is at most 150 characters', valid: [{ type: 'header', text: pt(x(150)) }], invalid: [{ type: 'header', text: pt(x(151)) }], problem: { pointer: '/blocks/0/text/text', message: 'must be less than 151 characters' } },
  { rule: 'header text is plain_text', valid: [{ type: 'header', text: pt('a') }], invalid: [{ type: 'header', text: md('a') }], problem: { pointer: '/blocks/0/text/type', message: 'must be one of plain_text' } },
  { rule: 'header needs text', valid: [{ type: 'header', text: pt('a') }], invalid: [{ type: 'header' }], problem: { pointer: '/blocks/0', message: 'missing required field: text' } },
  // context
  { rule: 'context takes at most 10 elements', valid: [{ type: 'context', elements: many(10, () => md('c')) }], invalid: [{ type: 'context', elements: many(11, () => md('c')) }], problem: { pointer: '/blocks/0/elements', message: 'no more than 10 items allowed' } },
  { rule: 'context takes text and images only', valid: [{ type: 'context', elements: [pt('a'), { type: 'image', image_url: 'https://x/i.png', alt_text: 'i' }] }], invalid: [{ type: 'context', elements: [button()] }], problem: { pointer: '/blocks/0/elements/0/type', message: 'unsupported type: button (must be one of image, plain_text, mrkdwn)' } },
  { rule: 'context needs at least one element', valid: [{ type: 'context', elements: [md('a')] }], invalid: [{ type: 'context', elements: [] }], problem: { pointer: '/blocks/0/elements', message: 'must provide at least 1 item' } },
  // actions
  { rule: 'actions takes at most 25 elements', valid: [actions(...many(25, (i) => button({ action_id: `b${i}` })))], invalid: [actions(...many(26, (i) => button({ action_id: `b${i}` })))], problem: { pointer: '/blocks/0/elements', message: 'no more than 25 items allowed' } },
  { rule: 'actions takes interactive elements only', valid: [actions(select(), { type: 'datepicker', action_id: 'd' })], invalid: [actions({ type: 'image', image_url: 'https://x/i.png', alt_text: 'i' })], problem: { pointer: '/blocks/0/elements/0/type', message: 'unsupported type: image (must be one of button, checkboxes, datepicker, overflow, radio_buttons, static_select)' } },
  // button
  { rule: 'button text is at most 75 characters', valid: [actions(button({ text: pt(x(75)) }))], invalid: [actions(button({ text: pt(x(76)) }))], problem: { pointer: '/blocks/0/elements/0/text/text', message: 'must be less than 76 characters' } },
  { rule: 'button text is plain_text', valid: [actions(button())], invalid: [actions(button({ text: md('Go') }))], problem: { pointer: '/blocks/0/elements/0/text/type', message: 'must be one of plain_text' } },
  { rule: 'button value is at most 2000 characters', valid: [actions(button({ value: x(2000) }))], invalid: [actions(button({ value: x(2001) }))], problem: { pointer: '/blocks/0/elements/0/value', message: 'must be less than 2001 characters' } },
  { rule: 'button url is at most 3000 characters', valid: [actions(button({ url: 'https://e.x/' + x(2988) }))], invalid: [actions(button({ url: 'https://e.x/' + x(2989) }))], problem: { pointer: '/blocks/0/elements/0/url', message: 'must be less than 3001 characters' } },
  { rule: 'button style is primary or danger', valid: [actions(button({ style: 'danger' }))], invalid: [actions(button({ style: 'secondary' }))], problem: { pointer: '/blocks/0/elements/0/style', message: 'must be one of primary, danger' } },
  { rule: 'button accessibility_label is at most 75 characters', valid: [actions(button({ accessibility_label: x(75) }))], invalid: [actions(button({ accessibility_label: x(76) }))], problem: { pointer: '/blocks/0/elements/0/accessibility_label', message: 'must be less than 76 characters' } },
  { rule: 'button needs text', valid: [actions(button())], invalid: [actions({ type: 'button', action_id: 'a' })], problem: { pointer: '/blocks/0/elements/0', message: 'missing required field: text' } },
  // confirm
  { rule: 'confirm title is at most 100 characters', valid: withConfirm(confirm({ title: pt(x(100)) })), invalid: withConfirm(confirm({ title: pt(x(101)) })), problem: { pointer: '/blocks/0/elements/0/confirm/title/text', message: 'must be less than 101 characters' } },
  { rule: 'confirm text is at most 300 characters', valid: withConfirm(confirm({ text: md(x(300)) })), invalid: withConfirm(confirm({ text: md(x(301)) })), problem: { pointer: '/blocks/0/elements/0/confirm/text/text', message: 'must be less than 301 characters' } },
  { rule: 'confirm button text is at most 30 characters', valid: withConfirm(confirm({ confirm: pt(x(30)) })), invalid: withConfirm(confirm({ confirm: pt(x(31)) })), problem: { pointer: '/blocks/0/elements/0/confirm/confirm/text', message: 'must be less than 31 characters' } },
  { rule: 'deny button text is at most 30 characters', valid: withConfirm(confirm({ deny: pt(x(30)) })), invalid: withConfirm(confirm({ deny: pt(x(31)) })), problem: { pointer: '/blocks/0/elements/0/confirm/deny/text', message: 'must be less than 31 characters' } },
  { rule: 'confirm needs a deny text', valid: withConfirm(confirm()), invalid: withConfirm({ title: pt('a'), text: pt('b'), confirm: pt('c') }), problem: { pointer: '/blocks/0/elements/0/confirm', message: 'missing required field: deny' } },
  { rule: 'confirm style is primary or danger', valid: withConfirm(confirm({ style: 'primary' })), invalid: withConfirm(confirm({ style: 'red' })), problem: { pointer: '/blocks/0/elements/0/confirm/style', message: 'must be one of primary, danger' } },
  // image block
  { rule: 'image_url is at most 3000 characters', valid: [{ type: 'image', image_url: 'https://e.x/' + x(2988), alt_text: 'a' }], invalid: [{ type: 'image', image_url: 'https://e.x/' + x(2989), alt_text: 'a' }], problem: { pointer: '/blocks/0/image_url', message: 'must be less than 3001 characters' } },
  { rule: 'image alt_text is at most 2000 characters', valid: [{ type: 'image', image_url: 'https://e.x/i.png', alt_text: x(2000) }], invalid: [{ type: 'image', image_url: 'https://e.x/i.png', alt_text: x(2001) }], problem: { pointer: '/blocks/0/alt_text', message: 'must be less than 2001 characters' } },
  { rule: 'image needs alt_text', valid: [{ type: 'image', image_url: 'https://e.x/i.png', alt_text: 'i' }], invalid: [{ type: 'image', image_url: 'https://e.x/i.png' }], problem: { pointer: '/blocks/0', message: 'missing required field: alt_text' } },
  { rule: 'image title is plain_text of at most 2000 characters', valid: [{ type: 'image', image_url: 'https://e.x/i.png', alt_text: 'i', title: pt(x(2000)) }], invalid: [{ type: 'image', image_url: 'https://e.x/i.png', alt_text: 'i', title: pt(x(2001)) }], problem: { pointer: '/blocks/0/title/text', message: 'must be less than 2001 characters' } },
  { rule: 'image comes from image_url or slack_file', valid: [{ type: 'image', slack_file: { id: 'F123' }, alt_text: 'i' }], invalid: [{ type: 'image', alt_text: 'i' }], problem: { pointer: '/blocks/0', message: 'must provide either image_url or slack_file' } },
  // static select and options
  { rule: 'static_select takes at most 100 options', valid: [actions(select({ options: many(100, (i) => opt(`o${i}`)) }))], invalid: [actions(select({ options: many(101, (i) => opt(`o${i}`)) }))], problem: { pointer: '/blocks/0/elements/0/options', message: 'no more than 100 items allowed' } },
  { rule: 'option text is at most 75 characters', valid: [actions(select({ options: [{ text: pt(x(75)), value: 'v' }] }))], invalid: [actions(select({ options: [{ text: pt(x(76)), value: 'v' }] }))], problem: { pointer: '/blocks/0/elements/0/options/0/text/text', message: 'must be less than 76 characters' } },
  { rule: 'option value is at most 150 characters', valid: [actions(select({ options: [{ text: pt('a'), value: x(150) }] }))], invalid: [actions(select({ options: [opt('a'), { text: pt('b'), value: x(151) }] }))], problem: { pointer: '/blocks/0/elements/0/options/1/value', message: 'must be less than 151 characters' } },
  { rule: 'option description is at most 75 characters', valid: [actions(select({ options: [opt('a', { description: pt(x(75)) })] }))], invalid: [actions(select({ options: [opt('a', { description: pt(x(76)) })] }))], problem: { pointer: '/blocks/0/elements/0/options/0/description/text', message: 'must be less than 76 characters' } },
  { rule: 'select options are plain_text', valid: [actions(select())], invalid: [actions(select({ options: [{ text: md('a'), value: 'a' }] }))], problem: { pointer: '/blocks/0/elements/0/options/0/text/type', message: 'must be one of plain_text' } },
  { rule: 'option url exists only in overflow menus', valid: [actions({ type: 'overflow', action_id: 'o', options: [opt('a', { url: 'https://e.x' }), opt('b')] })], invalid: [actions(select({ options: [opt('a', { url: 'https://e.x' })] }))], problem: { pointer: '/blocks/0/elements/0/options/0/url', message: 'invalid additional property: url' } },
  { rule: 'static_select takes options or option_groups, not both', valid: [actions(select({ options: undefined, option_groups: [{ label: pt('G'), options: [opt('a')] }] }))], invalid: [actions(select({ option_groups: [{ label: pt('G'), options: [opt('a')] }] }))], problem: { pointer: '/blocks/0/elements/0', message: 'must provide either options or option_groups' } },
  { rule: 'static_select takes at most 100 option_groups', valid: [actions(select({ options: undefined, option_groups: many(100, (i) => ({ label: pt('G'), options: [opt(`o${i}`)] })) }))], invalid: [actions(select({ options: undefined, option_groups: many(101, (i) => ({ label: pt('G'), options: [opt(`o${i}`)] })) }))], problem: { pointer: '/blocks/0/elements/0/option_groups', message: 'no more than 100 items allowed' } },
  { rule: 'option group label is at most 75 characters', valid: [actions(select({ options: undefined, option_groups: [{ label: pt(x(75)), options: [opt('a')] }] }))], invalid: [actions(select({ options: undefined, option_groups: [{ label: pt(x(76)), options: [opt('a')] }] }))], problem: { pointer: '/blocks/0/elements/0/option_groups/0/label/text', message: 'must be less than 76 characters' } },
  { rule: 'initial_option is one of the options', valid: [actions(select({ initial_option: opt('b') }))], invalid: [actions(select({ initial_option: opt('z') }))], problem: { pointer: '/blocks/0/elements/0/initial_option', message: 'must match one of the options' } },
  { rule: 'select placeholder is at most 150 characters', valid: [actions(select({ placeholder: pt(x(150)) }))], invalid: [actions(select({ placeholder: pt(x(151)) }))], problem: { pointer: '/blocks/0/elements/0/placeholder/text', message: 'must be less than 151 characters' } },
  // overflow
  { rule: 'overflow takes at most 5 options', valid: [actions({ type: 'overflow', options: many(5, (i) => opt(`o${i}`)) })], invalid: [actions({ type: 'overflow', options: many(6, (i) => opt(`o${i}`)) })], problem: { pointer: '/blocks/0/elements/0/options', message: 'no more than 5 items allowed' } },
  { rule: 'overflow takes at least 2 options', valid: [actions({ type: 'overflow', options: [opt('a'), opt('b')] })], invalid: [actions({ type: 'overflow', options: [opt('a')] })], problem: { pointer: '/blocks/0/elements/0/options', message: 'must provide at least 2 items' } },
  { rule: 'overflow option url is at most 3000 characters', valid: [actions({ type: 'overflow', options: [opt('a', { url: 'https://e.x/' + x(2988) }), opt('b')] })], invalid: [actions({ type: 'overflow', options: [opt('a', { url: 'https://e.x/' + x(2989) }), opt('b')] })], problem: { pointer: '/blocks/0/elements/0/options/0/url', message: 'must be less than 3001 characters' } },
  // datepicker
  { rule: 'datepicker initial_date is YYYY-MM-DD', valid: [actions({ type: 'datepicker', initial_date: '2026-11-21' })], invalid: [actions({ type: 'datepicker', initial_date: '21/11/2026' })], problem: { pointer: '/blocks/0/elements/0/initial_date', message: 'must match the format YYYY-MM-DD' } },
  { rule: 'datepicker placeholder is at most 150 characters', valid: [actions({ type: 'datepicker', placeholder: pt(x(150)) })], invalid: [actions({ type: 'datepicker', placeholder: pt(x(151)) })], problem: { pointer: '/blocks/0/elements/0/placeholder/text', message: 'must be less than 151 characters' } },
  // plain-text input
  { rule: 'plain_text_input lives in input blocks', surface: 'modal', valid: [input({ type: 'plain_text_input', action_id: 't', multiline: true })], invalid: [actions({ type: 'plain_text_input', action_id: 't' })], problem: { pointer: '/blocks/0/elements/0/type', message: 'unsupported type: plain_text_input (must be one of button, checkboxes, datepicker, overflow, radio_buttons, static_select)' } },
  { rule: 'plain_text_input max_length is at most 3000', surface: 'modal', valid: [input({ type: 'plain_text_input', max_length: 3000 })], invalid: [input({ type: 'plain_text_input', max_length: 3001 })], problem: { pointer: '/blocks/0/element/max_length', message: 'must be less than or equal to 3000' } },
  { rule: 'plain_text_input min_length is an integer', surface: 'modal', valid: [input({ type: 'plain_text_input', min_length: 0 })], invalid: [input({ type: 'plain_text_input', min_length: 1.5 })], problem: { pointer: '/blocks/0/element/min_length', message: 'must provide an integer' } },
  { rule: 'plain_text_input min_length does not exceed max_length', surface: 'modal', valid: [input({ type: 'plain_text_input', min_length: 2, max_length: 2 })], invalid: [input({ type: 'plain_text_input', min_length: 3, max_length: 2 })], problem: { pointer: '/blocks/0/element/max_length', message: 'must be greater than or equal to min_length' } },
  { rule: 'dispatch_action_config triggers are known', surface: 'modal', valid: [input({ type: 'plain_text_input', dispatch_action_config: { trigger_actions_on: ['on_enter_pressed'] } })], invalid: [input({ type: 'plain_text_input', dispatch_action_config: { trigger_actions_on: ['on_blur'] } })], problem: { pointer: '/blocks/0/element/dispatch_action_config/trigger_actions_on/0', message: 'must be one of on_enter_pressed, on_character_entered' } },
  // checkboxes and radio buttons
  { rule: 'checkboxes take at most 10 options, mrkdwn allowed', valid: [actions({ type: 'checkboxes', options: many(10, (i) => ({ text: md(`*${i}*`), value: `v${i}` })) })], invalid: [actions({ type: 'checkboxes', options: many(11, (i) => opt(`v${i}`)) })], problem: { pointer: '/blocks/0/elements/0/options', message: 'no more than 10 items allowed' } },
  { rule: 'checkbox initial_options are among the options', valid: [actions({ type: 'checkboxes', options: [opt('a'), opt('b')], initial_options: [opt('b')] })], invalid: [actions({ type: 'checkboxes', options: [opt('a')], initial_options: [opt('a'), opt('q')] })], problem: { pointer: '/blocks/0/elements/0/initial_options/1', message: 'must match one of the options' } },
  { rule: 'radio buttons take at most 10 options', valid: [actions({ type: 'radio_buttons', options: many(10, (i) => opt(`v${i}`)) })], invalid: [actions({ type: 'radio_buttons', options: many(11, (i) => opt(`v${i}`)) })], problem: { pointer: '/blocks/0/elements/0/options', message: 'no more than 10 items allowed' } },
  // image element
  { rule: 'an image element needs alt_text', valid: [section('a', { accessory: { type: 'image', image_url: 'https://e.x/i.png', alt_text: 'i' } })], invalid: [section('a', { accessory: { type: 'image', image_url: 'https://e.x/i.png' } })], problem: { pointer: '/blocks/0/accessory', message: 'missing required field: alt_text' } },
  // input
  { rule: 'input label is at most 2000 characters', surface: 'modal', valid: [input(select(), { label: pt(x(2000)) })], invalid: [input(select(), { label: pt(x(2001)) })], problem: { pointer: '/blocks/0/label/text', message: 'must be less than 2001 characters' } },
  { rule: 'input hint is at most 2000 characters', surface: 'modal', valid: [input(select(), { hint: pt(x(2000)) })], invalid: [input(select(), { hint: pt(x(2001)) })], problem: { pointer: '/blocks/0/hint/text', message: 'must be less than 2001 characters' } },
  { rule: 'input needs an element', surface: 'home', valid: [input({ type: 'datepicker' })], invalid: [{ type: 'input', label: pt('L') }], problem: { pointer: '/blocks/0', message: 'missing required field: element' } },
  { rule: 'input blocks are allowed in messages too (Slack lists Messages for them)', valid: [input({ type: 'plain_text_input', action_id: 'q' }, { dispatch_action: true })], invalid: [input({ type: 'button', text: pt('x') })], problem: { pointer: '/blocks/0/element/type', message: 'unsupported type: button (must be one of plain_text_input, checkboxes, radio_buttons, static_select, datepicker)' } },
  // rich text
  { rule: 'rich_text is checked loosely: type plus typed elements', valid: [{ type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'hi', style: { bold: true } }] }] }], invalid: [{ type: 'rich_text', elements: [{ type: 'paragraph', elements: [] }] }], problem: { pointer: '/blocks/0/elements/0/type', message: 'must be one of rich_text_section, rich_text_list, rich_text_preformatted, rich_text_quote' } },
];

describe('validateBlocks: one accepted and one rejected example per rule', () => {
  for (const r of blockRules) {
    test(`${r.rule}: accepts the valid example`, () => {
      assert.deepEqual(validateBlocks(r.valid, r.surface ?? 'message'), []);
    });
    test(`${r.rule}: rejects the invalid one at ${r.problem.pointer}`, () => {
      const problems = validateBlocks(r.invalid, r.surface ?? 'message');
      assert.ok(
        problems.some((p) => p.pointer === r.problem.pointer && p.message === r.problem.message),
        `expected ${JSON.stringify(r.problem)} in ${JSON.stringify(problems)}`,
      );
    });
  }
});

const viewRules: Rule[] = [
  { rule: 'a view is modal or home', valid: modal(), invalid: { type: 'workflow_step', blocks: [] }, problem: { pointer: '/view/type', message: 'unsupported type: workflow_step (must be one of modal, home)' } },
  { rule: 'a modal needs a title', valid: modal(), invalid: { type: 'modal', blocks: [] }, problem: { pointer: '/view', message: 'missing required field: title' } },
  { rule: 'a modal title is at most 24 characters', valid: modal({ title: pt(x(24)) }), invalid: modal({ title: pt(x(25)) }), problem: { pointer: '/view/title/text', message: 'must be less than 25 characters' } },
  { rule: 'a modal title is plain_text', valid: modal(), invalid: modal({ title: md('T') }), problem: { pointer: '/view/title/type', message: 'must be one of plain_text' } },
  { rule: 'submit is at most 24 characters', valid: modal({ submit: pt(x(24)) }), invalid: modal({ submit: pt(x(25)) }), problem: { pointer: '/view/submit/text', message: 'must be less than 25 characters' } },
  { rule: 'close is at most 24 characters', valid: modal({ close: pt(x(24)) }), invalid: modal({ close: pt(x(25)) }), problem: { pointer: '/view/close/text', message: 'must be less than 25 characters' } },
  { rule: 'callback_id is at most 255 characters', valid: modal({ callback_id: x(255) }), invalid: modal({ callback_id: x(256) }), problem: { pointer: '/view/callback_id', message: 'must be less than 256 characters' } },
  { rule: 'private_metadata is at most 3000 characters', valid: modal({ private_metadata: x(3000) }), invalid: modal({ private_metadata: x(3001) }), problem: { pointer: '/view/private_metadata', message: 'must be less than 3001 characters' } },
  { rule: 'external_id is at most 255 characters', valid: { type: 'home', blocks: [], external_id: x(255) }, invalid: { type: 'home', blocks: [], external_id: x(256) }, problem: { pointer: '/view/external_id', message: 'must be less than 256 characters' } },
  { rule: 'a modal with input blocks needs submit', valid: modal({ blocks: [input(select())], submit: pt('Save') }), invalid: modal({ blocks: [input(select())] }), problem: { pointer: '/view', message: 'missing required field: submit (a modal with input blocks needs a submit button)' } },
  { rule: 'a Home tab has no title', valid: { type: 'home', blocks: [section()] }, invalid: { type: 'home', title: pt('Home'), blocks: [] }, problem: { pointer: '/view/title', message: 'invalid additional property: title' } },
  { rule: 'a view takes 100 blocks', valid: modal({ blocks: many(100, () => ({ type: 'divider' })) }), invalid: { type: 'home', blocks: many(101, () => ({ type: 'divider' })) }, problem: { pointer: '/view/blocks', message: 'no more than 100 items allowed' } },
  { rule: "a view's blocks are checked under /view/blocks", valid: modal({ blocks: [section(x(3000))] }), invalid: modal({ blocks: [section(), section(x(3001))] }), problem: { pointer: '/view/blocks/1/text/text', message: 'must be less than 3001 characters' } },
  { rule: 'a view needs blocks', valid: { type: 'home', blocks: [] }, invalid: { type: 'home' }, problem: { pointer: '/view', message: 'missing required field: blocks' } },
  { rule: 'a view is an object', valid: modal(), invalid: 'modal', problem: { pointer: '/view', message: 'must provide an object' } },
];

describe('validateView: one accepted and one rejected example per rule', () => {
  for (const r of viewRules) {
    test(`${r.rule}: accepts the valid example`, () => assert.deepEqual(validateView(r.valid), []));
    test(`${r.rule}: rejects the invalid one at ${r.problem.pointer}`, () => {
      const problems = validateView(r.invalid);
      assert.ok(
        problems.some((p) => p.pointer === r.problem.pointer && p.message === r.problem.message),
        `expected ${JSON.stringify(r.problem)} in ${JSON.stringify(problems)}`,
      );
    });
  }
});

describe('validateBlocks reports every problem, not only the first', () => {
  test('three faults in three blocks come back as three problems', () => {
    const problems = validateBlocks([section(x(3001)), { type: 'header', text: pt(x(151)) }, actions(button({ style: 'blue' }))], 'message');
    assert.deepEqual(problems, [
      { pointer: '/blocks/0/text/text', message: 'must be less than 3001 characters' },
      { pointer: '/blocks/1/text/text', message: 'must be less than 151 characters' },
      { pointer: '/blocks/2/elements/0/style', message: 'must be one of primary, danger' },
    ]);
  });
  test('a property name with "/" is escaped in the pointer (RFC 6901)', () => {
    assert.deepEqual(validateBlocks([{ type: 'divider', 'a/b~c': 1 }], 'message'), [
      { pointer: '/blocks/0/a~1b~0c', message: 'invalid additional property: a/b~c' },
    ]);
  });
});

// ─── fuzz: random blocks built within the documented limits must all pass ───────────────

function generator(seed: number) {
  const rnd = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)] as T;
  const alphabet = ['a', 'Z', ' ', '&', '<', '>', '*', '_', '\n', 'é', '中', '😀', '👩‍💻'];
  /** A string of at most `max` UTF-16 units, often exactly at the limit. */
  const text = (max: number, min = 1): string => {
    const target = rnd() < 0.3 ? max : int(min, max);
    let s = '';
    while (s.length < target) {
      const c = pick(alphabet);
      if (s.length + c.length > target) break;
      s += c;
    }
    while (s.length < min) s += 'a';
    return s;
  };
  let id = 0;
  const uid = (max = 255) => `${++id}-${text(Math.min(max, 40))}`.slice(0, max);
  const plain = (max: number) => ({ type: 'plain_text', text: text(max), ...(rnd() < 0.3 ? { emoji: true } : {}) });
  const mark = (max: number) => ({ type: 'mrkdwn', text: text(max), ...(rnd() < 0.3 ? { verbatim: false } : {}) });
  const anyText = (max: number) => (rnd() < 0.5 ? plain(max) : mark(max));
  const option = (rich = false, url = false) => ({
    text: rich ? anyText(75) : plain(75),
    value: uid(150),
    ...(rnd() < 0.3 ? { description: plain(75) } : {}),
    ...(url && rnd() < 0.5 ? { url: 'https://e.x/' + text(100) } : {}),
  });
  const conf = () => ({ title: plain(100), text: anyText(300), confirm: plain(30), deny: plain(30), ...(rnd() < 0.5 ? { style: pick(['primary', 'danger']) } : {}) });
  const maybe = <T extends Obj>(p: number, o: () => T): T | Obj => (rnd() < p ? o() : {});
  const elements: Record<string, () => Obj> = {
    button: () => ({ type: 'button', text: plain(75), action_id: uid(), ...maybe(0.5, () => ({ value: text(2000) })), ...maybe(0.3, () => ({ style: pick(['primary', 'danger']) })), ...maybe(0.2, () => ({ confirm: conf() })), ...maybe(0.2, () => ({ url: 'https://e.x/' + text(200) })) }),
    static_select: () => {
      const options = Array.from({ length: int(1, 100) }, () => option());
      return { type: 'static_select', action_id: uid(), options, ...maybe(0.3, () => ({ initial_option: pick(options) })), ...maybe(0.3, () => ({ placeholder: plain(150) })) };
    },
    overflow: () => ({ type: 'overflow', action_id: uid(), options: Array.from({ length: int(2, 5) }, () => option(false, true)) }),
    datepicker: () => ({ type: 'datepicker', action_id: uid(), ...maybe(0.5, () => ({ initial_date: `20${int(10, 40)}-0${int(1, 9)}-1${int(0, 9)}` })) }),
    checkboxes: () => {
      const options = Array.from({ length: int(1, 10) }, () => option(true));
      return { type: 'checkboxes', action_id: uid(), options, ...maybe(0.3, () => ({ initial_options: options.slice(0, int(0, options.length)) })) };
    },
    radio_buttons: () => ({ type: 'radio_buttons', action_id: uid(), options: Array.from({ length: int(1, 10) }, () => option(true)) }),
    image: () => ({ type: 'image', image_url: 'https://e.x/' + text(100), alt_text: text(2000) }),
    plain_text_input: () => ({ type: 'plain_text_input', action_id: uid(), multiline: rnd() < 0.5, ...maybe(0.3, () => ({ min_length: int(0, 10), max_length: int(10, 3000) })) }),
  };
  const el = (types: string[]) => (elements[pick(types)] as () => Obj)();
  const blocks: Record<string, () => Obj> = {
    section: () => ({ type: 'section', block_id: uid(), ...(rnd() < 0.8 ? { text: anyText(3000) } : { fields: Array.from({ length: int(1, 10) }, () => anyText(2000)) }), ...maybe(0.4, () => ({ accessory: el(['button', 'static_select', 'overflow', 'datepicker', 'checkboxes', 'radio_buttons', 'image']) })) }),
    header: () => ({ type: 'header', text: plain(150) }),
    divider: () => ({ type: 'divider' }),
    context: () => ({ type: 'context', elements: Array.from({ length: int(1, 10) }, () => (rnd() < 0.2 ? elements.image!() : anyText(3000))) }),
    actions: () => ({ type: 'actions', block_id: uid(), elements: Array.from({ length: int(1, 25) }, () => el(['button', 'static_select', 'overflow', 'datepicker', 'checkboxes', 'radio_buttons'])) }),
    image: () => ({ type: 'image', image_url: 'https://e.x/' + text(2000), alt_text: text(2000), ...maybe(0.5, () => ({ title: plain(2000) })) }),
    input: () => ({ type: 'input', label: plain(2000), element: el(['plain_text_input', 'static_select', 'datepicker', 'checkboxes', 'radio_buttons']), ...maybe(0.5, () => ({ hint: plain(2000) })), optional: rnd() < 0.5 }),
    rich_text: () => ({ type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: text(500) }] }] }),
  };
  return (n: number) => Array.from({ length: n }, () => (blocks[pick(Object.keys(blocks))] as () => Obj)());
}

describe('random blocks within every documented limit pass', () => {
  test('300 random messages of up to 50 blocks each', () => {
    const make = generator(20261121);
    for (let i = 0; i < 300; i++) {
      const blocks = make(1 + (i % 50));
      const problems = validateBlocks(blocks, 'message');
      assert.deepEqual(problems, [], `message ${i}: ${JSON.stringify(problems).slice(0, 500)}`);
    }
  });
  test('50 random modals and Home tabs of up to 100 blocks each', () => {
    const make = generator(7);
    for (let i = 0; i < 50; i++) {
      const blocks = make(1 + ((i * 13) % 100));
      assert.deepEqual(validateView({ type: 'modal', title: pt('Fuzz'), submit: pt('Save'), blocks }), [], `modal ${i}`);
      assert.deepEqual(validateView({ type: 'home', blocks }), [], `home ${i}`);
    }
  });
});
