import { z } from 'zod';

/**
 * Block Kit as Slack documents it, written as zod schemas: one table entry per block and
 * element type, built from a few composition-object factories. Every number below comes
 * from Slack's Block Kit reference (https://docs.slack.dev/reference/block-kit/); the
 * comment on each says which page. Objects are strict because Slack answers an unknown
 * property with `invalid additional property: …`.
 *
 * Lengths are counted in Unicode code points (zod's string min/max), which is what
 * `maxLength` means in the JSON schemas Slack publishes for Block Kit. Slack does not say so
 * in prose; the bot's builders therefore count UTF-16 code units (never fewer than code
 * points), so what they emit fits under either reading.
 */
export const LIMIT = {
  /** blocks: "up to 50 blocks in each message, and 100 blocks in modals or Home tabs". */
  blocksPerMessage: 50,
  blocksPerView: 100,
  /** Every block: block_id "Maximum length for this field is 255 characters". */
  blockId: 255,
  /** Every interactive element: action_id "Maximum length is 255 characters". */
  actionId: 255,
  /** Text object: "minimum length … is 1 and maximum length is 3000 characters". */
  text: 3000,
  /** Section block: text 1–3000, fields "Maximum number of items is 10 … 2000 characters" each. */
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  /** Header block: "Maximum length for the text in this field is 150 characters". */
  headerText: 150,
  /** Context block: elements "Maximum number of items is 10". */
  contextElements: 10,
  /** Actions block: "There is a maximum of 25 elements in each action block". */
  actionsElements: 25,
  /** Image block: image_url 3000, alt_text 2000, title 2000. */
  imageUrl: 3000,
  imageAltText: 2000,
  imageTitle: 2000,
  /** Input block: label 2000, hint 2000. */
  inputLabel: 2000,
  inputHint: 2000,
  /** Button element: text 75, value 2000, url 3000, accessibility_label 75. */
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  buttonAccessibilityLabel: 75,
  /** Select menus, date picker, plain-text input: placeholder 150. */
  placeholder: 150,
  /** Static select: "Maximum number of options is 100", same for option_groups. */
  selectOptions: 100,
  selectOptionGroups: 100,
  /** Overflow menu: "Maximum number of options is 5, minimum is 2". */
  overflowOptionsMin: 2,
  overflowOptionsMax: 5,
  /** Checkboxes and radio buttons: "A maximum of 10 options are allowed". */
  choiceOptions: 10,
  /** Plain-text input: min_length 0–3000, max_length 1–3000. */
  inputLength: 3000,
  /** Option object: text 75, value 150, description 75, url 3000. */
  optionText: 75,
  optionValue: 150,
  optionDescription: 75,
  optionUrl: 3000,
  /** Option group: label 75. */
  optionGroupLabel: 75,
  /** Confirmation dialog: title 100, text 300, confirm 30, deny 30. */
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  /** View object: title/submit/close 24, private_metadata 3000, callback_id 255, external_id 255. */
  viewTitle: 24,
  viewButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
  externalId: 255,
} as const;

// ─── composition objects ────────────────────────────────────────────────────────────────

const str = (max: number, min = 1) => z.string().min(min).max(max);

/** `emoji` exists only on plain_text, `verbatim` only on mrkdwn: strictness rejects the other. */
const plainText = (max: number) =>
  z.strictObject({ type: z.literal('plain_text'), text: str(max), emoji: z.boolean().optional() });
const mrkdwn = (max: number) =>
  z.strictObject({ type: z.literal('mrkdwn'), text: str(max), verbatim: z.boolean().optional() });
const textObject = (max: number) => z.discriminatedUnion('type', [plainText(max), mrkdwn(max)]);

const actionId = str(LIMIT.actionId).optional();
const blockId = str(LIMIT.blockId).optional();
const style = z.enum(['primary', 'danger']).optional();

/** Confirmation dialog: all four texts are "Required" in Slack's table. */
const confirm = z.strictObject({
  title: plainText(LIMIT.confirmTitle),
  text: textObject(LIMIT.confirmText),
  confirm: plainText(LIMIT.confirmButton),
  deny: plainText(LIMIT.confirmButton),
  style,
});

/**
 * Option object. Select and overflow menus take plain_text only; checkboxes and radio
 * buttons also take mrkdwn; `url` is "Only available in overflow menus".
 */
const option = (text: z.ZodType, withUrl = false) =>
  z.strictObject({
    text,
    value: str(LIMIT.optionValue),
    description: plainText(LIMIT.optionDescription).optional(),
    ...(withUrl ? { url: str(LIMIT.optionUrl).optional() } : {}),
  });
const plainOption = option(plainText(LIMIT.optionText));
const richOption = option(textObject(LIMIT.optionText));
const overflowOption = option(plainText(LIMIT.optionText), true);

