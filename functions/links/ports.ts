/** What the provider pages need from outside the links layer. */
import type { Store } from '../store/index.ts';

/**
 * The store methods the app uses; `createStore(...)` satisfies it. Pages read
 * with `getPageReads`: one request per page load (the steps are cached in process).
 */
export type LinksStore = Pick<
  Store,
  | 'tableName'
  | 'getPageReads'
  | 'getProvider'
  | 'putProvider'
  | 'createApplication'
  | 'transition'
  | 'enqueueMessage'
  | 'putQuestion'
>;
