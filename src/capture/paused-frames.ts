/**
 * What tripod reads while a thread is paused: the visible frames, each with its
 * arguments, locals and closure variables, listed in one call of the in-target
 * reader and turned into bounded, redacted values once the thread runs again.
 * Closure scopes several frames share are written once (the sample's sharedScopes).
 */
import type { Protocol } from 'devtools-protocol';
import type { CaptureLimits } from '../config';
import type { Frame, SharedScope, Value } from '../record/sample';
import type { CdpClient } from './cdp';
import { visibleFrames } from './frames';
import { findInstalledReader, InTargetListing, installReader, type ReaderInstall, readerOnGlobal, readInTarget } from './in-target-reader';
import { parameterNames } from './parameters';
import { redactFrame, redactVariables, type SecretTest } from './redact';
import type { ScriptTable } from './scripts';
import type { SourceCache } from './sources';
import { type ScopeRead, ValueReader, type Variables } from './values';

type CallFrame = Protocol.Debugger.CallFrame;
type Scope = Protocol.Debugger.Scope;

/** What reading a paused thread needs: its session, its scripts and sources, the bounds and the redaction. */
export interface ReadContext {
  cdp: CdpClient;
  scripts: ScriptTable;
  sources: SourceCache;
  limits: CaptureLimits;
  isSecret: SecretTest;
  /** The in-target reader, installed at the first read (or why it declined: then nothing is read). */
  reader?: Promise<ReaderInstall>;
  /** A session before this one installed the reader or found it, and saw it on the global as its own data property. */
  readerInstalled?: boolean;
}

interface ScopeSlots {
  locals: number[];
  closure: number[];
}

/** A scope's variables with the id of the reader's listing of it: frames showing the same closure share one id. */
type ListedScope = ScopeRead & { id: string };

export interface PausedFrames {
  frames: Frame[];
  moreFrames: number;
  /** Closure scopes that several frames share, written once; frames refer to them by index. */
  sharedScopes?: SharedScope[];
  /** Why the frames carry no variables, when they were to be read and could not be. */
  localsSkipped?: string;
}

/** Frames with every variable in the frame itself (shared scopes merged back in), as crash capture logs them. */
export async function readPausedFrames(ctx: ReadContext, callFrames: CallFrame[]): Promise<PausedFrames> {
  return (await readPausedScopes(ctx, callFrames, false))();
}

/**
 * Reads what needs the thread paused (the scopes' variables, as listed); the
 * returned function turns that into frames, and is called once it runs again.
 * With `share`, a closure scope seen in several frames is written once.
 */
export async function readPausedScopes(ctx: ReadContext, callFrames: CallFrame[], share = true): Promise<() => Promise<PausedFrames>> {
  const named = callFrames.map((cf) => ({ cf, url: ctx.scripts.url(cf.location.scriptId, cf.url) }));
  const visible = visibleFrames(named);
  const kept = visible.slice(0, ctx.limits.maxFrames);
  const plan = kept.map(({ cf }) => scopePlan(cf.scopeChain));
  const shared = new Map<string, number>();
  const ids: string[] = [];
  const keys: string[] = [];
  const slotOf = (scope: Scope): number => {
    const key = sharedScopeKey(scope);
    if (key && shared.has(key)) return shared.get(key)!;
    ids.push(scope.object.objectId!);
    keys.push(closureKey(scope));
    if (key) shared.set(key, ids.length - 1);
    return ids.length - 1;
  };
  // Node's own frames (node:internal/...) keep Node's state, not the program's: their variables are not read.
  const slots = plan.map(({ locals, closure }, i) =>
    ctx.limits.locals && !kept[i].url.startsWith('node:') ? { locals: locals.map(slotOf), closure: closure.map(slotOf) } : undefined,
  );
  const listing = ids.length > 0 ? await listVariables(ctx, ids, keys) : { scopes: async () => [] as ListedScope[] };
  return async () => {
    const moreFrames = visible.length - kept.length;
    if ('skipped' in listing) return { frames: kept.map(({ cf, url }) => frameOf(ctx, cf, url, undefined, [])), moreFrames, localsSkipped: listing.skipped };
    const read = await listing.scopes();
    const sharing = share ? new ScopeSharing(slots, read) : undefined;
    const frames = kept.map(({ cf, url }, i) => frameOf(ctx, cf, url, slots[i], read, sharing));
    const sharedScopes = sharing?.scopes(ctx.isSecret) ?? [];
    return { frames, moreFrames, ...(sharedScopes.length > 0 ? { sharedScopes } : {}) };
  };
}

/**
 * Which closure scopes are written once for the sample: those whose listing
 * (the reader lists the same closure with the same variables once) is a closure
 * scope of more than one frame. Bundled code keeps thousands of variables in one
 * closure that every frame shares; written per frame, one sample was megabytes.
 */
