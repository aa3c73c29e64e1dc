/**
 * The filters `tripod show` and `tripod report` share (--since, --until, --state,
 * --grep, --pid, --thread): one group of options, read the same way for both.
 */
import type { LogFilters } from '../config';
import type { SampleState } from '../record/sample';
import type { OptionValues } from './parse';

export function logFilters(values: OptionValues): LogFilters {
  return {
    since: values.time('since'),
    until: values.time('until'),
    states: values.choices('state') as SampleState[] | undefined,
    grep: values.regex('grep'),
    pid: values.optionalNumber('pid'),
    thread: values.optionalNumber('thread'),
  };
}
