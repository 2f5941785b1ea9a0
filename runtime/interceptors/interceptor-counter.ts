/**
 * Counters of one interceptor. Flume has none for interceptors; these make events an interceptor drops
 * (e.g. `regex_filter`) visible next to the source and channel counters. Plain fields, like the others.
 */
export class InterceptorCounter {
  /** Events handed to the interceptor, kept or not. */
  EventsInterceptedCount = 0;
  /** Events the interceptor removed from their batch. */
  EventsDroppedCount = 0;
}
