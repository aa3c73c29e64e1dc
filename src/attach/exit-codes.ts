/**
 * Exit codes of `tripod dump` and `tripod record` when they cannot reach the
 * target, one per cause, so scripts can tell them apart. 2 stays "bad input".
 */
export const ATTACH_EXIT = {
  noSuchProcess: 3,
  notNode: 4,
  permissionDenied: 5,
  inspectorUnavailable: 6,
  portInUse: 7,
  targetExited: 8,
} as const;
