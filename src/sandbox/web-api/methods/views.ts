import { randomBytes } from 'node:crypto';
import { viewErrors } from '../../blocks.js';
import { viewObject } from '../../shapes.js';
import type { SandboxView } from '../../state.js';
import { fail, str, type ApiContext, type MethodHandler, type MethodOutcome } from '../context.js';

/** views.open / update / publish: modals need a fresh trigger_id; updates honour `hash`. */

export function newViewHash(ctx: ApiContext): string {
  return `${Math.floor(ctx.now() / 1000)}.${randomBytes(6).toString('hex')}`;
}

function checkView(view: Record<string, unknown>, type: 'modal' | 'home', method: string): MethodOutcome | undefined {
  if (view.type !== type) {
    return fail('invalid_arguments', [`[ERROR] ${method} takes a view of type ${type}, got ${JSON.stringify(view.type)} [json-pointer:/view/type]`]);
  }
  const errors = viewErrors(view);
  return errors.length > 0 ? fail('invalid_blocks', errors) : undefined;
}

function externalIdTaken(ctx: ApiContext, view: Record<string, unknown>, except?: string): boolean {
  const ext = view.external_id;
  if (typeof ext !== 'string' || ext === '') return false;
  const other = ctx.state.viewByExternalId(ext);
  return other !== undefined && other.id !== except;
}

const open: MethodHandler = (args, ctx) => {
  const view = args.view as Record<string, unknown>;
  const problem = checkView(view, 'modal', 'views.open');
  if (problem) return problem;
  if (externalIdTaken(ctx, view)) return fail('duplicate_external_id', [`[ERROR] external_id ${String(view.external_id)} is already used by another view`]);
  const trigger = ctx.triggers.exchange(str(args, 'trigger_id')!);
  if (!trigger.ok) {
    const why = {
      invalid_trigger_id: 'this trigger_id was never issued',
      expired_trigger_id: 'trigger_ids expire 3 seconds after the interaction; open the modal before doing slow work',
      exchanged_trigger_id: 'this trigger_id was already used; each one opens one view',
    }[trigger.error];
    return fail(trigger.error, [`[ERROR] ${why}`]);
  }
  const id = ctx.newId('V');
  const v: SandboxView = {
    id,
    type: 'modal',
    user: trigger.trigger.user,
    view,
    hash: newViewHash(ctx),
    open: true,
    root_view_id: id,
    previous_view_id: null,
  };
  if (typeof view.external_id === 'string' && view.external_id !== '') v.external_id = view.external_id;
  ctx.state.addView(v);
  return { ok: true, body: { view: viewObject(v, ctx.workspace) } };
};

const update: MethodHandler = (args, ctx) => {
  const viewId = str(args, 'view_id');
  const externalId = str(args, 'external_id');
  if (!viewId && !externalId) return fail('invalid_arguments', ['[ERROR] missing required field: view_id or external_id']);
  if (args.view === undefined) return fail('invalid_arguments', ['[ERROR] missing required field: view']);
  const existing = viewId ? ctx.state.view(viewId) : ctx.state.viewByExternalId(externalId!);
  if (!existing || (existing.type === 'modal' && !existing.open)) return fail('not_found', [`[ERROR] no open view ${viewId ?? externalId}`]);
  const view = args.view as Record<string, unknown>;
  const problem = checkView(view, existing.type, 'views.update');
  if (problem) return problem;
  const hash = str(args, 'hash');
  if (hash && hash !== existing.hash) return fail('hash_conflict', ['[ERROR] the view changed since this hash was read; fetch it again and retry']);
  if (externalIdTaken(ctx, view, existing.id)) return fail('duplicate_external_id');
  existing.view = view;
  existing.hash = newViewHash(ctx);
  if (typeof view.external_id === 'string' && view.external_id !== '') existing.external_id = view.external_id;
  ctx.state.changed();
  return { ok: true, body: { view: viewObject(existing, ctx.workspace) } };
};

const publish: MethodHandler = (args, ctx) => {
  const userId = str(args, 'user_id')!;
  const user = ctx.workspace.user(userId);
  if (!user || user.deleted || user.is_bot) return fail('user_not_found', [`[ERROR] no person ${userId} to publish a home tab for`]);
  const view = args.view as Record<string, unknown>;
  const problem = checkView(view, 'home', 'views.publish');
  if (problem) return problem;
  const existing = ctx.state.homeOf(userId);
  const hash = str(args, 'hash');
  if (hash && existing && hash !== existing.hash) return fail('hash_conflict', ['[ERROR] the home tab changed since this hash was read; fetch it again and retry']);
  if (existing) {
    existing.view = view;
    existing.hash = newViewHash(ctx);
    ctx.state.changed();
    return { ok: true, body: { view: viewObject(existing, ctx.workspace) } };
  }
  const id = ctx.newId('V');
  const v: SandboxView = { id, type: 'home', user: userId, view, hash: newViewHash(ctx), open: true, root_view_id: id, previous_view_id: null };
  ctx.state.addView(v);
  return { ok: true, body: { view: viewObject(v, ctx.workspace) } };
};

export const viewMethods: Record<string, MethodHandler> = {
  'views.open': open,
  'views.update': update,
  'views.publish': publish,
};
