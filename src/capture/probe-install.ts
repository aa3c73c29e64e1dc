/**
 * The stack probe's holder installed in a process tripod did not start (reached
 * by SIGUSR1 or through its own inspector, no agent), by CDP reads and calls of
 * Node's verified natives alone, so none of the program's code runs even though
 * it had every chance to replace what a script would use: the installer is
 * compiled in a fresh realm of tripod's (fresh-realm.ts), so its `Object.*` are
 * the fresh context's; it gets the program's global, `process` and the native
 * `getActiveResourcesInfo` (`internalBinding('process_methods')`'s, verified
 * native) as arguments by object id. Where the realm cannot be made, nothing is
 * called and the probe is not installed ("stack probe failed").
 */
import type { CdpClient } from './cdp';
import { bindingOf, callVerified, compileIn, type FreshRealm, FreshRealmUnavailable, need, UNDEFINED, withFreshRealm } from './fresh-realm';
import { nativeIn, ownProperties, type PropertyDescriptor } from './node-internals';
import { freshInstallerBody, INSTALLER_PARAMETERS, PROBE_HOLDER } from './probe-context';

/** The probe cannot be installed without running the program's code (a Node too old for tripod's realm, Node's internals hidden). */
export class ProbeInstallFailed extends Error {
  constructor(readonly why: string) {
    super(`stack probe failed: it cannot be installed here (${why})`);
    this.name = 'ProbeInstallFailed';
  }
}

/**
 * Installs the holder unless it is there (another attach's, installed meanwhile);
 * throws ProbeInstallFailed saying what was missing. `processProperty`: the
 * global's `process` descriptor where the caller read it already.
 */
export async function installHolderThroughNatives(cdp: CdpClient, processProperty?: PropertyDescriptor): Promise<void> {
  try {
    await withFreshRealm(cdp, (realm) => installIn(cdp, realm), processProperty);
  } catch (error) {
    if (error instanceof FreshRealmUnavailable) throw new ProbeInstallFailed(error.message);
    throw error;
  }
}

async function installIn(cdp: CdpClient, realm: FreshRealm): Promise<void> {
  const [installer, processMethods] = await Promise.all([compileIn(cdp, realm, INSTALLER_PARAMETERS, freshInstallerBody()), bindingOf(cdp, realm, 'process_methods')]);
  const methods = processMethods ? (await ownProperties(cdp, processMethods)).result : [];
  // Node's native behind process.getActiveResourcesInfo, which the program may have replaced.
  const activeResources = nativeIn(methods, 'getActiveResourcesInfo') ?? nativeIn(realm.processProperties, 'getActiveResourcesInfo');
  const holder = await callVerified(cdp, installer, [{ objectId: realm.global }, { objectId: realm.process }, activeResources ? { objectId: activeResources } : UNDEFINED, { value: PROBE_HOLDER }]);
  need(holder, 'the holder');
}
