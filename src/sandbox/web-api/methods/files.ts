import { fileObject } from '../../shapes.js';
import type { SandboxFile } from '../../state.js';
import { addBotMessage, checkContent, fail, resolveChannel, resolveThread, str, type MethodHandler } from '../context.js';

/**
 * The files.uploadV2 flow (@slack/web-api WebClient.filesUploadV2): getUploadURLExternal reserves
 * a file id and an upload URL, the bytes go to that URL (routes.ts), completeUploadExternal shares
 * the files into a channel or thread as one message.
 */

/** Slack's per-file upload limit. */
export const MAX_FILE_BYTES = 1024 * 1024 * 1024;

const getUploadURLExternal: MethodHandler = (args, ctx) => {
  const length = Number(args.length);
  if (length < 0 || length > MAX_FILE_BYTES) return fail('invalid_arguments', [`[ERROR] length must be between 0 and ${MAX_FILE_BYTES} bytes`]);
  const id = ctx.newId('F');
  const filename = str(args, 'filename')!;
  const file: SandboxFile = {
    id,
    name: filename,
    title: filename,
    length,
    user: ctx.workspace.bot.userId,
    created: Math.floor(ctx.now() / 1000),
    completed: false,
    shares: [],
  };
  const alt = str(args, 'alt_text');
  if (alt) file.alt_text = alt;
  const snippet = str(args, 'snippet_type');
  if (snippet) file.snippet_type = snippet;
  ctx.state.addFile(file);
  return { ok: true, body: { upload_url: `${ctx.publicBase()}/upload/${id}`, file_id: id } };
};

const completeUploadExternal: MethodHandler = (args, ctx) => {
  const list = args.files as unknown[];
  if (list.length === 0) return fail('invalid_arguments', ['[ERROR] files must name at least one uploaded file']);
  const entries: { id: string; title?: string }[] = [];
  for (const [i, entry] of list.entries()) {
    if (typeof entry !== 'object' || entry === null || typeof (entry as { id?: unknown }).id !== 'string') {
      return fail('invalid_arguments', [`[ERROR] files[${i}] must be an object with an id (from files.getUploadURLExternal)`]);
    }
    const e = entry as { id: string; title?: unknown };
    entries.push({ id: e.id, ...(typeof e.title === 'string' ? { title: e.title } : {}) });
  }
  const files: SandboxFile[] = [];
  for (const e of entries) {
    const f = ctx.state.file(e.id);
    if (!f) return fail('file_not_found', [`[ERROR] no file ${e.id}; get an id from files.getUploadURLExternal first`]);
    if (!f.bytes) return fail('file_not_found', [`[ERROR] file ${e.id} was never uploaded to its upload_url`]);
    if (f.completed) return fail('file_not_found', [`[ERROR] file ${e.id} was already completed`]);
    files.push(f);
  }
  const channelRef = str(args, 'channel_id');
  const threadTs = str(args, 'thread_ts');
  let channelId: string | undefined;
  let parentTs: string | undefined;
  if (channelRef) {
    const channel = resolveChannel(ctx.workspace, channelRef);
    if (!channel) return fail('channel_not_found', [`[ERROR] no channel ${channelRef} in this workspace`]);
    if (!channel.members.has(ctx.workspace.bot.userId)) return fail('not_in_channel', [`[ERROR] the bot is not a member of ${channel.id}; invite it first`]);
    channelId = channel.id;
    if (threadTs) {
      const thread = resolveThread(ctx.state, channel.id, threadTs);
      if (!thread.ok) return fail('thread_not_found', [`[ERROR] no message ${threadTs} in ${channel.id} to reply to`]);
      parentTs = thread.parentTs;
    }
  } else if (threadTs) {
    return fail('invalid_arguments', ['[ERROR] thread_ts needs channel_id']);
  }
  const initialComment = str(args, 'initial_comment');
  // files.d.ts: "If the initial_comment field is provided, the blocks field is ignored."
  const blocks = initialComment ? undefined : (args.blocks as unknown[] | undefined);
  if (blocks) {
    const problem = checkContent({ text: initialComment ?? '', blocks });
    if (problem) return problem;
  }
  for (const [i, f] of files.entries()) {
    f.completed = true;
    const title = entries[i]!.title;
    if (title) f.title = title;
  }
  if (channelId) {
    const m = addBotMessage(ctx, { channel: channelId, text: initialComment ?? '', blocks, files: files.map((f) => f.id), thread_ts: parentTs });
    for (const f of files) f.shares.push({ channel: channelId, ts: m.ts });
  }
  ctx.state.changed();
  return { ok: true, body: { files: files.map((f) => fileObject(f, ctx.publicBase())) } };
};

export const fileMethods: Record<string, MethodHandler> = {
  'files.getUploadURLExternal': getUploadURLExternal,
  'files.completeUploadExternal': completeUploadExternal,
};