const optionGroup = z.strictObject({
  label: plainText(LIMIT.optionGroupLabel),
  options: z.array(plainOption).min(1).max(LIMIT.selectOptions),
});

/** An image comes from a public URL or a Slack file (by url or id), never both. */
const slackFile = z.union([z.strictObject({ url: str(LIMIT.imageUrl) }), z.strictObject({ id: str(255) })]);
function oneImageSource(v: { image_url?: unknown; slack_file?: unknown }, ctx: z.RefinementCtx): void {
  if ((v.image_url === undefined) === (v.slack_file === undefined)) {
    ctx.addIssue({ code: 'custom', message: 'must provide either image_url or slack_file', path: [] });
  }
}

type Opt = { value: string };
/** initial_option(s) must be one of the element's options, compared by value. */
function initialIn(
  v: { options?: Opt[]; option_groups?: { options: Opt[] }[]; initial_option?: Opt; initial_options?: Opt[] },
  ctx: z.RefinementCtx,
): void {
  const values = new Set([...(v.options ?? []), ...(v.option_groups ?? []).flatMap((g) => g.options)].map((o) => o.value));
  if (v.initial_option && !values.has(v.initial_option.value)) {
    ctx.addIssue({ code: 'custom', message: 'must match one of the options', path: ['initial_option'] });
  }
  v.initial_options?.forEach((o, i) => {
    if (!values.has(o.value)) ctx.addIssue({ code: 'custom', message: 'must match one of the options', path: ['initial_options', i] });
  });
}

// ─── block elements ─────────────────────────────────────────────────────────────────────

const button = z.strictObject({
  type: z.literal('button'),
  text: plainText(LIMIT.buttonText),
  action_id: actionId,
  url: str(LIMIT.buttonUrl).optional(),
  value: str(LIMIT.buttonValue).optional(),
  style,
  confirm: confirm.optional(),
  accessibility_label: str(LIMIT.buttonAccessibilityLabel).optional(),
});

const staticSelect = z
  .strictObject({
    type: z.literal('static_select'),
    action_id: actionId,
    options: z.array(plainOption).min(1).max(LIMIT.selectOptions).optional(),
    option_groups: z.array(optionGroup).min(1).max(LIMIT.selectOptionGroups).optional(),
    initial_option: plainOption.optional(),
    confirm: confirm.optional(),
    focus_on_load: z.boolean().optional(),
    placeholder: plainText(LIMIT.placeholder).optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.options === undefined) === (v.option_groups === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'must provide either options or option_groups', path: [] });
    }
    initialIn(v, ctx);
  });

const overflow = z.strictObject({
  type: z.literal('overflow'),
  action_id: actionId,
  options: z.array(overflowOption).min(LIMIT.overflowOptionsMin).max(LIMIT.overflowOptionsMax),
  confirm: confirm.optional(),
});

const datepicker = z.strictObject({
  type: z.literal('datepicker'),
  action_id: actionId,
  initial_date: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, { error: 'must match the format YYYY-MM-DD' })
    .optional(),
  confirm: confirm.optional(),
  focus_on_load: z.boolean().optional(),
  placeholder: plainText(LIMIT.placeholder).optional(),
});

const plainTextInput = z
  .strictObject({
    type: z.literal('plain_text_input'),
    action_id: actionId,
    initial_value: z.string().max(LIMIT.inputLength).optional(),
    multiline: z.boolean().optional(),
    min_length: z.int().min(0).max(LIMIT.inputLength).optional(),
    max_length: z.int().min(1).max(LIMIT.inputLength).optional(),
    dispatch_action_config: z
      .strictObject({ trigger_actions_on: z.array(z.enum(['on_enter_pressed', 'on_character_entered'])).min(1).optional() })
      .optional(),
    focus_on_load: z.boolean().optional(),
    placeholder: plainText(LIMIT.placeholder).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.min_length !== undefined && v.max_length !== undefined && v.min_length > v.max_length) {
      ctx.addIssue({ code: 'custom', message: 'must be greater than or equal to min_length', path: ['max_length'] });
    }
  });

const checkboxes = z
  .strictObject({
    type: z.literal('checkboxes'),
    action_id: actionId,
    options: z.array(richOption).min(1).max(LIMIT.choiceOptions),
    initial_options: z.array(richOption).max(LIMIT.choiceOptions).optional(),
    confirm: confirm.optional(),
    focus_on_load: z.boolean().optional(),
  })
  .superRefine(initialIn);

const radioButtons = z
  .strictObject({
    type: z.literal('radio_buttons'),
    action_id: actionId,
    options: z.array(richOption).min(1).max(LIMIT.choiceOptions),
    initial_option: richOption.optional(),
    confirm: confirm.optional(),
    focus_on_load: z.boolean().optional(),
  })
  .superRefine(initialIn);