class ScopeSharing {
  private readonly index = new Map<string, number>();
  private readonly order: string[] = [];
  private readonly byId = new Map<string, ScopeRead>();

  constructor(slots: Array<ScopeSlots | undefined>, read: ListedScope[]) {
    const frames = new Map<string, Set<number>>();
    slots.forEach((slot, frame) => {
      for (const at of slot?.closure ?? []) {
        const id = read[at]?.id;
        if (id === undefined) continue;
        if (!frames.has(id)) frames.set(id, new Set());
        frames.get(id)!.add(frame);
        this.byId.set(id, read[at]);
      }
    });
    for (const [id, seenIn] of frames) if (seenIn.size > 1) this.index.set(id, this.order.push(id) - 1);
  }

  isShared(id: string): boolean {
    return this.index.has(id);
  }

  /** The shared scopes a frame's closure refers to, innermost first. */
  refsOf(slot: ScopeSlots | undefined, read: ListedScope[]): number[] {
    const refs: number[] = [];
    for (const at of slot?.closure ?? []) {
      const ref = this.index.get(read[at]?.id);
      if (ref !== undefined && !refs.includes(ref)) refs.push(ref);
    }
    return refs;
  }

  scopes(isSecret: SecretTest): SharedScope[] {
    return this.order.map((id) => {
      const scope = this.byId.get(id)!;
      return { variables: redactVariables(scope.variables, isSecret), ...(scope.more ? { more: scope.more } : {}), ...(scope.unread ? { unread: scope.unread } : {}) };
    });
  }
}

/**
 * A frame with its variables; `slot` says which of the read scopes are its own
 * and which its closure's; closure scopes that `sharing` writes once are referred to.
 */
function frameOf(ctx: ReadContext, cf: CallFrame, url: string, slot: ScopeSlots | undefined, read: ListedScope[], sharing?: ScopeSharing): Frame {
  const frame = baseFrame(cf, url, ctx);
  if (!slot) return frame;
  const own = slot.locals.map((at) => read[at]).filter(Boolean);
  const sharedRefs = sharing?.refsOf(slot, read) ?? [];
  const enclosing = slot.closure.map((at) => read[at]).filter((scope) => scope && !sharing?.isShared(scope.id));
  const locals = withoutModuleWrapper(cf, merge(own.map((scope) => scope.variables)));
  const closure = merge(enclosing.map((scope) => scope.variables));
  const params = paramsOf(cf, url, ctx);
  // Whichever way they were read, the variables leave here through redact.ts's pass (shared scopes: in scopes()).
  return redactFrame(
    {
      ...frame,
      ...splitArguments(locals, params),
      ...(Object.keys(closure).length > 0 ? { closure } : {}),
      ...leftOut('moreLocals', own),
      ...leftOut('moreClosure', enclosing),
      ...cutShort([...own, ...enclosing]),
      ...(sharedRefs.length > 0 ? { sharedClosure: sharedRefs } : {}),
    },
    ctx.isSecret,
  );
}

/** Why some of the frame's scopes were not listed to the end (the sample's time or size ceiling), if they were not. */
function cutShort(scopes: ScopeRead[]): { truncated?: string } {
  const unread = scopes.find((scope) => scope.unread)?.unread;
  return unread ? { truncated: unread } : {};
}

/** How many variables of these scopes were not listed, under the frame's field for it. */
function leftOut(field: 'moreLocals' | 'moreClosure', scopes: ScopeRead[]): Partial<Record<'moreLocals' | 'moreClosure', number>> {
  const more = scopes.reduce((sum, scope) => sum + (scope.more ?? 0), 0);
  return more > 0 ? { [field]: more } : {};
}

/**
 * Installs the in-target reader once, ahead of the first pause that needs it
 * (the capturer asks as soon as the debugger is on), so the pause is not
 * lengthened by compiling it.
 */
export function prepareReader(ctx: ReadContext): Promise<ReaderInstall> {
  ctx.reader ??= readerOfSession(ctx);
  return ctx.reader;
}

async function readerOfSession(ctx: ReadContext): Promise<ReaderInstall> {
  const again = ctx.readerInstalled ? await findInstalledReader(ctx.cdp, ctx.limits).catch(() => undefined) : undefined;
  if (again && 'id' in again) return again;
  const install = await installReader(ctx.cdp, ctx.limits);
  if ('id' in install) ctx.readerInstalled = await readerOnGlobal(ctx.cdp, ctx.limits).catch(() => false);
  return install;
}

const READER_FAILED = 'the in-target reader did not answer';

type Listing = { skipped: string } | { scopes: () => Promise<ListedScope[]> };

/**
 * Lists the scopes' variables with the in-target reader, in one call; the
 * returned function turns the listing into values once the thread runs again.
 * Where the reader cannot run, nothing is read: getProperties, the only other
 * way, has V8 describe values with their getters.
 */
