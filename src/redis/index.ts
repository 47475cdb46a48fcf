export { RedisTokenStore } from './redis-token-store';
export type { RedisTokenStoreOptions, RedisClientLike } from './redis-token-store';
export type { TokenStore, StoredToken } from '../store/token-store';