const imageElement = z
  .strictObject({
    type: z.literal('image'),
    image_url: str(LIMIT.imageUrl).optional(),
    slack_file: slackFile.optional(),
    alt_text: str(LIMIT.imageAltText),
  })
  .superRefine(oneImageSource);

/** Which elements each container accepts (each element page's "Works with block types"). */
const sectionAccessory = z.discriminatedUnion('type', [
  button,
  checkboxes,
  datepicker,
  imageElement,
  overflow,
  radioButtons,
  staticSelect,
]);
const actionsElement = z.discriminatedUnion('type', [button, checkboxes, datepicker, overflow, radioButtons, staticSelect]);
const inputElement = z.discriminatedUnion('type', [plainTextInput, checkboxes, radioButtons, staticSelect, datepicker]);
const contextElement = z.discriminatedUnion('type', [imageElement, plainText(LIMIT.text), mrkdwn(LIMIT.text)]);

// ─── blocks ─────────────────────────────────────────────────────────────────────────────

const section = z
  .strictObject({
    type: z.literal('section'),
    block_id: blockId,
    text: textObject(LIMIT.sectionText).optional(),
    fields: z.array(textObject(LIMIT.sectionFieldText)).min(1).max(LIMIT.sectionFields).optional(),
    accessory: sectionAccessory.optional(),
    expand: z.boolean().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.text === undefined && v.fields === undefined) {
      ctx.addIssue({ code: 'custom', message: 'must provide either text or fields', path: [] });
    }
  });

const header = z.strictObject({ type: z.literal('header'), block_id: blockId, text: plainText(LIMIT.headerText) });

const divider = z.strictObject({ type: z.literal('divider'), block_id: blockId });

const context = z.strictObject({
  type: z.literal('context'),
  block_id: blockId,
  elements: z.array(contextElement).min(1).max(LIMIT.contextElements),
});

const actions = z.strictObject({
  type: z.literal('actions'),
  block_id: blockId,
  elements: z.array(actionsElement).min(1).max(LIMIT.actionsElements),
});

const image = z
  .strictObject({
    type: z.literal('image'),
    block_id: blockId,
    image_url: str(LIMIT.imageUrl).optional(),
    slack_file: slackFile.optional(),
    alt_text: str(LIMIT.imageAltText),
    title: plainText(LIMIT.imageTitle).optional(),
  })
  .superRefine(oneImageSource);

const input = z.strictObject({
  type: z.literal('input'),
  block_id: blockId,
  label: plainText(LIMIT.inputLabel),
  element: inputElement,
  hint: plainText(LIMIT.inputHint).optional(),
  optional: z.boolean().optional(),
  dispatch_action: z.boolean().optional(),
});

/**
 * Rich text is checked loosely on purpose (type plus an array of typed sub-elements): the bot
 * never builds it, and Slack's own client produces shapes richer than its reference shows.
 */
const richText = z.strictObject({
  type: z.literal('rich_text'),
  block_id: blockId,
  elements: z
    .array(
      z.looseObject({
        type: z.enum(['rich_text_section', 'rich_text_list', 'rich_text_preformatted', 'rich_text_quote']),
        elements: z.array(z.looseObject({ type: z.string() })),
      }),
    )
    .min(1),
});

/**
 * The table of block types. Every block here is documented as available in messages, modals
 * and Home tabs (input blocks too: the plain-text input element page lists "Modals, Messages,
 * Home tabs"), so surfaces differ only in how many blocks they take and in view-level rules.
 */
export const BLOCK = z.discriminatedUnion('type', [section, header, divider, context, actions, image, input, richText]);

export const BLOCK_TYPES: readonly string[] = BLOCK.options.map((o) => o.shape.type.value);

// ─── views ──────────────────────────────────────────────────────────────────────────────

/** View objects (https://docs.slack.dev/reference/views); `blocks` is checked block by block. */
const modal = z.strictObject({
  type: z.literal('modal'),
  title: plainText(LIMIT.viewTitle),
  blocks: z.array(z.unknown()),
  close: plainText(LIMIT.viewButton).optional(),
  submit: plainText(LIMIT.viewButton).optional(),
  private_metadata: z.string().max(LIMIT.privateMetadata).optional(),
  callback_id: z.string().max(LIMIT.callbackId).optional(),
  clear_on_close: z.boolean().optional(),
  notify_on_close: z.boolean().optional(),
  external_id: z.string().max(LIMIT.externalId).optional(),
  submit_disabled: z.boolean().optional(),
});

const home = z.strictObject({
  type: z.literal('home'),
  blocks: z.array(z.unknown()),
  private_metadata: z.string().max(LIMIT.privateMetadata).optional(),
  callback_id: z.string().max(LIMIT.callbackId).optional(),
  external_id: z.string().max(LIMIT.externalId).optional(),
});

export const VIEW = z.discriminatedUnion('type', [modal, home]);