async function listVariables(ctx: ReadContext, scopeObjectIds: string[], keys: string[]): Promise<Listing> {
  const reader = await prepareReader(ctx);
  if ('declined' in reader) return { skipped: `the in-target reader declined: ${reader.declined}` };
  const raw = await readInTarget(ctx.cdp, reader.id, scopeObjectIds, keys).catch(() => undefined);
  if (!raw) return { skipped: READER_FAILED };
  return {
    scopes: async () => {
      const listing = new InTargetListing(raw);
      const ids = listing.scopeIds;
      const unique = [...new Set(ids)];
      const read = await new ValueReader(listing.properties, ctx.limits, ctx.isSecret).readScopes(unique);
      const byId = new Map(unique.map((id, i) => [id, read[i]]));
      return ids.map((id) => ({ ...byId.get(id)!, id }));
    },
  };
}

/** Closure scopes of one function's context can be listed once for several frames; "" for other scopes. */
function closureKey(scope: Scope): string {
  const start = scope.startLocation;
  if (scope.type !== 'closure' || !start) return '';
  return `${start.scriptId}:${start.lineNumber}:${start.columnNumber}:${scope.endLocation?.lineNumber}:${scope.endLocation?.columnNumber}`;
}

function baseFrame(cf: CallFrame, url: string, ctx: ReadContext): Frame {
  const line = cf.location.lineNumber + 1;
  const column = (cf.location.columnNumber ?? 0) + 1;
  const source = ctx.sources.line(url, line, ctx.limits.maxString);
  return { function: cf.functionName, url, line, column, ...(source !== undefined ? { source } : {}) };
}

/**
 * Which scopes hold the frame's own variables and which its closure's. V8 lists
 * the chain innermost first: inner blocks, the function's local scope, then
 * enclosing scopes. Script, global and (for functions) module scopes are the
 * program's globals and are left out.
 */
function scopePlan(chain: Scope[]): { locals: Scope[]; closure: Scope[] } {
  const readable = chain.filter((s) => s.object.objectId);
  const localAt = readable.findIndex((s) => s.type === 'local');
  if (localAt < 0) {
    // A module's or script's top level: its own variables live in the module scope.
    const own = readable.filter((s) => s.type === 'block' || s.type === 'catch' || s.type === 'module');
    return { locals: own, closure: [] };
  }
  const locals = readable.slice(0, localAt + 1);
  const closure = readable.slice(localAt + 1).filter((s) => ['closure', 'block', 'catch', 'with', 'eval'].includes(s.type));
  return { locals, closure };
}

/** Module-level closures (a CommonJS wrapper's scope) are the same object in every frame of that file: read them once. */
function sharedScopeKey(scope: Scope): string | undefined {
  const start = scope.startLocation;
  if (scope.type !== 'closure' || !start || start.lineNumber !== 0 || start.columnNumber !== 0) return undefined;
  return `${start.scriptId}:${scope.endLocation?.lineNumber}:${scope.endLocation?.columnNumber}`;
}

/** The parameters Node's CommonJS wrapper gives every module: the same in every file, and `module` is large. */
const MODULE_WRAPPER_PARAMETERS = ['exports', 'require', 'module', '__filename', '__dirname'];

function withoutModuleWrapper(cf: CallFrame, vars: Variables): Variables {
  const at = cf.functionLocation;
  const topLevel = cf.functionName === '' && at?.lineNumber === 0 && at.columnNumber === 0;
  if (!topLevel || !MODULE_WRAPPER_PARAMETERS.every((name) => name in vars)) return vars;
  const rest = { ...vars };
  for (const name of MODULE_WRAPPER_PARAMETERS) delete rest[name];
  return rest;
}

/** Inner scopes shadow outer ones, as the language does. */
function merge(scopes: Variables[]): Variables {
  const merged: Variables = {};
  for (const vars of scopes) for (const [name, value] of Object.entries(vars)) if (!(name in merged)) merged[name] = value;
  return merged;
}

function paramsOf(cf: CallFrame, url: string, ctx: ReadContext): string[] | undefined {
  const at = cf.functionLocation;
  if (!at) return undefined;
  const text = ctx.sources.textAt(url, at.lineNumber + 1, (at.columnNumber ?? 0) + 1, 2000);
  return text === undefined ? undefined : parameterNames(text);
}

function splitArguments(vars: Variables, params: string[] | undefined): { args?: Record<string, Value>; locals?: Record<string, Value> } {
  if (!params || params.length === 0) return Object.keys(vars).length > 0 ? { locals: vars } : {};
  const args: Record<string, Value> = {};
  const locals: Record<string, Value> = {};
  for (const name of params) if (name in vars) args[name] = vars[name];
  for (const [name, value] of Object.entries(vars)) if (!(name in args)) locals[name] = value;
  return { args, ...(Object.keys(locals).length > 0 ? { locals } : {}) };
}
